"""The Ongoing WMS sync: articles, orders, stock and shipments of one connection (see ``runner``)."""

from wmsbridge.sync.runner import connection_client, connection_is_due, connection_sync

__all__ = ["connection_client", "connection_is_due", "connection_sync"]
