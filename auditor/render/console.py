"""The one way text summaries are written: a rich Console into a string buffer."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Mapping
from typing import Any

from rich.cells import cell_len
from rich.console import Console
from rich.style import Style
from rich.text import Text

from auditor.inert import inert


def text_console(*, color: bool, width: int | None) -> tuple[Console, io.StringIO]:
    """A console styled for a colour terminal, or plain (no colour, no escape codes)."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        color_system="auto" if color else None,
        width=width or 120,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )
    return console, buffer


def visible(value: str) -> str:
    """Names, tags and messages taken from Azure, inert: a value cannot drive the reader's
    terminal (an escape sequence), fake a line of the summary (a newline) or reorder it (a
    bidirectional override)."""
    return inert(value)


class SafeText(Text):
    """rich Text for data: never read as markup (it is Text, not a string) and with control
    characters made visible. The summaries build every line from it."""

    def __init__(self, text: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(visible(text), *args, **kwargs)

    def append(self, text: str | Text, style: str | Style | None = None) -> SafeText:
        super().append(visible(text) if isinstance(text, str) else text, style)
        return self


DEFAULT_WIDTH = 80


def terminal_width(environ: Mapping[str, str] | None = None) -> int:
    """The width summaries are written for: `COLUMNS` when set, else the terminal's (stdout,
    else stderr or stdin: `auditor scan | less` still has one), else 80."""
    env = os.environ if environ is None else environ
    columns = env.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    for fd in (1, 2, 0):
        try:
            size = os.get_terminal_size(fd).columns
        except (OSError, ValueError):
            continue
        if size > 0:
            return size
    return DEFAULT_WIDTH


_WORD = re.compile(r"\S+")
# Where a word too long for any line may break: after the separators of a path, a URL or an
# Azure name; only when there is none does the word break where the line ends.
_SEPARATORS = frozenset("/?&=,;-_.")


def _cut(plain: str, start: int, end: int, room: int) -> int:
    """Where to break plain[start:end], a word wider than `room` cells: after the last separator
    that fits, else after the last character that fits (at least one character)."""
    used = 0
    fits = start
    separator = 0
    for index in range(start, end):
        used += cell_len(plain[index])
        if used > room:
            break
        fits = index + 1
        if plain[index] in _SEPARATORS:
            separator = index + 1
    return separator or max(fits, start + 1)


def wrap(text: Text, width: int, *, indent: int = 0, hang: int | None = None) -> list[Text]:
    """`text` as lines of at most `width` cells: the first indented by `indent`, the others by
    `hang` (default: the same). Lines break between words, never inside one, unless the word is
    wider than a whole line."""
    hang = indent if hang is None else hang
    plain = text.plain
    if cell_len(plain) <= width - indent and plain == plain.strip():  # most lines: as they are
        line = Text(" " * indent)
        line.append_text(text)
        return [line]
    spans: list[tuple[int, int]] = []
    room = max(width - indent, 1)
    start = end = used = 0
    open_line = False
    for match in _WORD.finditer(plain):
        begin, finish = match.span()
        size = cell_len(match.group())
        if open_line:
            gap = cell_len(plain[end:begin])
            if used + gap + size <= room:
                used, end = used + gap + size, finish
                continue
            spans.append((start, end))
            room = max(width - hang, 1)
        while size > room:
            cut = _cut(plain, begin, finish, room)
            spans.append((begin, cut))
            room = max(width - hang, 1)
            begin = cut
            size = cell_len(plain[begin:finish])
        start, end, used, open_line = begin, finish, size, True
    if open_line:
        spans.append((start, end))
    if not spans:
        return [Text(" " * indent)]
    # one division of the text for all its lines (slicing a Text once per line costs more)
    offsets = [offset for span in spans for offset in span]
    pieces = text.divide(offsets)
    lines = []
    for number in range(len(spans)):
        line = Text(" " * (indent if number == 0 else hang))
        line.append_text(pieces[2 * number + 1])
        lines.append(line)
    return lines
