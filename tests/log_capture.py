"""Log output captured through the bot's real logging set-up, for tests that read it."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from bot.observability import configure_logging, set_log_context


@contextmanager
def json_logs() -> Iterator[io.StringIO]:
    """The root logger through the real JSON handler, into a buffer, at DEBUG; the logging
    set-up and the context are put back afterwards."""
    root = logging.getLogger()
    level = root.level
    buffer = io.StringIO()
    handler = configure_logging(json=True, level=logging.DEBUG, stream=buffer)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        set_log_context()
