"""``Authorization: Bearer <token>`` for the REST API, and the token look-up /connector.php shares."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from accounts.models import ApiToken

# last_used_at is written at most this often per token, so API traffic does not turn into writes.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenUser:
    """The ``request.user`` of a token-authenticated request: authenticated, no staff rights."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = id = None

    def __init__(self, token: ApiToken):
        self.token = token

    def __str__(self) -> str:
        return f"API token {self.token.name}"

    def has_perm(self, perm, obj=None) -> bool:
        return False


def api_token_find(secret: str) -> ApiToken | None:
    """The token with this secret (revoked or not) and its account, or None."""
    return ApiToken.objects.select_related("account").filter(key_hash=ApiToken.hash_secret(secret)).first()


def api_token_touch(token: ApiToken) -> None:
    """Note that the token was used now (written at most once per LAST_USED_RESOLUTION)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if parts[0].lower() != self.keyword.lower():
            return None
        if len(parts) != 2 or not parts[1].startswith(ApiToken.PREFIX):
            raise exceptions.AuthenticationFailed(
                _("Malformed token header: use “Authorization: Bearer <token>”.")
            )
        token = api_token_find(parts[1])
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.is_active:
            raise exceptions.AuthenticationFailed(_("This token has been revoked."))
        api_token_touch(token)
        return ApiTokenUser(token), token

    def authenticate_header(self, request) -> str:
        return self.keyword
