"""Filter types shared by the apps' FilterSets (the FilterSets themselves live in each app's
``filters.py``, one per list, used by its REST API and its page alike)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField


class DayOrMomentField(IsoDateTimeField):
    """An ISO 8601 date-time, or a date alone (``2026-01-31``, what a page's date input sends)."""

    def to_python(self, value):
        if isinstance(value, str) and len(value.strip()) == 10:
            try:
                day = parse_date(value.strip())
            except ValueError:  # the shape of a date, but no such day (2026-13-45)
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
            if day is not None:
                return day
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            # In UTC: PostgreSQL refuses offsets beyond ±15:59, which ISO 8601 allows.
            return moment.astimezone(datetime.UTC)
        except OverflowError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class DayOrMomentFilter(filters.IsoDateTimeFilter):
    """From / to a moment, or from the start / to the end of a day in the current time zone."""

    field_class = DayOrMomentField

    def filter(self, qs, value):
        if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
            return super().filter(qs, value)
        if self.lookup_expr == "gte":
            return qs.filter(**{f"{self.field_name}__gte": _day_start(value)})
        try:
            return qs.filter(**{f"{self.field_name}__lt": _day_start(value + datetime.timedelta(days=1))})
        except OverflowError:  # to the last day there is: no end
            return qs


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
