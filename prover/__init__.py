"""An open formal theorem-proving agent: LM-guided proof search checked by real proof assistants."""

__version__ = "0.1.0"
