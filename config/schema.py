"""The OpenAPI schema's conventions, once for every operation (``DEFAULT_SCHEMA_CLASS``).

drf-spectacular describes what a view returns when all goes well. :class:`AutoSchema` adds what the API
really answers when it does not, from what the view is made of rather than view by view:

- ``400`` with the error body of ``config.api.exception_handler`` (``detail``, and ``errors`` keyed by
  field) on every write and on every read that takes filters or a page size — on a delete, also the
  answer when other rows still use the row (the message says which);
- ``401`` wherever a token or a session is read (a wrong or revoked token is refused even on public
  routes), ``403`` wherever a role is needed, ``404`` wherever a path names a row or a list is paged,
  ``415`` wherever a body is read, ``429`` (with ``Retry-After``) wherever a throttle applies;

a view that answers another of these statuses itself (e.g. ``429`` from ``Throttled``) lists the code in
``@extend_schema(responses=...)`` and gets the same body here;

and writes into the schema the rules every serializer field obeys but drf-spectacular leaves out: text
is never blank after trimming and has no NUL character, ids start at 1, decimals are plain numbers
with at most their digits (and no sign when they cannot be negative), lists that may not be empty have
an item, JSON that may not be null is not, pages start at 1 and hold at most ``max_page_size`` rows, and
``ordering`` names one of the fields the view sorts by. Request bodies are documented as JSON (or
multipart where a file is uploaded), the encodings clients use.
"""

from __future__ import annotations

import re

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from django_filters import filters as django_filters
from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent, get_manager
from rest_framework import permissions, serializers
from rest_framework.authentication import SessionAuthentication

ERROR_DETAIL = "ErrorDetail"
VALIDATION_ERROR = "ValidationError"

NO_NUL = "[^\\u0000]"
# Django and DRF refuse NUL characters in text (``ProhibitNullCharactersValidator``) and DRF trims it, so
# a field that may not be blank needs a character that is not white space. A field that may be blank
# gets the pattern of a non-empty text: drf-spectacular adds the empty alternative itself.
TEXT_PATTERN = f"^{NO_NUL}*$"
NON_EMPTY_TEXT_PATTERN = f"^{NO_NUL}+$"
NON_BLANK_TEXT_PATTERN = f"^{NO_NUL}*[^\\s\\u0000]{NO_NUL}*$"

COMPONENTS = {
    ERROR_DETAIL: {
        "type": "object",
        "description": _("An error that concerns the whole request."),
        "properties": {"detail": {"type": "string", "description": _("What went wrong.")}},
        "required": ["detail"],
    },
    VALIDATION_ERROR: {
        "type": "object",
        "description": _(
            "The request was refused; nothing was written. `errors` maps each field (or "
            "`non_field_errors`) to its messages; a nested field maps to an object keyed by the "
            "nested field or the item's index. Some operations add details beside them."
        ),
        "properties": {
            "detail": {"type": "string", "description": _("A summary, e.g. “Invalid input.”")},
            "errors": {
                "type": "object",
                "additionalProperties": {
                    "anyOf": [
                        {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}},
                        {"type": "object"},
                        {"type": "string"},
                    ]
                },
            },
        },
        "required": ["detail"],
    },
}

