"""Reading input files named on the command line (`-` is standard input).

A file is read line by line as it comes, never whole into memory first: a line longer than
LINE_LIMIT characters (a broken export, `/dev/zero`) stops the command with its line number.
Lines may end in `\\n`, `\\r\\n` or a lone `\\r` (old Mac exports).
"""


import io
import sys
from pathlib import Path
from typing import Iterator

LINE_LIMIT = 1_000_000


def read_lines(name: str) -> Iterator[str]:
    """The file's lines, line endings kept (as the csv module wants them), read as they come.

    Opening problems are raised at once; a line too long or not UTF-8 when it is reached."""
    from score_cli.domain.errors import Invalid

    try:
        if name == "-":
            raw = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else io.BytesIO(sys.stdin.read().encode())
        else:
            raw = Path(name).open("rb")
    except FileNotFoundError:
        raise Invalid(f"no such file: {name}") from None
    except IsADirectoryError:
        raise Invalid(f"{name} is a folder, not a file") from None
    except OSError as exc:
        raise Invalid(f"cannot read {name}: {exc.strerror}") from None
    return _lines(name, raw)


def _lines(name: str, raw) -> Iterator[str]:
    from score_cli.domain.errors import Invalid

    shown = "standard input" if name == "-" else name
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    number = 0
    try:
        while True:
            try:
                line = text.readline(LINE_LIMIT + 1)
            except UnicodeDecodeError:
                raise Invalid(f"{shown} is not UTF-8 text (line {number + 1}): save it as UTF-8 CSV") from None
            except OSError as exc:
                raise Invalid(f"cannot read {shown}: {exc.strerror}") from None
            if not line:
                return
            number += 1
            if len(line) > LINE_LIMIT:
                raise Invalid(f"line {number} of {shown} is longer than {LINE_LIMIT:,} characters:"
                              " is it the right file?")
            yield line
    finally:
        if name != "-":
            text.close()
        else:
            text.detach()


def read_text(name: str) -> str:
    """A whole (small) file as text, with the same checks as `read_lines`."""
    return "".join(read_lines(name))
