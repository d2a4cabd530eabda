from accounts.models import ApiToken, Membership
from accounts.services import api_token_create
from tests.factories import MembershipFactory
from tests.isolation.framework import RouteCase, Setup


def _membership_of_a(account_a) -> Setup:
    membership = MembershipFactory(account=account_a, role="member", user__email="alpha-member@example.test")

    def unchanged():
        assert Membership.objects.filter(pk=membership.pk, role="member").exists()

    return Setup(kwargs={"pk": membership.pk}, marker="alpha-member@example.test", unchanged=unchanged)


def _token_of_a(account_a) -> Setup:
    token, _secret = api_token_create(account=account_a, name="alpha-secret-token")

    def unchanged():
        assert ApiToken.objects.get(pk=token.pk).revoked_at is None

    return Setup(kwargs={"pk": token.pk}, marker="alpha-secret-token", unchanged=unchanged)


def _invitation_of_a(account_a) -> Setup:
    from accounts.models import Invitation
    from accounts.services import invitation_create

    inviter = MembershipFactory(account=account_a, role="owner").user
    invitation = invitation_create(
        account=account_a, email="alpha-invitee@example.test", role="member", invited_by=inviter
    )

    def unchanged():
        assert Invitation.objects.filter(pk=invitation.pk).exists()

    return Setup(kwargs={"pk": invitation.pk}, marker="alpha-invitee@example.test", unchanged=unchanged)


def _account_a_marker(account_a) -> Setup:
    return Setup(marker=account_a.name)


CASES = [
    RouteCase("healthz", "public", reason="database and Redis state only"),
    RouteCase("api-schema", "public", reason="the OpenAPI schema describes the API, not an account's data"),
    RouteCase("api-docs", "public", reason="Swagger UI page"),
    RouteCase("demo-image", "public", reason="a demo picture: a colour and two letters, no account's data"),
    RouteCase("admin:*", "staff"),
    RouteCase("admin/*", "staff"),
    RouteCase("login", "public", reason="sign-in form"),
    RouteCase("logout", "public", reason="ends the session"),
    RouteCase("signup", "public", reason="sign-up form"),
    RouteCase("password_reset", "public", reason="asks for an e-mail address"),
    RouteCase("password_reset_done", "public", reason="static message"),
    RouteCase("password_reset_confirm", "public", reason="guarded by Django's signed reset token"),
    RouteCase("password_reset_complete", "public", reason="static message"),
    RouteCase(
        "invitation-accept", "public", reason="guarded by the secret key in the link (tested in accounts)"
    ),
    RouteCase("profile", "public", reason="the signed-in person's own name and language, no account data"),
    RouteCase("profile-password", "public", reason="changes the signed-in person's own password"),
    RouteCase("language-switch", "public", reason="a language cookie and the signed-in person's own choice"),
    RouteCase("account-create", "list", setup=_account_a_marker),
    RouteCase("account-switch", "public", reason="only switches among the user's own memberships (tested)"),
    RouteCase("home", "list", setup=_account_a_marker),
    RouteCase("settings-company", "list", setup=_account_a_marker),
    RouteCase("settings-members", "list", setup=_membership_of_a),
    RouteCase("settings-member-role", "detail", setup=_membership_of_a, payload={"role": "owner"}),
    RouteCase("settings-member-remove", "detail", setup=_membership_of_a),
    RouteCase("settings-invitation-revoke", "detail", setup=_invitation_of_a),
    RouteCase("settings-tokens", "list", setup=_token_of_a),
    RouteCase("settings-token-revoke", "detail", setup=_token_of_a),
    RouteCase("api:root", "public", reason="links only"),
    RouteCase("api:account", "list", setup=_account_a_marker),
    RouteCase("api:member-list", "list", setup=_membership_of_a),
    RouteCase(
        "api:member-detail",
        "detail",
        setup=_membership_of_a,
        payload={"role": "admin"},
    ),
    RouteCase("api:apitoken-list", "list", setup=_token_of_a),
    RouteCase("api:apitoken-detail", "detail", setup=_token_of_a),
]
