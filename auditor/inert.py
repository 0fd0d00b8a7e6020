"""Text from Azure made inert: control characters, line separators and bidirectional controls
written as escapes, so a name or a message cannot drive a terminal (an escape sequence), fake a
line (a newline, U+2028), break out of a YAML comment, or reorder what a reader sees (U+202E)."""

from __future__ import annotations

# C0 and C1 controls (newline, tab, ESC, BEL, NUL, NEL included) and DEL; Unicode's line and
# paragraph separators; the bidirectional marks, embeddings, overrides and isolates.
_CONTROLS = (*range(0x20), 0x7F, *range(0x80, 0xA0))
_UNICODE = (0x061C, 0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_ESCAPES = {
    **{c: f"\\x{c:02x}" for c in _CONTROLS},
    **{c: f"\\u{c:04x}" for c in _UNICODE},
}


def inert(text: str) -> str:
    """The text with every control, separator and bidirectional character as its escape."""
    return text.translate(_ESCAPES)


def is_inert(text: str) -> bool:
    return inert(text) == text
