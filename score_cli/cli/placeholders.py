"""Help placeholders that name the thing: `MRE`, `EMAIL`, `DATE`, `CODE`, `TEXT`, `N`.

Typer shows a value's Python type (`<str>`, `<list[str]>`, `<int range>`) and an argument as
`{MRE}` or `[mentor]`. Every parameter of score is named here by what it holds, in one place,
so that the same kind of value reads the same in every command's help.
"""

from __future__ import annotations

from types import MethodType

BY_NAME = {
    "mre": "MRE", "keep": "KEEP", "other": "OTHER", "session_id": "SESSION",
    "email": "EMAIL", "mentor": "EMAIL", "actor": "EMAIL", "admin": "EMAIL", "direct_to": "EMAIL",
    "sender": "EMAIL",
    "chapter": "CODE", "district": "CODE", "region": "CODE",
    "day": "DATE", "start": "DATE", "end": "DATE", "until": "DATE", "paused_on": "DATE",
    "text": "TEXT", "reason": "TEXT", "note": "TEXT", "notes": "TEXT", "message": "TEXT", "question": "TEXT",
    "area": "TEXT", "business_type": "TEXT", "capacity": "TEXT", "expertise": "TEXT", "user": "TEXT",
    "name": "NAME", "admin_name": "NAME", "business": "NAME",
    "file": "FILE", "chapters": "FILE", "dest": "PATH", "db": "URL|PATH", "origin": "URL",
    "phone": "PHONE", "zip_code": "ZIP", "smtp": "HOST[:PORT]",
    "status": "STATUS", "new_status": "STATUS", "stage": "STATUS", "role": "ROLE", "scope": "KIND:CODE",
    "classification": "certified|provisional|sme", "method": "email|phone|other", "fmt": "FORMAT",
    "by": "chapter|district|region", "min_score": "X",
}
BY_TYPE = {str: "TEXT", int: "N", float: "X"}


def placeholder(param) -> str | None:
    """What a parameter's help calls its value; None for a flag."""
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return None
    if param.name in BY_NAME:
        return BY_NAME[param.name]
    descriptor = getattr(param, "type_descriptor", None)
    annotation = getattr(descriptor, "annotation", None)
    for kind, name in BY_TYPE.items():
        if annotation is kind or annotation == list[kind]:
            return name
    return param.metavar


def _no_type(self, ctx):
    return None


def _usage_name(self) -> str:
    return self.metavar if self.required else f"[{self.metavar}]"


def name_placeholder(param) -> None:
    """An option reads `--chapter CODE`; an argument reads `MRE` (required) or `[EMAIL]`
    (optional) in the usage line, and by its placeholder alone in the list of arguments."""
    if param.metavar is None:
        param.metavar = placeholder(param)
    if param.param_type_name == "argument" and param.metavar:
        param.display_type_rich = MethodType(_no_type, param)
        param._usage_display_name = MethodType(_usage_name, param)
