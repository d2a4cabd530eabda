"""Reads of the orders app."""

from __future__ import annotations

import functools

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, DecimalField, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import Account
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


def orders_for_list(*, account, ids: list[int]) -> QuerySet[Order]:
    """The account's orders ``ids`` with what the list shows: status, source, total, number of lines."""
    lines = OrderLine.objects.filter(order_id=OuterRef("pk")).values("order_id").annotate(n=Count("id"))
    return orders_with_total(
        Order.objects.filter(account=account, pk__in=ids).select_related("status", "source")
    ).annotate(line_count=Subquery(lines.values("n"), output_field=IntegerField()))


def order_counts_by_status(*, account, queryset: QuerySet[Order] | None = None) -> dict[int, int]:
    """``{status id: number of the account's orders in it}`` (statuses without orders are absent);
    with ``queryset`` (the account's orders, filtered), of those orders only."""
    orders = Order.objects.filter(account=account) if queryset is None else queryset.filter(account=account)
    return dict(orders.order_by().values_list("status_id").annotate(n=Count("id")))


def orders_paid(queryset: QuerySet[Order], paid: bool) -> QuerySet[Order]:
    queryset = orders_with_total(queryset)
    condition = Q(payment_done__gte=F("total"), total__gt=0)
    return queryset.filter(condition) if paid else queryset.exclude(condition)


def orders_search(queryset: QuerySet[Order], text: str, *, account: Account) -> QuerySet[Order]:
    """Order id (with or without #), e-mail, buyer name (delivery or invoice), phone or tracking number.

    ``queryset`` holds ``account``'s orders; the tracking numbers looked up are its packages' only.
    """
    from shipments.models import Package

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
    if number.isascii() and number.isdigit() and len(number) < 19:
        query |= Q(pk=int(number))
    packages = Package.objects.filter(account=account, courier_package_nr__iexact=text)
    return queryset.filter(query | Q(pk__in=packages.values("order_id")))


# -- the order list as JSON built by PostgreSQL --------------------------------------------------------


def _json_column(model, name: str, alias: str) -> str:
    """SQL for one serializer field, rendered as DRF renders it (decimals as strings, UTC times as
    ISO 8601 with "Z" and microseconds only when there are some, related rows as their id)."""
    field = model._meta.get_field(name)
    column = f"{alias}.{connection.ops.quote_name(field.column)}"
    kind = field.get_internal_type()
    if kind == "DecimalField":
        column = f"{column}::text"
    elif kind == "DateTimeField":
        column = (
            f"CASE WHEN {column} IS NULL THEN NULL"
            f" WHEN (date_part('microseconds', {column})::bigint %% 1000000) = 0"
            f""" THEN to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""
            f""" ELSE to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') END"""
        )
    return f"{column} AS {connection.ops.quote_name(name)}"


@functools.cache
def _orders_json_sql(order_fields: tuple[str, ...], line_fields: tuple[str, ...]) -> str:
    order_columns = ", ".join(_json_column(Order, name, "o") for name in order_fields if name != "lines")
    line_columns = ", ".join(_json_column(OrderLine, name, "l") for name in line_fields)
    return f"""
        SELECT coalesce(json_agg(page ORDER BY t.ord), '[]'::json)::text
          FROM unnest(ARRAY({{ids}})) WITH ORDINALITY AS t(id, ord)
         CROSS JOIN LATERAL (
                SELECT {order_columns},
                       (SELECT coalesce(json_agg(line ORDER BY line.id), '[]'::json)
                          FROM (SELECT {line_columns} FROM orders_orderline l WHERE l.order_id = o.id) line
                       ) AS lines
                  FROM orders_order o
                 WHERE o.id = t.id) page
    """  # noqa: S608 - column names come from model fields, values are parameters


def orders_json(ids, *, order_fields: list[str], line_fields: list[str]) -> str:
    """The JSON array of the orders whose ids ``ids`` (a values_list("id") queryset, e.g. one page of
    a filtered list) yields, in its order, each with its ``lines`` — one query in all.

    The field lists are the serializers', so the array reads exactly as the serializers render it
    (the order list's test compares the two). Times come out in UTC; callers use this only when UTC
    is the current time zone.
    """
    try:
        ids_sql, params = ids.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (e.g. an empty id list)
        return "[]"
    sql = _orders_json_sql(tuple(order_fields), tuple(line_fields)).replace("{ids}", ids_sql)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]
