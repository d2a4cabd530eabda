"""The ``ERROR`` answers of the BaseLinker-compatible API (reference §1.5).

BaseLinker publishes no list of error codes. The ones its clients check for are kept exactly
(``ERROR_AUTH_TOKEN``, ``ERROR_BLOCKED_TOKEN``, ``ERROR_UNKNOWN_METHOD``); the others are ours, named in
BaseLinker's style. Every error is answered with HTTP 200 and ``{"status": "ERROR", "error_code",
"error_message"}``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _


class Code:
    AUTH_TOKEN = "ERROR_AUTH_TOKEN"
    BLOCKED_TOKEN = "ERROR_BLOCKED_TOKEN"
    UNKNOWN_METHOD = "ERROR_UNKNOWN_METHOD"
    INVALID_PARAMETERS = "ERROR_INVALID_PARAMETERS"
    PERMISSION_DENIED = "ERROR_PERMISSION_DENIED"
    NOT_ENOUGH_STOCK = "ERROR_NOT_ENOUGH_STOCK"
    INTERNAL = "ERROR_INTERNAL"
    # A Connect supplier's shared catalog (as an inventory or an external storage) cannot be written.
    READ_ONLY = "ERROR_READ_ONLY"
    PRICES_NOT_SHARED = "ERROR_PRICES_NOT_SHARED"
    # "<what> not found": also the answer for another account's ids, so ids cannot be probed.
    ORDER_NOT_FOUND = "ERROR_ORDER_NOT_FOUND"
    ORDER_PRODUCT_NOT_FOUND = "ERROR_ORDER_PRODUCT_NOT_FOUND"
    STATUS_NOT_FOUND = "ERROR_STATUS_NOT_FOUND"
    SOURCE_NOT_FOUND = "ERROR_SOURCE_NOT_FOUND"
    INVENTORY_NOT_FOUND = "ERROR_INVENTORY_NOT_FOUND"
    WAREHOUSE_NOT_FOUND = "ERROR_WAREHOUSE_NOT_FOUND"
    PRICE_GROUP_NOT_FOUND = "ERROR_PRICE_GROUP_NOT_FOUND"
    CATEGORY_NOT_FOUND = "ERROR_CATEGORY_NOT_FOUND"
    MANUFACTURER_NOT_FOUND = "ERROR_MANUFACTURER_NOT_FOUND"
    PRODUCT_NOT_FOUND = "ERROR_PRODUCT_NOT_FOUND"
    PACKAGE_NOT_FOUND = "ERROR_PACKAGE_NOT_FOUND"
    COURIER_NOT_FOUND = "ERROR_COURIER_NOT_FOUND"
    LABEL_NOT_FOUND = "ERROR_LABEL_NOT_FOUND"
    CONNECT_INTEGRATION_NOT_FOUND = "ERROR_CONNECT_INTEGRATION_NOT_FOUND"
    CONNECT_CONTRACTOR_NOT_FOUND = "ERROR_CONNECT_CONTRACTOR_NOT_FOUND"
    STORAGE_NOT_FOUND = "ERROR_STORAGE_NOT_FOUND"


class ApiError(Exception):
    """An API-level failure: answered as BaseLinker answers errors, with nothing written."""

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


def not_found(code: str, what: str, value) -> ApiError:
    return ApiError(code, _("%(what)s %(id)s not found.") % {"what": what, "id": value})


def bad_parameter(name: str, message: str) -> ApiError:
    """A parameter that cannot be used; the message names it."""
    return ApiError(
        Code.INVALID_PARAMETERS, _("Parameter “%(name)s”: %(message)s") % {"name": name, "message": message}
    )
