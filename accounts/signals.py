"""Signals other apps listen to."""

from django.dispatch import Signal

# Sent inside the transaction that creates an account (kwargs: account). Apps create the account's
# defaults here (the default catalog, warehouse and price group; the default order statuses...).
account_created = Signal()
