"""Reads of the orders app."""

from __future__ import annotations

from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from orders.models import Order, OrderLine, OrderStatus


def status_of_kind(*, account, kind: str) -> OrderStatus | None:
    return OrderStatus.objects.filter(account=account, kind=kind).order_by("position", "id").first()


def status_sent(*, account) -> OrderStatus | None:
    """The account's "sent" status (where orders go when their package leaves)."""
    return status_of_kind(account=account, kind=OrderStatus.Kind.SENT)


def status_cancelled(*, account) -> OrderStatus | None:
    return status_of_kind(account=account, kind=OrderStatus.Kind.CANCELLED)


def orders_with_total(queryset: QuerySet[Order]) -> QuerySet[Order]:
    """Annotate ``total``: lines (gross × quantity) plus delivery."""
    lines = (
        OrderLine.objects.filter(order_id=OuterRef("pk"))
        .values("order_id")
        .annotate(s=Sum(F("price_brutto") * F("quantity"), output_field=DecimalField()))
        .values("s")
    )
    return queryset.annotate(
        total=Coalesce(Subquery(lines, output_field=DecimalField()), Value(0), output_field=DecimalField())
        + F("delivery_price")
    )


def orders_paid(queryset: QuerySet[Order], paid: bool) -> QuerySet[Order]:
    queryset = orders_with_total(queryset)
    condition = Q(payment_done__gte=F("total"), total__gt=0)
    return queryset.filter(condition) if paid else queryset.exclude(condition)


def orders_search(queryset: QuerySet[Order], text: str) -> QuerySet[Order]:
    """Order id (with or without #), e-mail, buyer name (delivery or invoice), phone or tracking number."""
    text = text.strip()
    if not text:
        return queryset
    query = (
        Q(email__icontains=text)
        | Q(delivery_fullname__icontains=text)
        | Q(invoice_fullname__icontains=text)
        | Q(user_login__icontains=text)
        | Q(phone__icontains=text)
        | Q(delivery_package_nr__iexact=text)
        | Q(external_order_id=text)
    )
    number = text.lstrip("#")
    if number.isdigit() and len(number) < 19:
        query |= Q(pk=int(number))
    try:
        from shipments.models import Package

        query |= Q(pk__in=Package.objects.filter(courier_package_nr__iexact=text).values("order_id"))
    except ImportError:  # pragma: no cover - shipments is always installed
        pass
    return queryset.filter(query)
