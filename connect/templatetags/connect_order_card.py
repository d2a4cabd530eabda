"""``{% load connect_order_card %}``: the Connect part of the order card (forwarded to / received from)."""

from django import template

from connect.selectors import order_forwards_for_card

register = template.Library()


@register.simple_tag
def order_forwards(order):
    """``{% order_forwards order as forwards %}`` → see ``connect.selectors.order_forwards_for_card``; the
    order card is already scoped to its account, so the order's own account is the reader."""
    return order_forwards_for_card(account=order.account, order_id=order.pk)
