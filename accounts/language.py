"""Which language a request speaks: the signed-in person's saved language, else Django's
``LocaleMiddleware`` choice (the language cookie set by the switcher, then the browser's
``Accept-Language``), and the region whose conventions format dates, numbers and money.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from accounts.models import Membership, Role, User
from config import formats


def browser_first_locale(request) -> tuple[str, str]:
    """The language and region of the browser's most preferred ``Accept-Language`` entry
    ("pl-PL,en;q=0.8" → ("pl", "PL")); empty strings where it names none."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    if len(header) > 255:
        return "", ""
    for code, _quality in parse_accept_lang_header(header):
        base, _sep, region = code.partition("-")
        region = region.upper() if region.isalpha() and len(region) == 2 else ""
        return base.lower(), region
    return "", ""


class UserLanguageMiddleware:
    """After authentication: a signed-in person's saved language wins over the cookie and the browser.

    Also sets the region whose conventions format dates, numbers and money (``config.formats``),
    looked up only when a page formats something (see ``_region``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = translation.get_language() or settings.LANGUAGE_CODE
        if isinstance(user, User) and user.is_authenticated and user.language in dict(settings.LANGUAGES):
            language = request.LANGUAGE_CODE = user.language
        # An override, not an activation: the language ends with the request (a worker thread serves
        # the next person in theirs).
        with translation.override(language), formats.region_override(lambda: _region(request, language)):
            response = self.get_response(request)
        response.headers["Content-Language"] = language
        return response


def _region(request, language: str) -> str:
    """The browser's region when its first choice is the page's language (an American reading English
    gets US formats), else the active account's country (a Polish company reading English gets
    day-first dates and 24-hour times), else whatever region the browser names."""
    browser_language, browser_region = browser_first_locale(request)
    if browser_region and browser_language == language:
        return browser_region
    account = getattr(request, "account", None)
    country = getattr(account, "country", None) if account else None
    code = str(getattr(country, "code", country) or "")
    return code or browser_region


# The languages Hurtlink speaks that a country's companies write in (others: the default language).
COUNTRY_LANGUAGES = {"PL": "pl"}


def account_language(account) -> str:
    """The language to write an account's own records in when none of its people is asking — e.g. the
    payment method of an order a Connect contractor forwards to it: its first owner's saved language,
    else its country's language if Hurtlink speaks it, else the default."""
    known = dict(settings.LANGUAGES)
    saved = (
        Membership.objects.filter(account=account, role=Role.OWNER)
        .exclude(user__language="")
        .order_by("pk")
        .values_list("user__language", flat=True)
    )
    for language in saved:
        if language in known:
            return language
    country = str(getattr(account.country, "code", account.country) or "")
    return COUNTRY_LANGUAGES.get(country.upper(), settings.LANGUAGE_CODE)
