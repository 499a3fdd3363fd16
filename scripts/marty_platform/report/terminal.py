"""Whether output goes to a person at a terminal, and whether to colour it (NO_COLOR honoured:
https://no-color.org, any non-empty value turns colour off)."""
from __future__ import annotations

import os
from typing import TextIO


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):  # a closed or stand-in stream
        return False


def use_colour(stream: TextIO) -> bool:
    return is_terminal(stream) and not os.environ.get("NO_COLOR")
