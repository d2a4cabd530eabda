"""Input field types shared by every API serializer and web form, so bad input is refused where it comes in
— with a message on its field — and never reaches a service or the database (where it would be a 500).

What every app refuses alike:

- **whole numbers and ids**: anything but the ASCII digits 0–9 (Unicode digits such as "²" or "٣" too,
  which Python's ``int()`` would half accept), and values outside the column they are stored in; an id
  is 1 … 2^63−1;
- **decimals**: NaN, ±Infinity, non-ASCII digits, and more digits or decimal places than the column has;
- **text**: NUL characters, which PostgreSQL cannot store — in plain text and anywhere inside JSON values;
- **dates and times**: impossible dates, and UTC offsets of 16 hours or more (PostgreSQL's limit);
- **JSON**: nesting deeper than ``JSON_MAX_DEPTH`` (and, where a field says so, values of the wrong shape).

The plain functions (``whole_number``, ``id_number``, ``decimal_number``, ``utc_offset_problem``,
``json_problem``, ``json_loads``) are the one definition of each rule; the DRF fields, the Django form
fields and the JSON body parser (``config.parsers.JSONParser``) wrap them, and a service or a file reader
that gets raw values (CSV cells, webhook bodies) may call them directly.
"""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries.serializer_fields import CountryField as CountrySerializerField
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.integrity import account_unique_clashes, unique_violation_errors

SMALLINT_MAX = 2**15 - 1
INTEGER_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1
ID_MAX = BIGINT_MAX
JSON_MAX_DEPTH = 32
UTC_OFFSET_LIMIT = datetime.timedelta(hours=16)

# ASCII only: ``\d`` (and str.isdigit) would let in every script's digits, and "²" then breaks int().
_WHOLE = re.compile(r"[+-]?[0-9]+(?:\.0*)?\Z")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?\Z")
_LONGEST_NUMBER_TEXT = 100


def _invalid_whole() -> ValidationError:
    return ValidationError(_("Enter a whole number (digits 0–9)."), code="invalid")


def whole_number(value, *, min_value: int | None = None, max_value: int | None = None) -> int:
    """``value`` (an int, an integral float, or text of ASCII digits with an optional sign) as an int.

    Raises ValidationError (code ``invalid``, ``min_value`` or ``max_value``) for anything else.
    """
    if isinstance(value, bool):
        raise _invalid_whole()
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():  # also NaN and ±inf
            raise _invalid_whole()
        number = int(value)
    elif isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            raise _invalid_whole()
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > _LONGEST_NUMBER_TEXT or not _WHOLE.match(text):
            raise _invalid_whole()
        number = int(text.split(".")[0])
    else:
        raise _invalid_whole()
    _range_check(number, min_value, max_value)
    return number


def id_number(value) -> int:
    """``value`` as a row id (1 … 2^63−1); ValidationError (code ``invalid_id``) for anything else."""
    try:
        return whole_number(value, min_value=1, max_value=ID_MAX)
    except ValidationError:
        raise ValidationError(_("Not a valid id (a whole number from 1)."), code="invalid_id") from None


def decimal_number(
    value,
    *,
    max_digits: int | None = None,
    decimal_places: int | None = None,
    min_value=None,
    max_value=None,
    decimal_comma: bool = False,
) -> Decimal:
    """``value`` (an int, a finite float or Decimal, or text of ASCII digits) as a finite Decimal that fits
    ``max_digits`` / ``decimal_places`` (a NUMERIC(max_digits, decimal_places) column).

    ``decimal_comma`` also takes "12,50". Raises ValidationError for NaN, ±Infinity, other text and
    numbers that do not fit.
    """
    invalid = ValidationError(_("Enter a number."), code="invalid")
    if isinstance(value, bool) or value is None:
        raise invalid
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))  # repr: the shortest text that reads back as the same float
    elif isinstance(value, str):
        text = value.strip()
        if decimal_comma:
            text = text.replace(",", ".")
        if len(text) > _LONGEST_NUMBER_TEXT or not _DECIMAL.match(text):
            raise invalid
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise invalid from None
    else:
        raise invalid
    if not number.is_finite():
        raise invalid
    _digits_check(number, max_digits, decimal_places)
    _range_check(number, min_value, max_value)
    return number


