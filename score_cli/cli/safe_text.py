"""Text from the store shown as plain text: never read as Rich markup, never obeyed by a terminal.

A client's name, a note or a question comes from a web form or a CSV file. Shown on a terminal
it must not be taken for Rich markup (`[/bold]` would break the whole table, `[link=...]` would
hide an address), nor reach the terminal as a control sequence (ESC, the C1 CSI, a right-to-left
override). Such characters are written out as their escape (`\\x1b`, `\\u202e`) so a reader sees
that something odd was typed, and what.
"""


import re

# C0 and C1 controls, DEL, the line and paragraph separators, and the bidirectional embeddings,
# overrides, isolates and marks that reorder what a terminal shows.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_UNSAFE_IN_CELL = re.compile(_UNSAFE.pattern.replace("\x00-\x1f", "\x00-\x08\x0b-\x1f"))  # a cell keeps \t, \n
_UNSAFE_IN_JSON = re.compile(_UNSAFE.pattern.replace("\x00-\x1f", ""))  # JSON escapes C0 itself
_QUOTED = re.compile("'[^']{81,}'|\"[^\"]{81,}\"")
_TAG = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")  # Rich's own pattern for a tag


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, one_line: bool = True) -> str:
    """The text with every control and direction-changing character written out as its escape.

    `one_line` also writes out line breaks and tabs, for a message that must stay one line."""
    return (_UNSAFE if one_line else _UNSAFE_IN_CELL).sub(_escape, text)


def no_markup(text: str) -> str:
    """The text as Rich prints it literally: whatever Rich would take for a tag is escaped, with
    the backslashes before it doubled (as `rich.markup.escape`, without its extra trailing one,
    which would show when the text ends a cell)."""
    return _TAG.sub(lambda m: m.group(1) * 2 + "\\" + m.group(2), text)


def cell(text: str) -> str:
    """A value for a Rich table cell or line: shown exactly, line breaks kept, nothing obeyed."""
    return no_markup(visible(text, one_line=False))


def line(text: str) -> str:
    """A value for a plain one-line message (an error, a confirmation)."""
    return visible(text)


def json_text(encoded: str) -> str:
    """JSON text with the characters a terminal would obey, which `json.dumps(ensure_ascii=False)`
    leaves raw (DEL, the C1 controls such as CSI U+009B, the bidirectional overrides, the line
    separators), written as `\\u` escapes: a JSON reader gets the same strings back, a terminal
    that shows the output obeys nothing. They occur only inside strings, where `\\u` is valid."""
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)


def csv_cell(text: str) -> str:
    """A CSV cell: line breaks and tabs kept (quoted by the CSV writer), every other control or
    direction-changing character written out as in a table (`\\x9b`, `\\u202e`)."""
    return visible(text, one_line=False)


def shorten_quoted(message: str, limit: int = 80) -> str:
    """A message with each quoted value longer than `limit` cut to its start and its length, so a
    pasted essay or a binary file's content is not echoed back whole."""
    def cut(match: re.Match) -> str:
        quote, value = match.group()[0], match.group()[1:-1]
        return f"{quote}{value[:limit - 1]}…{quote} ({len(value):,} characters)"

    return _QUOTED.sub(cut, message)
