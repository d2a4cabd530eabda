"""Web pages of the accounts app: sign-up, sign-in, account switcher, company settings, members, tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from accounts import roles, selectors, services, time_zones
from accounts.forms import (
    AccountCreateForm,
    ApiTokenForm,
    CompanyForm,
    InvitationForm,
    InvitedSignupForm,
    MemberRoleForm,
    ProfileForm,
    SignupForm,
)
from accounts.models import ApiToken, Invitation, Membership, Role, User, country_currencies
from accounts.tenancy import SESSION_ACCOUNT_KEY, AccountViewMixin
from config.web import form_errors_from


class HomeView(AccountViewMixin, TemplateView):
    area = roles.COMPANY
    template_name = "accounts/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["account"] = self.account
        figures = selectors.home_figures(account=self.account)
        context["member_count"] = figures.member_count
        context["product_count"] = figures.product_count
        context["variant_count"] = figures.variant_count
        context["statuses"] = figures.statuses
        context["order_count"] = figures.order_count
        context["recent_orders"] = figures.recent_orders
        from connect.directory import pending_request_list

        pending = pending_request_list(account=self.account)
        context["connect_requests"] = list(pending[:10])
        context["connect_request_count"] = pending.count() if context["connect_requests"] else 0
        return context


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, account = services.user_signup(**form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[SESSION_ACCOUNT_KEY] = account.pk
            messages.success(
                request, _("Welcome to Hurtlink. Your account “%(name)s” is ready.") % {"name": account}
            )
            return redirect("home")
    return render(request, "accounts/signup.html", {"form": form, "country_currencies": country_currencies()})


@login_required
def account_create(request):
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account = services.account_create(owner=request.user, **form.cleaned_data)
        request.session[SESSION_ACCOUNT_KEY] = account.pk
        messages.success(request, _("Account %(name)s created.") % {"name": account})
        return redirect("home")
    return render(request, "accounts/account_create.html", {"form": form})


@login_required
@require_POST
def account_switch(request):
    try:
        account_id = int(request.POST.get("account", ""))
    except ValueError:
        account_id = None
    membership = (
        Membership.objects.filter(user=request.user, account_id=account_id).select_related("account").first()
    )
    if membership is None:
        messages.error(request, _("You are not a member of that account."))
        return redirect("home")
    request.session[SESSION_ACCOUNT_KEY] = membership.account_id
    messages.success(request, _("You are now working in “%(name)s”.") % {"name": membership.account})
    return redirect("home")


class CompanySettingsView(AccountViewMixin, View):
    area = roles.COMPANY

    def get(self, request):
        return self._render(CompanyForm(instance=self.account))

    def post(self, request):
        form = CompanyForm(request.POST, instance=self.account)
        if form.is_valid():
            services.account_update(account=self.account, **{f: form.cleaned_data[f] for f in form.fields})
            messages.success(request, _("Company data saved."))
            return redirect("settings-company")
        return self._render(form)

    def _render(self, form):
        return render(self.request, "accounts/settings_company.html", {"form": form, "tab": "company"})


class MembersView(AccountViewMixin, View):
    area = roles.MEMBERS

    def get(self, request):
        return self._render(InvitationForm())

    def post(self, request):
        form = InvitationForm(request.POST)
        if form.is_valid():
            try:
                services.invitation_create(
                    account=self.account,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    invited_by=request.user,
                )
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(
                    request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
                )
                return redirect("settings-members")
        return self._render(form)

    def _render(self, form):
        memberships = list(selectors.member_list(account=self.account))
        context = {
            "tab": "members",
            "form": form,
            "memberships": memberships,
            "invitations": Invitation.objects.filter(account=self.account, accepted_at__isnull=True),
            "roles": Role.choices,
            "can_manage": self.tenant.may(roles.MEMBERS, roles.Act.WRITE),
            # Only an owner may hand a leaving member's tokens to someone else instead of revoking them.
            "can_hand_over_tokens": self.tenant.is_owner,
        }
        return render(self.request, "accounts/settings_members.html", context)


class MemberRoleView(AccountViewMixin, View):
    area = roles.MEMBERS

    def post(self, request, pk: int):
        membership = get_object_or_404(Membership, pk=pk, account=self.account)
        form = MemberRoleForm(request.POST)
        if form.is_valid():
            try:
                services.membership_set_role(
                    membership=membership, role=form.cleaned_data["role"], actor=self.tenant
                )
                messages.success(request, _("Role changed."))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            except PermissionDenied as exc:
                messages.error(request, str(exc))
        else:
            messages.error(request, _("Choose a valid role."))
        return redirect("settings-members")


class MemberRemoveView(AccountViewMixin, View):
    area = roles.MEMBERS
    act = roles.Act.DELETE

    def post(self, request, pk: int):
        membership = get_object_or_404(Membership, pk=pk, account=self.account)
        tokens_to = None
        if request.POST.get("tokens_to"):
            tokens_to = Membership.objects.filter(
                account=self.account, pk=_int_or_none(request.POST["tokens_to"])
            ).first()
            if tokens_to is None:
                messages.error(request, _("Choose another member of this account for the tokens."))
                return redirect("settings-members")
        try:
            handled = services.membership_remove(
                membership=membership, actor=self.tenant, tokens_to=tokens_to
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _removed_message(membership, handled, tokens_to))
        return redirect("settings-members")


def _int_or_none(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def _removed_message(membership: Membership, tokens: int, tokens_to: Membership | None) -> str:
    values = {"user": membership.user, "count": tokens, "to": tokens_to.user if tokens_to else ""}
    if not tokens:
        return _("%(user)s was removed from the account.") % values
    if tokens_to is not None:
        return (
            ngettext(
                "%(user)s was removed from the account; their API token now belongs to %(to)s.",
                "%(user)s was removed from the account; their %(count)d API tokens now belong to %(to)s.",
                tokens,
            )
            % values
        )
    return (
        ngettext(
            "%(user)s was removed from the account and their API token was revoked.",
            "%(user)s was removed from the account and their %(count)d API tokens were revoked.",
            tokens,
        )
        % values
    )


class InvitationRevokeView(AccountViewMixin, View):
    area = roles.MEMBERS
    act = roles.Act.DELETE

    def post(self, request, pk: int):
        invitation = get_object_or_404(Invitation, pk=pk, account=self.account, accepted_at__isnull=True)
        invitation.delete()
        messages.success(request, _("Invitation withdrawn."))
        return redirect("settings-members")


class ApiTokensView(AccountViewMixin, View):
    area = roles.TOKENS

    def get(self, request):
        return self._render(ApiTokenForm())

    def post(self, request):
        form = ApiTokenForm(request.POST)
        secret = None
        if form.is_valid():
            try:
                _token, secret = services.api_token_create(
                    account=self.account, actor=self.tenant, **form.cleaned_data
                )
            except (ValidationError, PermissionDenied) as exc:
                form_errors_from(form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
            else:
                form = ApiTokenForm()
        return self._render(form, secret=secret)

    def _render(self, form, secret: str | None = None):
        context = {
            "tab": "tokens",
            "form": form,
            "secret": secret,
            "tokens": ApiToken.objects.filter(account=self.account).select_related("created_by"),
        }
        return render(self.request, "accounts/settings_tokens.html", context)


class ApiTokenRevokeView(AccountViewMixin, View):
    area = roles.TOKENS
    act = roles.Act.DELETE

    def post(self, request, pk: int):
        token = get_object_or_404(ApiToken, pk=pk, account=self.account)
        services.api_token_revoke(token=token)
        messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
        return redirect("settings-tokens")


def invitation_accept(request, key: str):
    invitation = services.invitation_by_key(key)
    if invitation is None:
        raise Http404(_("This invitation has expired or was already used."))
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                membership = services.invitation_accept(invitation=invitation, user=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                request.session[SESSION_ACCOUNT_KEY] = membership.account_id
                messages.success(request, _("You joined “%(name)s”.") % {"name": membership.account})
                return redirect("home")
        return render(request, "accounts/invitation_accept.html", {"invitation": invitation})
    from accounts.models import User

    if User.objects.filter(email__iexact=invitation.email).exists():
        messages.info(
            request, _("Sign in as %(email)s to accept the invitation.") % {"email": invitation.email}
        )
        return redirect(f"{_login_url()}?next={request.path}")
    form = InvitedSignupForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_signup(invitation=invitation, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[SESSION_ACCOUNT_KEY] = invitation.account_id
            messages.success(request, _("Welcome! You joined “%(name)s”.") % {"name": invitation.account})
            return redirect("home")
    return render(request, "accounts/invitation_signup.html", {"invitation": invitation, "form": form})


def _login_url() -> str:
    from django.urls import reverse

    return reverse("login")


def _profile_render(request, profile_form: ProfileForm, password_form: PasswordChangeForm):
    # Django focuses the current password; on this page it is the second form, so nothing jumps there.
    password_form.fields["old_password"].widget.attrs.pop("autofocus", None)
    return render(
        request,
        "accounts/profile.html",
        {"form": profile_form, "password_form": password_form},
    )


@login_required
def profile(request):
    """The signed-in person's own page: name and language, and a password change (``profile_password``)."""
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, automatic_zone=_automatic_zone(request), current_zone=user.time_zone)
        if form.is_valid():
            try:
                user = services.user_profile_update(user=user, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                # The message is read on the next page, in the language just chosen.
                translation.activate(user.language or translation.get_language_from_request(request))
                messages.success(request, _("Profile saved."))
                return _language_cookie(redirect("profile"), user.language)
    else:
        form = ProfileForm(
            initial=_profile_initial(user),
            automatic_zone=_automatic_zone(request),
            current_zone=user.time_zone,
        )
    return _profile_render(request, form, PasswordChangeForm(user))


def _profile_initial(user) -> dict:
    return {"full_name": user.full_name, "language": user.language, "time_zone": user.time_zone}


def _automatic_zone(request) -> str:
    """The zone a person without a choice of their own gets: the active company's country's."""
    return time_zones.time_zone_of(None, getattr(request, "account", None))


@login_required
@require_POST
def profile_password(request):
    """Change the password (the current one first); the session stays signed in."""
    form = PasswordChangeForm(request.user, request.POST)
    if form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed."))
        return redirect("profile")
    profile_form = ProfileForm(
        initial=_profile_initial(request.user),
        automatic_zone=_automatic_zone(request),
        current_zone=request.user.time_zone,
    )
    return _profile_render(request, profile_form, form)


@require_POST
def language_switch(request):
    """The layout's language switcher: a cookie for everyone, and the profile of a signed-in person."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = redirect(next_url)
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated and isinstance(request.user, User):
        services.user_language_set(user=request.user, language=language)
    return _language_cookie(response, language)


def _language_cookie(response, language: str):
    """Remember the language for the signed-out pages too (login, sign-up); blank forgets it."""
    if not language:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
        return response
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
    )
    return response