def _range_check(number, min_value, max_value) -> None:
    """Django's MinValueValidator / MaxValueValidator messages, shared by whole and decimal numbers."""
    if min_value is not None and number < min_value:
        raise ValidationError(
            _("Ensure this value is greater than or equal to %(limit_value)s."),
            code="min_value",
            params={"limit_value": min_value},
        )
    if max_value is not None and number > max_value:
        raise ValidationError(
            _("Ensure this value is less than or equal to %(limit_value)s."),
            code="max_value",
            params={"limit_value": max_value},
        )


def _digits_check(number: Decimal, max_digits: int | None, decimal_places: int | None) -> None:
    """Django's DecimalValidator rule, shared by forms and API fields."""
    _sign, digit_tuple, exponent = number.as_tuple()
    if exponent >= 0:
        digits = 0 if digit_tuple == (0,) else len(digit_tuple) + exponent
        decimals = 0
    else:
        digits = max(len(digit_tuple), -exponent)
        decimals = -exponent
    whole_digits = digits - decimals
    if max_digits is not None and digits > max_digits:
        raise ValidationError(
            _("Ensure that there are no more than %(max)s digits in total."),
            code="max_digits",
            params={"max": max_digits},
        )
    if decimal_places is not None and decimals > decimal_places:
        raise ValidationError(
            _("Ensure that there are no more than %(max)s decimal places."),
            code="max_decimal_places",
            params={"max": decimal_places},
        )
    if max_digits is not None and decimal_places is not None and whole_digits > max_digits - decimal_places:
        raise ValidationError(
            _("Ensure that there are no more than %(max)s digits before the decimal point."),
            code="max_whole_digits",
            params={"max": max_digits - decimal_places},
        )


def utc_offset_problem(value: datetime.datetime | datetime.time | None) -> str | None:
    """Why PostgreSQL would refuse the UTC offset of ``value`` (16 hours or more), or None."""
    offset = value.utcoffset() if value is not None else None
    if offset is not None and abs(offset) >= UTC_OFFSET_LIMIT:
        return _("The time zone offset must be between −15:59 and +15:59.")
    return None


def integer_column_range(model_field: models.Field) -> tuple[int | None, int | None]:
    """The (min, max) an integer model field's column holds, as the database says."""
    return connection.ops.integer_field_range(model_field.get_internal_type())


# --- JSON --------------------------------------------------------------------------------------------------


def json_problem(value, *, max_depth: int = JSON_MAX_DEPTH) -> str | None:
    """What is wrong with a parsed JSON ``value`` before it may be stored, or None.

    Too deep a nesting, and NUL characters in any string or key (jsonb and text columns refuse them).
    Walks the value without recursion, so a deep value cannot exhaust the stack here.
    """
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > max_depth:
                return _("Nested too deeply (at most %(depth)s levels).") % {"depth": max_depth}
            items = node.items() if isinstance(node, dict) else enumerate(node)
            for key, child in items:
                if isinstance(key, str) and "\x00" in key:
                    return _("Null characters are not allowed.")
                stack.append((child, depth + 1))
        elif isinstance(node, str) and "\x00" in node:
            return _("Null characters are not allowed.")
        elif isinstance(node, float) and (node != node or node in (float("inf"), float("-inf"))):
            return _("NaN and Infinity are not JSON numbers.")
    return None


class JSONBodyError(ValueError):
    """A request body that is not JSON we accept; the message says why."""


def _refuse_constant(name: str):
    raise JSONBodyError(_("%(name)s is not a JSON value.") % {"name": name})


