"""The one way text summaries are written: a rich Console into a string buffer."""

from __future__ import annotations

import io

from rich.console import Console


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
