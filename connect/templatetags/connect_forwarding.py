"""``{% load connect_forwarding %}``: the Connect state of an order, for the order card."""

from django import template

from connect.selectors import order_forward_buttons, order_forward_state

register = template.Library()


@register.simple_tag
def connect_order_state(order):
    """``{% connect_order_state order as fwd %}`` → see ``connect.selectors.order_forward_state``."""
    return order_forward_state(order=order)


@register.simple_tag
def connect_order_buttons(order, buttons):
    """``{% connect_order_buttons order buttons as rows %}`` → (button, done) pairs: ``done`` tells a
    forwarding button of an order forwarded already (see ``connect.selectors.order_forward_buttons``)."""
    return order_forward_buttons(order=order, buttons=buttons)