def json_loads(text: str | bytes, *, max_depth: int = JSON_MAX_DEPTH):
    """Parse a JSON document from a request (API body, webhook), refusing NaN/Infinity literals and any
    nesting deeper than ``max_depth``. Raises JSONBodyError (a ValueError) with the reason."""
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise JSONBodyError(
            _("Nested too deeply (at most %(depth)s levels).") % {"depth": max_depth}
        ) from None
    except JSONBodyError:
        raise
    except ValueError as exc:  # JSONDecodeError and bad encodings
        raise JSONBodyError(str(exc)) from None
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > max_depth:
                raise JSONBodyError(_("Nested too deeply (at most %(depth)s levels).") % {"depth": max_depth})
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return value


# --- DRF fields --------------------------------------------------------------------------------------------


def _drf_error(exc: ValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.messages, code=exc.code)


class IntegerField(serializers.IntegerField):
    """A whole number in ASCII digits, by default within a PostgreSQL ``integer`` (give ``min_value`` /
    ``max_value`` for other columns; ModelSerializer passes the column's range itself)."""

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs.setdefault("max_value", INTEGER_MAX)
            kwargs.setdefault("min_value", -INTEGER_MAX - 1)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            return whole_number(data)
        except ValidationError as exc:
            raise _drf_error(exc) from None


class IdField(IntegerField):
    """A row id given as a number (1 … 2^63−1), e.g. in a bulk item."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)


class DecimalField(serializers.DecimalField):
    """A finite decimal in ASCII digits that fits the column (``max_digits``, ``decimal_places``)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and self.localize:
            data = formats.sanitize_separators(data)
        try:
            number = decimal_number(data, max_digits=self.max_digits, decimal_places=self.decimal_places)
        except ValidationError as exc:
            raise _drf_error(exc) from None
        return self.quantize(number)


class DateTimeField(serializers.DateTimeField):
    """An ISO 8601 date and time whose UTC offset PostgreSQL accepts (under 16 hours)."""

    def enforce_timezone(self, value):
        problem = utc_offset_problem(value)
        if problem:
            raise serializers.ValidationError(problem, code="invalid")
        return super().enforce_timezone(value)


class JSONField(serializers.JSONField):
    """Any JSON value that can be stored: no deeper than ``JSON_MAX_DEPTH``, no NUL characters.

    Give it a shape with a more specific field where one is known (e.g. a ListField of CharFields).
    """

    def to_internal_value(self, data):
        problem = json_problem(data)  # first: the parent's json.dumps would recurse into a deep value
        if problem:
            raise serializers.ValidationError(problem, code="invalid")
        return super().to_internal_value(data)


