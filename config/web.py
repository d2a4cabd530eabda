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


class NotFoundPageMiddleware:
    """A page a view cannot find (``Http404``: another account's order, a deleted package) answers with
    the site's own 404 page under DEBUG too, as it does in production — not Django's technical page,
    which lists every URL pattern in English (what `make run` showed a person trying the app). An
    address no URL pattern matches still gets the technical page under DEBUG: that is a developer's
    typing, and the list helps."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.conf import settings
        from django.http import Http404
        from django.views.defaults import page_not_found

        if settings.DEBUG and isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None
