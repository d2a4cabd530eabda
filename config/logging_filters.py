"""Logging filters for the console log."""

from __future__ import annotations

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    """A 4xx answer (not found, not allowed) is the client's business: one line, no traceback.

    Django logs a refused request on ``django.request`` with the exception attached; without this filter
    every 403 printed a traceback that looked like a crash."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
