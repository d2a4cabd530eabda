"""The body fields of a write that name other rows, read from the route's serializer or form.

REST routes: the request serializer drf-spectacular resolves for the route and method (the one the
OpenAPI schema documents, ``@extend_schema(request=...)`` included); every writable
``PrimaryKeyRelatedField`` (the project's ``AccountScopedRelatedField`` is one), ``ManyRelatedField``
and ``SlugRelatedField``, also inside nested serializers and lists of them (order lines, stock rows).

Web pages: the forms the page renders for account B (taken from the response's template context); every
``ModelChoiceField`` and ``ModelMultipleChoiceField``, with its form prefix.

A body names account A's row for each field (``value_of_a``) or an id that does not exist
(``value_missing``): the two answers must be the same, field by field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.forms import BaseForm, BaseFormSet, ModelChoiceField, ModelMultipleChoiceField
from django.template import Context
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from tests.isolation.ownership import row_of
from tests.isolation.routes import Route

MISSING_ID = 2_000_000_000  # fits a PostgreSQL integer; no test makes that many rows


@dataclass(frozen=True)
class Ref:
    path: tuple[str | int, ...]  # where in the body: ("lines", 0, "product"), or ("line-warehouse",)
    model: type[Model]
    many: bool = False
    to_field: str | None = None  # None: the primary key

    @property
    def name(self) -> str:
        return ".".join(str(part) for part in self.path)


# -- REST --------------------------------------------------------------------------------------------


def serializer_refs(serializer: serializers.BaseSerializer, prefix: tuple = ()) -> list[Ref]:
    if isinstance(serializer, serializers.ListSerializer):
        return serializer_refs(serializer.child, (*prefix, 0))
    found: list[Ref] = []
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        path = (*prefix, name)
        if isinstance(field, serializers.ManyRelatedField):
            relation = field.child_relation
            found.append(Ref(path, relation.queryset.model, True, getattr(relation, "slug_field", None)))
        elif isinstance(field, serializers.RelatedField) and field.queryset is not None:
            found.append(Ref(path, field.queryset.model, False, getattr(field, "slug_field", None)))
        elif isinstance(field, serializers.BaseSerializer):
            found += serializer_refs(field, path)
    return found


def api_refs(route: Route, method: str, instance_pk: Any = None) -> list[Ref]:
    """The reference fields of the route's request body for ``method`` (none if it takes no serializer).

    With ``instance_pk`` (PUT or PATCH of an existing row), the view's serializer is built for that
    row, as the view builds it: fields that are read-only once a row exists drop out.
    """
    if method not in ("POST", "PUT", "PATCH"):
        return []
    generator = SchemaGenerator()
    view = generator.create_view(route.callback, method)
    view.schema.method, view.schema.path, view.schema.path_regex = method, route.pattern, route.pattern
    if instance_pk is not None and method in ("PUT", "PATCH"):
        serializer_class = view.get_serializer_class()
        instance = serializer_class.Meta.model._default_manager.get(pk=instance_pk)
        return serializer_refs(serializer_class(instance=instance))
    # drf-spectacular reports a view it cannot read as an error and goes on: here that must not pass
    # for "this write names nothing".
    before = dict(GENERATOR_STATS._error_cache)
    with GENERATOR_STATS.silence():
        serializer = view.schema.get_request_serializer()
    new = [message for message in GENERATOR_STATS._error_cache if message not in before]
    assert not new, f"{route.id} {method}: the request serializer cannot be read: {new}"
    if isinstance(serializer, type) and issubclass(serializer, serializers.BaseSerializer):
        serializer = serializer()
    if not isinstance(serializer, serializers.BaseSerializer):
        return []
    return serializer_refs(serializer)


def api_errors(response) -> Any:
    body = response.json()
    return body.get("errors", body) if isinstance(body, dict) else body


# -- web forms ---------------------------------------------------------------------------------------


def forms_in(response) -> list[BaseForm]:
    """The forms a rendered page's templates received (formsets give their forms and management form)."""
    contexts = response.context
    if contexts is None:
        return []
    if isinstance(contexts, Context):
        contexts = [contexts]
    found: dict[int, BaseForm] = {}
    for context in contexts:
        for value in context.flatten().values():
            if isinstance(value, BaseForm):
                found.setdefault(id(value), value)
            elif isinstance(value, BaseFormSet):
                for form in [value.management_form, *value.forms]:
                    found.setdefault(id(form), form)
    return list(found.values())


def form_refs(forms: list[BaseForm]) -> list[Ref]:
    found = []
    for form in forms:
        for name, field in form.fields.items():
            if isinstance(field, ModelChoiceField) and not field.disabled:
                found.append(
                    Ref(
                        (form.add_prefix(name),),
                        field.queryset.model,
                        isinstance(field, ModelMultipleChoiceField),
                        field.to_field_name,
                    )
                )
    return found


def form_base_data(forms: list[BaseForm]) -> dict[str, Any]:
    """What a browser sends besides the references: formsets' management forms."""
    data = {}
    for form in forms:
        if type(form).__name__ == "ManagementForm":
            data.update({form.add_prefix(name): form[name].value() for name in form.fields})
    return data


def form_errors(response) -> dict[str, list[str]]:
    """Field errors of the bound forms a re-rendered page shows, by prefixed field name."""
    errors = {}
    for form in forms_in(response):
        if form.is_bound:
            for name, messages in form.errors.items():
                errors[form.add_prefix(name)] = list(messages)
    return errors


# -- bodies ------------------------------------------------------------------------------------------


def value_of_a(account_a) -> Callable[[Ref], Any]:
    def value(ref: Ref) -> Any:
        row = row_of(ref.model, account_a)
        one = getattr(row, ref.to_field) if ref.to_field else row.pk
        return [one] if ref.many else one

    return value


def value_missing(ref: Ref) -> Any:
    one = f"missing-{MISSING_ID}" if ref.to_field else MISSING_ID
    return [one] if ref.many else one


def body_of(refs: list[Ref], value: Callable[[Ref], Any], base: dict | None = None) -> dict[str, Any]:
    """A request body holding ``value(ref)`` at each reference's place."""
    data: dict[str, Any] = json.loads(json.dumps(base or {}))
    for ref in refs:
        node: Any = data
        for key, following in zip(ref.path, ref.path[1:], strict=False):
            if isinstance(key, int):
                while len(node) <= key:
                    node.append({})
                node = node[key]
            else:
                node = node.setdefault(key, [] if isinstance(following, int) else {})
        node[ref.path[-1]] = value(ref)
    return data


def error_at(errors: Any, path: tuple[str | int, ...]) -> Any:
    node = errors
    for key in path:
        if isinstance(key, int) and isinstance(node, list):
            if len(node) <= key:
                return None
            node = node[key]
            continue
        key = str(key)  # DRF keys the errors of a list's items by their index as text
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node or None


def same_words(first: Any, second: Any) -> bool:
    """Equal once numbers are set aside (messages may quote the id that was refused)."""

    def words(value: Any) -> str:
        return re.sub(r"\d+", "#", json.dumps(value, sort_keys=True, default=str))

    return words(first) == words(second)


def describe(refs: list[Ref]) -> Iterator[str]:
    for ref in refs:
        yield f"{ref.name} → {ref.model._meta.label}{'[]' if ref.many else ''}"
