"""The red-team suites reuse the Isabelle server stand-in fixture."""

from tests.isabelle.conftest import standin  # noqa: F401