ERRORS = {
    "400": (VALIDATION_ERROR, _("Invalid input: the field messages say what to change.")),
    "401": (ERROR_DETAIL, _("No credentials, or a token that is wrong or revoked.")),
    "403": (ERROR_DETAIL, _("The token's or member's role does not allow this.")),
    "404": (ERROR_DETAIL, _("No such row in this account (another account's rows are not found either).")),
    "415": (ERROR_DETAIL, _("The body's content type is not one this operation reads.")),
    "429": (ERROR_DETAIL, _("Too many requests: wait for the seconds given in Retry-After.")),
}
# What a delete's 400 means: the row stays (the REST API's refusals are all 400s, as the README says).
DELETE_REFUSED = _("It cannot be deleted: the message says why (other rows use it, or it is a default).")
PAGING_PARAMETERS = {"page", "page_size"}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class AutoSchema(openapi.AutoSchema):
    # --- error responses ----------------------------------------------------------------------------

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        declared_without_body = {code for code, response in responses.items() if "content" not in response}
        for code in sorted(set(self.error_statuses()) | (declared_without_body & set(ERRORS))):
            component, description = ERRORS[code]
            declared = responses.get(code)
            if declared is not None and "content" in declared:
                continue  # the view documents its own error body
            if code == "400" and self.method == "DELETE":
                description = DELETE_REFUSED
            response = {
                "description": (declared or {}).get("description") or description,
                "content": {
                    media_type: {"schema": self._error_component(component).ref}
                    for media_type in self.map_renderers("media_type")
                },
            }
            if code == "404" and "{" in self.path:
                # An id with a dot or a slash matches no route: Django's own "Not Found" page answers.
                response["content"]["text/html"] = {"schema": {"type": "string"}}
            if code == "429":
                response["headers"] = {
                    "Retry-After": {"schema": {"type": "integer"}, "description": _("Seconds to wait.")}
                }
            responses[code] = response
        return dict(sorted(responses.items()))

    def error_statuses(self) -> list[str]:
        """The error statuses this operation can answer, from how its view is built."""
        view = self.view
        has_body = self._get_request_body() is not None
        path_parameters = "{" in self.path
        query = {p["name"] for p in self._get_filter_parameters()} | self._extra_query_parameters()
        permission_classes = [type(p) for p in view.get_permissions()]
        authenticators = view.get_authenticators()

        paged = self._get_paginator() is not None and self._is_list_view()
        statuses = []
        if self.method in UNSAFE_METHODS or paged or query - {"ordering"}:
            statuses.append("400")
        if authenticators:
            statuses.append("401")
        refuses = any(p is not permissions.AllowAny for p in permission_classes)
        csrf = self.method in UNSAFE_METHODS and any(
            isinstance(a, SessionAuthentication) for a in authenticators
        )
        if refuses or csrf:
            statuses.append("403")
        if path_parameters or paged:
            statuses.append("404")
        if has_body:
            statuses.append("415")
        if view.get_throttles():
            statuses.append("429")
        return statuses

    def _extra_query_parameters(self) -> set[str]:
        return {
            name
            for (name, location), parameter in self._process_override_parameters().items()
            if location == "query" and parameter is not None
        }

    def _error_component(self, name: str) -> ResolvedComponent:
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, object=name, schema=COMPONENTS[name]
        )
        self.registry.register_on_missing(component)
        return component

    # --- request bodies -----------------------------------------------------------------------------

    def map_parsers(self):
        """JSON where the view reads JSON, else multipart (file uploads): the form encodings DRF also
        parses are for the browsable API and cannot carry nested objects, lists or files."""
        media_types = super().map_parsers()
        for preferred in ("application/json", "multipart/form-data"):
            if preferred in media_types:
                return [preferred]
        return media_types

    # --- field rules --------------------------------------------------------------------------------

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "request" and not getattr(field, "read_only", False):
            field_rules(field, schema)
        return schema

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["schema"].get("type") == "integer":
                parameter["schema"].setdefault("minimum", 1)
        return parameters

    def _get_filter_parameters(self):
        parameters = super()._get_filter_parameters()
        filterset_class = self._filterset_class()
        filters = filterset_class.base_filters if filterset_class else {}
        for parameter in parameters:
            query_filter = filters.get(parameter["name"])
            schema = parameter.get("schema", {})
            if isinstance(
                query_filter, django_filters.ModelChoiceFilter | django_filters.ModelMultipleChoiceFilter
            ):
                target = schema.get("items", schema)
                if target.get("type") == "integer":
                    target.setdefault("minimum", 1)
            elif isinstance(query_filter, django_filters.CharFilter) and schema.get("type") == "string":
                schema.setdefault("pattern", TEXT_PATTERN)
            if parameter["name"] == "ordering":
                self._ordering_rule(parameter)
        return parameters

    def _filterset_class(self):
        queryset = getattr(self.view, "queryset", None)
        for backend in self.get_filter_backends():
            if queryset is not None and hasattr(backend, "get_filterset_class"):
                return backend().get_filterset_class(self.view, get_manager(queryset.model).none())
        return None

    def _ordering_rule(self, parameter) -> None:
        fields = getattr(self.view, "ordering_fields", None)
        if not isinstance(fields, list | tuple) or not fields:
            return
        names = "|".join(re.escape(name) for name in fields)
        parameter["schema"]["pattern"] = f"^-?(?:{names})(?:,-?(?:{names}))*$"
        parameter["description"] = str(_("Sort by %(fields)s; a leading “-” sorts descending.")) % {
            "fields": ", ".join(fields)
        }

    def _get_pagination_parameters(self):
        parameters = super()._get_pagination_parameters()
        paginator = self._get_paginator()
        for parameter in parameters:
            if parameter["name"] in PAGING_PARAMETERS and parameter["schema"].get("type") == "integer":
                parameter["schema"]["minimum"] = 1
            if parameter["name"] == "page_size" and getattr(paginator, "max_page_size", None):
                parameter["schema"]["maximum"] = paginator.max_page_size
        return parameters


