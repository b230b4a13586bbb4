"""Option and argument values converted without pydantic.

Typer converts every value through a pydantic TypeAdapter, built the first time the parameter is
seen. Building them costs about 0.1 s per run, more than any query of `score show`. The values
of score's commands are text, flags, whole numbers and fractions, which need nothing so heavy;
the other kinds (lists, paths, choices) keep Typer's conversion.
"""

from typing import Any

from typer import BadParameter

from score_cli.cli.placeholders import name_placeholder

_TRUE = {"1", "true", "t", "yes", "y", "on"}
_FALSE = {"0", "false", "f", "no", "n", "off", ""}


def _plain(kind: type, info):
    """The conversion of one text, flag or number parameter, with the bounds it declares."""

    def convert(value: Any, param, ctx) -> Any:
        if kind is str:
            return value if isinstance(value, str) else str(value)
        if kind is bool:
            return _flag(value, param, ctx)
        return _number(kind, value, info, param, ctx)

    return convert


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
    conversion through Click's `Parameter.process_value`, and its help placeholder. Typer adds its
    completion and help options after the group is built, so this runs once the command line is
    being parsed."""
    for param in command.get_params(ctx):
        name_placeholder(param)
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is None or descriptor.file_annotation is not None or descriptor.parameter_info.parser:
            continue
        info = descriptor.parameter_info
        if descriptor.annotation in (str, bool) or (descriptor.annotation in (int, float) and not info.clamp):
            param.process_value = _processing(param, _plain(descriptor.annotation, info))
    for sub in getattr(command, "commands", {}).values():
        convert_plainly(sub, ctx)


def _processing(param, convert):
    typers_own = param.process_value

    def process_value(ctx, value):
        if value is None or (param.multiple and value in ((), [])):
            if param.required:
                return typers_own(ctx, value)  # Typer's own words for a missing value
        elif param.multiple:
            value = tuple(convert(item, param, ctx) for item in value)
        else:
            value = convert(value, param, ctx)
        if value is None and param.multiple:
            value = ()
        return param.callback(ctx, param, value) if param.callback is not None else value

    return process_value
