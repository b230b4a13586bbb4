"""Option and argument values converted without pydantic.

Typer converts every value through a pydantic TypeAdapter, built the first time the parameter is
seen. Building them costs about 0.1 s per run, more than any query of `score show`. The values
of score's commands are text, flags, whole numbers and fractions, which need nothing so heavy;
the other kinds (lists, paths, choices) keep Typer's conversion.
"""

from typing import Any

from typer._click.exceptions import BadParameter
from typer._coercion import RuntimeParam

from score_cli.cli.placeholders import name_placeholder

_TRUE = {"1", "true", "t", "yes", "y", "on"}
_FALSE = {"0", "false", "f", "no", "n", "off", ""}


class _Plain(RuntimeParam):
    """Text, flags and numbers, with the bounds an option declares."""

    def _coerce_value(self, value: Any, param, ctx) -> Any:
        kind = self.annotation
        if kind is str:
            return value if isinstance(value, str) else str(value)
        if kind is bool:
            return _flag(value, param, ctx)
        return _number(kind, value, self.parameter_info, param, ctx)


def _flag(value: Any, param, ctx) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadParameter(f"{value!r} is not yes or no (true/false, 1/0)", ctx=ctx, param=param)


def _number(kind: type, value: Any, info, param, ctx):
    try:
        number = kind(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        what = "a whole number" if kind is int else "a number"
        raise BadParameter(f"{value!r} is not {what}", ctx=ctx, param=param) from None
    if info.min is not None and number < info.min:
        raise BadParameter(f"{value} is below the least allowed, {info.min}", ctx=ctx, param=param)
    if info.max is not None and number > info.max:
        raise BadParameter(f"{value} is above the most allowed, {info.max}", ctx=ctx, param=param)
    return number


def convert_plainly(command, ctx) -> None:
    """Give every text, flag and number parameter of `command` and its subcommands the plain
    conversion, and its help placeholder. Typer adds its completion and help options after the
    group is built, so this runs once the command line is being parsed (the subcommands'
    contexts inherit the help names)."""
    for param in command.get_params(ctx):
        name_placeholder(param)
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is None or descriptor.file_annotation is not None or descriptor.parameter_info.parser:
            continue
        info = descriptor.parameter_info
        if descriptor.annotation in (str, bool) or (descriptor.annotation in (int, float) and not info.clamp):
            param._runtime_param = _Plain(parameter_info=info, annotation=descriptor.annotation)
    for sub in getattr(command, "commands", {}).values():
        convert_plainly(sub, ctx)