class CountryField(CountrySerializerField):
    """A country as its ISO 3166 code (or name); text that is not plain ASCII is refused before the lookup,
    which would read "²" as a numeric code and fail."""

    def to_internal_value(self, data):
        if isinstance(data, str) and not data.isascii():
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by primary key that refuses anything but an id before asking the database."""

    default_error_messages = {"invalid_id": gettext_lazy("Not a valid id (a whole number from 1).")}

    def to_internal_value(self, data):
        if self.pk_field is None:
            try:
                data = id_number(data)
            except ValidationError:
                self.fail("invalid_id")
        return super().to_internal_value(data)


_INTEGER_MODEL_FIELDS = (models.IntegerField,)  # BigIntegerField, SmallIntegerField, the auto fields too


# The project's ModelSerializer: model fields become the field types above (integers with their column's
# range, finite decimals, storable JSON, offsets PostgreSQL accepts, ids by primary key), and a value the
# model keeps unique within an account (a name) that another row of the request's account already has is
# a 400 on its field — found while validating, or caught from the database in a race. (Comments, not a
# docstring: the schema would show a base class's docstring as every serializer's description.)
class ModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        **{
            model_field: IntegerField
            for model_field in serializers.ModelSerializer.serializer_field_mapping
            if issubclass(model_field, _INTEGER_MODEL_FIELDS)
        },
        models.DecimalField: DecimalField,
        models.DateTimeField: DateTimeField,
        models.JSONField: JSONField,
    }
    serializer_related_field = IdRelatedField

    def run_validation(self, data=serializers.empty):
        attrs = super().run_validation(data)
        account = self.context.get("account")
        model = self.Meta.model
        if isinstance(attrs, dict) and account is not None and hasattr(model, "account_id"):
            row = self.instance if isinstance(self.instance, model) else model(account=account)
            errors = account_unique_clashes(row, attrs)
            if errors:
                raise serializers.ValidationError(errors)
        return attrs

    def save(self, **kwargs):
        try:
            with transaction.atomic():
                return super().save(**kwargs)
        except IntegrityError as exc:
            errors = unique_violation_errors(exc, self.Meta.model)
            if errors is None:
                raise
            raise serializers.ValidationError(errors) from exc

    def build_standard_field(self, field_name, model_field):
        field_class, field_kwargs = super().build_standard_field(field_name, model_field)
        writable = not field_kwargs.get("read_only") and not model_field.primary_key
        if writable and isinstance(model_field, _INTEGER_MODEL_FIELDS) and field_class is IntegerField:
            low, high = integer_column_range(model_field)
            field_kwargs.setdefault("min_value", low)
            field_kwargs.setdefault("max_value", high)
        return field_class, field_kwargs


# The rows of a nested list (a product's texts, stock, prices): the fields named in ``always_required``
# stay required when the parent is PATCHed — DRF would skip them, and the write would then miss the key
# that says which row to set.
class NestedRowSerializer(ModelSerializer):
    always_required: tuple[str, ...] = ()

    def to_internal_value(self, data):
        attrs = super().to_internal_value(data)
        missing = {
            name: [self.fields[name].error_messages["required"]]
            for name in self.always_required
            if self.fields[name].source not in attrs
        }
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


# --- Django form fields ------------------------------------------------------------------------------------


class FormIntegerField(forms.IntegerField):
    """A whole number in ASCII digits, by default within a PostgreSQL ``integer``."""

    def __init__(self, *, max_value=INTEGER_MAX, min_value=-INTEGER_MAX - 1, **kwargs):
        super().__init__(max_value=max_value, min_value=min_value, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if self.localize and isinstance(value, str):
            value = formats.sanitize_separators(value)
        try:
            return whole_number(value)
        except ValidationError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class FormIdField(FormIntegerField):
    """A row id posted by a form (a line, a component to remove)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)


def typed_decimal_comma(text: str) -> str:
    """A number typed with a decimal comma (``1,99``, as Polish and German write it) with a point; other
    text as it is. Where a comma groups thousands (English), one comma before exactly three digits
    (``1,000``) is left alone — refused as a number rather than misread as one."""
    stripped = text.strip()
    if stripped.count(",") != 1 or "." in stripped:
        return text
    whole, fraction = stripped.split(",")
    if len(fraction) == 3 and (translation.get_language() or "en").startswith("en"):
        return text
    return f"{whole}.{fraction}"


