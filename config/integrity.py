"""The database's integrity rules as messages a user can act on, never an IntegrityError or a
ProtectedError (a 500):

- values unique within an account (the name of a warehouse, a price group, an order status...): a clash
  is a message on the field, whether it is found before saving or only by the database's unique
  constraint when two requests race. The rules come from the models' own ``UniqueConstraint``s that
  include ``account`` (and no condition), so a new constraint is checked everywhere by itself;
- rows that others still point at (``on_delete=PROTECT``): deleting one is a ValidationError naming
  what uses it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _


def _account_constraints(model: type[models.Model]) -> list[models.UniqueConstraint]:
    return [
        constraint
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint)
        and constraint.condition is None
        and "account" in constraint.fields
        and len(constraint.fields) > 1
    ]


def _message(model: type[models.Model], field: str) -> str:
    if field == "name":
        return _("This name is already used.")
    return _("This %(field)s is already used.") % {"field": model._meta.get_field(field).verbose_name}


def _field_of(constraint: models.UniqueConstraint) -> str:
    """The field a clash is reported on: the constraint's last field besides the account."""
    return [name for name in constraint.fields if name != "account"][-1]


def account_unique_clashes(row: models.Model, values: dict | None = None) -> dict[str, list[str]]:
    """Field → message for each of the row's account-wide unique values another row of its account has.

    ``values`` overrides the row's attributes (a serializer's validated data before it is applied).
    """
    model = type(row)
    values = values or {}
    account_id = values["account"].pk if values.get("account") is not None else row.account_id
    if account_id is None:
        return {}
    errors: dict[str, list[str]] = {}
    for constraint in _account_constraints(model):
        lookup = {}
        for name in constraint.fields:
            if name == "account":
                continue
            value = values[name] if name in values else getattr(row, name)
            if value in (None, ""):
                break
            lookup[name] = value
        else:
            clash = model._default_manager.filter(account_id=account_id, **lookup)
            if row.pk is not None:
                clash = clash.exclude(pk=row.pk)
            if clash.exists():
                errors.setdefault(_field_of(constraint), []).append(_message(model, _field_of(constraint)))
    return errors


def unique_violation_errors(exc: IntegrityError, model: type[models.Model]) -> dict[str, list[str]] | None:
    """The field message for an IntegrityError raised by one of ``model``'s account-wide unique
    constraints (a race lost to another request), or None for any other integrity error."""
    name = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
    for constraint in _account_constraints(model):
        if constraint.name == name:
            field = _field_of(constraint)
            return {field: [_message(model, field)]}
    return None


def account_row_save(row: models.Model, **save_kwargs) -> models.Model:
    """Save a row of an account, raising ValidationError (field → message) instead of breaking one of the
    model's account-wide unique constraints — checked first, and caught from the database in a race."""
    errors = account_unique_clashes(row)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            row.save(**save_kwargs)
    except IntegrityError as exc:
        errors = unique_violation_errors(exc, type(row))
        if errors is None:
            raise
        raise ValidationError(errors) from exc
    return row


def in_use_names(exc: ProtectedError | RestrictedError) -> str:
    """ "orders, WMS connections": what still points at the rows a delete was refused for."""
    users = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
    return ", ".join(sorted({str(row._meta.verbose_name_plural) for row in users}))


def delete_unless_in_use(row: models.Model | models.QuerySet, *, message: str | None = None) -> None:
    """Delete ``row`` (or a queryset's rows, all or none), or raise ValidationError (``message``, or one
    naming what uses it) when rows that must not lose it still point at it."""
    try:
        with transaction.atomic():
            row.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise ValidationError(
            message or _("It is still used by %(users)s; change them first.") % {"users": in_use_names(exc)}
        ) from exc
