"""``{% load wmsbridge %}``: the WMS state of an order or a product, for the order card and product page."""

from django import template

from wmsbridge.selectors import wms_article_state as _article_state
from wmsbridge.selectors import wms_order_state as _order_state

register = template.Library()


@register.simple_tag
def wms_order_state(order):
    """``{% wms_order_state order as wms %}`` → see ``wmsbridge.selectors.wms_order_state``."""
    return _order_state(order)


@register.simple_tag
def wms_article_state(product):
    """``{% wms_article_state product as wms %}`` → see ``wmsbridge.selectors.wms_article_state``."""
    return _article_state(product)
