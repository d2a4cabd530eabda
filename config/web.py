"""Helpers for the web pages of every app."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.http import url_has_allowed_host_and_scheme


def form_errors_from(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: field messages beside their fields, the rest on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def safe_next(request) -> str | None:
    """The ``next`` the page was given (POST or GET), if it stays on this site; else None."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def site_url(url: str) -> str:
    """``url`` as another system can fetch it: a path on this site (``/demo-images/…``) gets the site's
    address (``HURTLINK_SITE_URL``) in front; full URLs and empty values are kept."""
    from django.conf import settings

    if url.startswith("/") and not url.startswith("//"):
        return settings.SITE_URL.rstrip("/") + url
    return url
