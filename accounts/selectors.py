"""Reads of the accounts app that span more than one model: the home page's figures and the member
list with each member's live API tokens."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from accounts.models import Account, Membership


def with_api_token_count(queryset: QuerySet[Membership]) -> QuerySet[Membership]:
    """Each membership's ``api_token_count``: the member's API tokens of that account not revoked."""
    return queryset.annotate(
        api_token_count=Count(
            "user__apitoken",
            filter=Q(user__apitoken__account=F("account"), user__apitoken__revoked_at__isnull=True),
        )
    )


def member_list(*, account: Account) -> QuerySet[Membership]:
    """The account's members with their users and live API token counts, oldest first."""
    return with_api_token_count(Membership.objects.filter(account=account).select_related("user")).order_by(
        "id"
    )


@dataclass(frozen=True)
class HomeFigures:
    member_count: int
    product_count: int  # main products, as the product list counts them
    variant_count: int
    order_count: int
    statuses: list  # the account's order statuses, each with ``order_count``
    recent_orders: list


def home_figures(*, account: Account) -> HomeFigures:
    """What the home page counts: members, products, orders per status, the five latest orders."""
    # The home page is the one read of every area: imported here so accounts stays below them.
    from catalog.models import Product
    from orders.models import Order, OrderStatus

    counts = dict(Order.objects.filter(account=account).values_list("status_id").annotate(n=Count("id")))
    statuses = list(OrderStatus.objects.filter(account=account))
    for status in statuses:
        status.order_count = counts.get(status.pk, 0)
    return HomeFigures(
        member_count=Membership.objects.filter(account=account).count(),
        product_count=Product.objects.filter(account=account, parent__isnull=True).count(),
        variant_count=Product.objects.filter(account=account, parent__isnull=False).count(),
        order_count=sum(counts.values()),
        statuses=statuses,
        recent_orders=list(Order.objects.filter(account=account).select_related("status")[:5]),
    )
