"""Reading input files named on the command line (`-` is standard input)."""


import sys
from pathlib import Path


def read_text(name: str) -> str:
    from score_cli.domain.errors import Invalid

    try:
        if name == "-":
            data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
        else:
            data = Path(name).read_bytes()
    except FileNotFoundError:
        raise Invalid(f"no such file: {name}") from None
    except IsADirectoryError:
        raise Invalid(f"{name} is a folder, not a file") from None
    except OSError as exc:
        raise Invalid(f"cannot read {name}: {exc.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(f"{name} is not UTF-8 text (byte {exc.start}): save it as UTF-8 CSV") from None
