"""Connect on the dashboard: ``{% load connect_dashboard %}{% connect_dashboard account as connect %}``
(the accounts app knows nothing of Connect)."""

from django import template

from connect import selectors

register = template.Library()


@register.simple_tag
def connect_dashboard(account):
    return selectors.dashboard_summary(account=account)
