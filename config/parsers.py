"""Request body parsers of the REST API.

A module of its own, importing no DRF view: DRF loads ``DEFAULT_PARSER_CLASSES`` while it defines its
views, so the parser's module must not need them.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from config.fields import json_loads


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the project's limits: nesting deeper than ``fields.JSON_MAX_DEPTH`` or
    NaN/Infinity literals are a 400 parse error (the standard parser would hit a RecursionError: a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json_loads(stream.read().decode(encoding))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(_("JSON parse error - %(reason)s") % {"reason": exc}) from None