class FormDecimalField(forms.DecimalField):
    """A finite decimal in ASCII digits that fits ``max_digits`` / ``decimal_places``; a decimal comma
    is taken as people type it (``1,99``)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if self.localize and isinstance(value, str):
            value = formats.sanitize_separators(value)
        elif isinstance(value, str):
            value = typed_decimal_comma(value)
        try:
            return decimal_number(value, max_digits=self.max_digits, decimal_places=self.decimal_places)
        except ValidationError as exc:
            if exc.code == "invalid":
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
            raise


class FormDateTimeField(forms.DateTimeField):
    """A date and time whose UTC offset PostgreSQL accepts (under 16 hours)."""

    def to_python(self, value):
        result = super().to_python(value)
        problem = utc_offset_problem(result)
        if problem:
            raise ValidationError(problem, code="invalid")
        return result


class FormEmailField(forms.EmailField):
    """An e-mail address (Django's validator: one ``@``, a domain with a dot — ``bad@@`` is refused)."""

    def __init__(self, *, max_length=150, **kwargs):
        super().__init__(max_length=max_length, **kwargs)


class FormCountryField(forms.TypedChoiceField):
    """A country as its two-letter ISO 3166 code, picked from the list of countries (names in the user's
    language); a code that is not a country (``PO``) is refused. ``first`` puts a country on top (the
    account's own)."""

    def __init__(self, *, first: str = "", required=False, **kwargs):
        kwargs.setdefault("empty_value", "")
        super().__init__(choices=self._choices_with(first), required=required, **kwargs)
        self.widget.attrs.setdefault("autocomplete", "country")

    @staticmethod
    def _choices_with(first: str):
        from django_countries import countries

        def choices():
            ordered = list(countries)
            top = [(code, name) for code, name in ordered if code == first]
            return [("", "—"), *top, *[(code, name) for code, name in ordered if code != first]]

        return choices

    def to_python(self, value):
        value = super().to_python(value)
        return value.strip().upper() if isinstance(value, str) else value

    def set_first(self, first: str) -> None:
        self.choices = self._choices_with(first)


class FormModelChoiceField(forms.ModelChoiceField):
    """A choice of one row by id: anything but an id is "not one of the choices" before any query."""

    def to_python(self, value):
        if value in self.empty_values or isinstance(value, models.Model) or self.to_field_name:
            return super().to_python(value)
        try:
            id_number(value)
        except ValidationError:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None
        return super().to_python(value)


class FormModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several rows by id; anything but ids is refused before any query."""

    def _check_values(self, value):
        if not self.to_field_name:
            for pk in value:
                if isinstance(pk, models.Model):
                    continue
                try:
                    id_number(pk)
                except ValidationError:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    ) from None
        return super()._check_values(value)


def form_field_for(model_field: models.Field, **kwargs) -> forms.Field | None:
    """``formfield_callback`` for ModelForms (``Meta.formfield_callback = form_field_for``): the form
    field types above, integers bounded by their column."""
    if isinstance(model_field, models.ManyToManyField):
        kwargs.setdefault("form_class", FormModelMultipleChoiceField)
    elif isinstance(model_field, models.ForeignKey):
        kwargs.setdefault("form_class", FormModelChoiceField)
    elif isinstance(model_field, models.DateTimeField):
        kwargs.setdefault("form_class", FormDateTimeField)
    elif isinstance(model_field, models.DecimalField):
        kwargs.setdefault("form_class", FormDecimalField)
    elif isinstance(model_field, _INTEGER_MODEL_FIELDS) and not model_field.choices:
        low, high = integer_column_range(model_field)
        kwargs.setdefault("form_class", FormIntegerField)
        kwargs.setdefault("min_value", low)
        kwargs.setdefault("max_value", high)
    return model_field.formfield(**kwargs)


class ModelForm(forms.ModelForm):
    """The project's ModelForm: its model fields become the form field types above (subclasses declare
    ``class Meta(fields.ModelForm.Meta)`` to keep them), and a value the model keeps unique within an
    account (a name) that another row of the instance's account has is an error on its field. The view
    gives a new row its account before validation (``instance=Model(account=...)``)."""

    class Meta:
        formfield_callback = form_field_for

    def _post_clean(self):
        super()._post_clean()
        if getattr(self.instance, "account_id", None) is None:
            return
        for field, messages in account_unique_clashes(self.instance).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, messages)


@extend_schema_field({"type": "string", "format": "uri-reference"})
class UriReferenceField(serializers.URLField):
    """An absolute URL on input; on output also an address on this site (``/demo-images/…``) or an
    empty string, so the schema says ``uri-reference`` (RFC 3986), which covers all three."""
