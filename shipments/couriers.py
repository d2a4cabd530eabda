"""The couriers a package can be sent with (BaseLinker's getCouriersList, reference §6.1).

``manual``: a shipment made elsewhere; the user types the tracking number (and optionally its URL).
``hurtlink``: the built-in label courier; it numbers the package itself (``HL`` + 11 digits of the
package id + a Luhn check digit), links to the public tracking page and renders an A6 label PDF.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

HURTLINK_PREFIX = "HL"
_TRACKING_KEY_SALT = "shipments.tracking-page"


@dataclass(frozen=True)
class Courier:
    code: str
    name: str
    makes_labels: bool
    # Placeholders: {number} (tracking number), {site} (settings.SITE_URL), {key} (tracking_key()).
    tracking_url_template: str = ""

    def tracking_url(self, number: str) -> str:
        """The tracking link of ``number``, or "" when this courier has no template."""
        if not self.tracking_url_template or not number:
            return ""
        return self.tracking_url_template.format(
            number=number, site=settings.SITE_URL.rstrip("/"), key=tracking_key(number)
        )


COURIERS: dict[str, Courier] = {
    "manual": Courier(code="manual", name=gettext_lazy("Manual (shipped elsewhere)"), makes_labels=False),
    "hurtlink": Courier(
        code="hurtlink",
        name=gettext_lazy("Hurtlink label"),
        makes_labels=True,
        tracking_url_template="{site}/shipments/track/{number}/{key}/",
    ),
}

COURIER_CHOICES = [(courier.code, courier.name) for courier in COURIERS.values()]


def courier_get(code: str) -> Courier:
    """The registered courier ``code``; ValidationError (on ``courier_code``) for any other code."""
    try:
        return COURIERS[code]
    except (KeyError, TypeError):
        message = _("Unknown courier “%(code)s”. Choose one of: %(codes)s.") % {
            "code": code,
            "codes": ", ".join(COURIERS),
        }
        raise ValidationError({"courier_code": message})


def courier_custom(code: str) -> Courier:
    """A carrier that is not registered here, named by the user: packages with it are manual ones."""
    return Courier(code=code, name=code, makes_labels=False)


def _luhn_check_digit(digits: str) -> str:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:  # doubled: the rightmost payload digit sits next to the check digit
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def hurtlink_number(package_id: int) -> str:
    """``HL`` + the package id in 11 digits + a Luhn check digit: unique because the id is."""
    if not 0 < package_id < 10**11:
        raise ValueError(f"package id {package_id} does not fit a Hurtlink tracking number")
    digits = f"{package_id:011d}"
    return f"{HURTLINK_PREFIX}{digits}{_luhn_check_digit(digits)}"


def hurtlink_number_is_valid(number: str) -> bool:
    digits = number[len(HURTLINK_PREFIX) :]
    return (
        number.startswith(HURTLINK_PREFIX)
        and len(digits) == 12
        and digits.isdigit()
        and _luhn_check_digit(digits[:-1]) == digits[-1]
    )


def tracking_key(number: str) -> str:
    """The secret part of a public tracking link; without it the tracking page is a 404."""
    return salted_hmac(_TRACKING_KEY_SALT, number).hexdigest()[:20]


def tracking_key_is_valid(number: str, key: str) -> bool:
    return constant_time_compare(tracking_key(number), key)
