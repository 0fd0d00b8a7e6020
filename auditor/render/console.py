"""The one way text summaries are written: a rich Console into a string buffer."""

from __future__ import annotations

import io
from typing import Any

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
