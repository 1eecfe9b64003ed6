"""Option groups: a block of options several commands share, declared once as a dataclass.

Typer reads a command's options from the command's signature, one parameter per option, so
two commands that take the same twenty options would otherwise list all twenty twice.
`takes(Group)` lets a command name the whole block as one parameter annotated ``Group``: the
command typer sees has the group's fields (each with its own ``Annotated`` option and default)
in that parameter's place, so the help lists them in the same order; the command itself gets
one ``Group`` instance.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar, get_type_hints

Command = TypeVar("Command", bound=Callable[..., Any])


def takes(group: type) -> Callable[[Command], Command]:
    """A decorator: the command's parameter annotated `group` (a dataclass whose fields are
    typer options, all with defaults) becomes those options on the command line. That
    parameter has no default of its own, so it stands after ``*``: keyword-only, like the
    options it becomes."""
    members = dataclasses.fields(group)
    member_types = get_type_hints(group, include_extras=True)

    def decorate(command: Command) -> Command:
        types = get_type_hints(command, include_extras=True)
        [slot] = [name for name, kind in types.items() if kind is group]
        clash = {f.name for f in members} & set(types)
        if clash:
            raise TypeError(f"{command.__name__} already has options {sorted(clash)}")
        signature = inspect.signature(command)
        parameters: list[inspect.Parameter] = []
        for p in signature.parameters.values():
            if p.name != slot:
                parameters.append(p.replace(annotation=types[p.name]))
                continue
            parameters += [
                inspect.Parameter(
                    f.name, p.kind, default=f.default, annotation=member_types[f.name]
                )
                for f in members
            ]

        @functools.wraps(command)
        def run(**options: Any) -> Any:
            grouped = group(**{f.name: options.pop(f.name) for f in members})
            return command(**options, **{slot: grouped})

        run.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in parameters}
        return run  # type: ignore[return-value]

    return decorate
