"""The scope options every listing and report takes (SPEC §8), declared once.

`@scoped` gives a command `--chapter`, `--district`, `--region`, `--national` and `--mine`, and
hands it the one scope they name as `scope` (None: the actor's own, as the rulebook says).
"""

import functools
import inspect
from typing import Annotated, Optional

import typer

_OPTIONS = (
    ("chapter", Annotated[Optional[str], typer.Option("--chapter", metavar="CODE", help="One chapter.")], None),
    ("district", Annotated[Optional[str], typer.Option("--district", metavar="CODE",
                                                       help="Every chapter of a district.")], None),
    ("region", Annotated[Optional[str], typer.Option("--region", metavar="CODE",
                                                     help="Every chapter of a region.")], None),
    ("national", Annotated[bool, typer.Option("--national", help="The whole organisation.")], False),
    ("mine", Annotated[bool, typer.Option("--mine", help="Only what is yours.")], False),
)
_NAMES = tuple(name for name, _, _ in _OPTIONS)


def scoped(command):
    """Add the scope options to `command`, which takes a `scope` keyword instead of them."""
    signature = inspect.signature(command)
    own = [p for p in signature.parameters.values() if p.name != "scope"]
    required = [p for p in own if p.default is inspect.Parameter.empty]
    optional = [p for p in own if p.default is not inspect.Parameter.empty]
    scope_params = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
                    for name, annotation, default in _OPTIONS]
    keyword_only = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in optional]

    @functools.wraps(command)
    def with_scope(*args, **kwargs):
        chosen = {name: kwargs.pop(name) for name in _NAMES if name in kwargs}
        return command(*args, scope=scope_from(**chosen), **kwargs)

    with_scope.__signature__ = signature.replace(parameters=[*required, *scope_params, *keyword_only])
    return with_scope


def scope_from(chapter: str | None = None, district: str | None = None, region: str | None = None,
               national: bool = False, mine: bool = False):
    from score_cli.services.organisation.scope import choose

    return choose(chapter=chapter, district=district, region=region, national=national, mine=mine)
