from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from accounts.models import CURRENCY_CHOICES, Account, Invitation, Role, User, currency_of_country
from accounts.time_zones import time_zone_choices, time_zone_label


class SignupForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    company_name = forms.CharField(label=_("Company name"), max_length=200)
    country = LazyTypedChoiceField(label=_("Country"), choices=lambda: [("", "---------"), *countries])
    default_currency = forms.ChoiceField(
        label=_("Default currency"),
        choices=[("", _("The local currency")), *CURRENCY_CHOICES],
        required=False,
        help_text=_("Prices, orders and invoices use it unless you choose another."),
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this e-mail address already exists."))
        return email

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("default_currency"):
            cleaned["default_currency"] = currency_of_country(cleaned.get("country") or "") or "EUR"
        password = cleaned.get("password")
        if password:
            probe = User(email=cleaned.get("email") or "", full_name=cleaned.get("full_name") or "")
            try:
                password_validation.validate_password(password, probe)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class InvitedSignupForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        password_validation.validate_password(password, User(email=self.email))
        return password


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(label=_("E-mail address"), widget=forms.EmailInput(attrs={"autofocus": True}))


class AccountCreateForm(forms.ModelForm):
    class Meta:
        model = Account
        fields = ["name", "country", "default_currency"]


class CompanyForm(forms.ModelForm):
    class Meta:
        model = Account
        fields = [
            "name",
            "vat_number",
            "street",
            "postcode",
            "city",
            "country",
            "default_currency",
            "email",
            "phone",
        ]


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["email", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].initial = Role.MEMBER
        self.fields["role"].choices = [c for c in self.fields["role"].choices if c[0]]


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. “ERP import”.")
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=[(Role.ADMIN, _("Admin")), (Role.MEMBER, _("Member"))], initial=Role.ADMIN
    )


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("As the browser asks")), *settings.LANGUAGES],
        help_text=_("The language of the pages and of the e-mails Hurtlink sends you."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Pages show dates and times in it, and read the times you type in it."),
    )

    def __init__(self, *args, automatic_zone: str = "UTC", current_zone: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [
            ("", _("Your company's: %(zone)s") % {"zone": time_zone_label(automatic_zone)}),
            *time_zone_choices(current=current_zone),
        ]
