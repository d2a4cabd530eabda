"""The names of change events. A consumer registers for some of them (``changes.registry``)."""

# catalog (set-based paths record one event per statement, with the ids in the payload)
PRODUCT_CREATED = "catalog.product_created"
PRODUCT_CHANGED = "catalog.product_changed"
PRODUCT_DELETED = "catalog.product_deleted"
STOCK_CHANGED = "catalog.stock_changed"
PRICE_CHANGED = "catalog.price_changed"

# orders (the journal keeps the order's own history; these carry the same changes to consumers)
ORDER_CREATED = "orders.created"
ORDER_STATUS_CHANGED = "orders.status_changed"
ORDER_PAYMENT_CHANGED = "orders.payment_changed"
ORDER_LINES_CHANGED = "orders.lines_changed"
ORDER_FIELDS_CHANGED = "orders.fields_changed"
ORDER_BUTTON_PRESSED = "orders.button_pressed"

# shipments
PACKAGE_CREATED = "shipments.package_created"
PACKAGE_DELETED = "shipments.package_deleted"
TRACKING_NUMBER_CHANGED = "shipments.tracking_number_changed"
TRACKING_EVENT_ADDED = "shipments.tracking_event_added"

ALL = frozenset(value for name, value in dict(globals()).items() if name.isupper() and isinstance(value, str))