def field_rules(field, schema: dict) -> None:
    """What DRF checks on a field that the schema can say: trimmed text, ids, plain decimals, lists
    that may not be empty, JSON that may not be null."""
    if isinstance(field, serializers.ManyRelatedField | serializers.ListField | serializers.ListSerializer):
        if schema.get("type") == "array":
            if not getattr(field, "allow_empty", True):
                schema.setdefault("minItems", 1)
            if getattr(field, "min_length", None) is not None:
                schema["minItems"] = max(schema.get("minItems", 0), field.min_length)
            if getattr(field, "max_length", None) is not None:
                schema.setdefault("maxItems", field.max_length)
        if isinstance(field, serializers.ManyRelatedField):
            field_rules(field.child_relation, schema.get("items", {}))
        return
    if isinstance(field, serializers.PrimaryKeyRelatedField) and schema.get("type") == "integer":
        schema.setdefault("minimum", 1)
    elif (
        isinstance(field, serializers.JSONField)
        and not field.allow_null
        and not {"type", "anyOf"} & set(schema)
    ):
        schema["anyOf"] = [{"type": kind} for kind in ("object", "array", "string", "number", "boolean")]
    elif isinstance(field, serializers.DecimalField) and schema.get("type") == "string":
        schema["pattern"] = decimal_pattern(field)
    elif (
        isinstance(field, serializers.CharField)
        and schema.get("type") == "string"
        and not {"pattern", "enum", "format"} & set(schema)
        # A validator's own pattern (a colour, a code) is the better rule; drf-spectacular adds it later.
        and not any(isinstance(v, RegexValidator) for v in field.validators)
    ):
        blank_allowed = field.allow_blank or not field.trim_whitespace
        schema["pattern"] = NON_EMPTY_TEXT_PATTERN if blank_allowed else NON_BLANK_TEXT_PATTERN


def decimal_pattern(field: serializers.DecimalField) -> str:
    """A plain decimal with at most the field's digits; a sign only where negative values pass."""
    sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
    whole = field.max_whole_digits
    digits = "\\d+" if whole is None else f"\\d{{1,{whole}}}" if whole else "0"
    places = field.decimal_places
    if places == 0:
        return f"^{sign}{digits}$"
    if places is None:
        fraction, some_fraction = "\\d*", "\\d+"
    else:
        fraction, some_fraction = f"\\d{{0,{places}}}", f"\\d{{1,{places}}}"
    # "12", "12.", "12.5" or ".5"; not "", "." or "-".
    return f"^{sign}(?:{digits}(?:\\.{fraction})?|\\.{some_fraction})$"
