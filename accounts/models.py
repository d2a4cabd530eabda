"""Accounts are the tenants: a company, its members, their roles, and the account's API tokens."""

from __future__ import annotations

import hashlib
import secrets

import moneyed
from babel.core import UnknownLocaleError, get_global
from babel.numbers import get_currency_name, get_territory_currencies
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


def _current_currencies() -> frozenset[str]:
    """ISO 4217 codes some country or territory uses as legal tender today (Unicode CLDR data, through
    babel): no historic currencies (Yugoslav dinars), precious metals (XAU) or test codes (XTS)."""
    territories = get_global("territory_currencies")
    return frozenset(
        code for territory in territories for code in get_territory_currencies(territory, tender=True)
    )


_CURRENT = _current_currencies()


def _currency_label(code: str) -> str:
    """ "PLN — Polish Zloty" in English, "PLN — złoty polski" on a Polish page (CLDR names, through babel)."""
    language = (translation.get_language() or "en").replace("-", "_")
    try:
        name = get_currency_name(code, locale=language)
    except (ValueError, TypeError, UnknownLocaleError):
        name = moneyed.CURRENCIES[code].name
    return f"{code} — {name}"


CURRENCY_CHOICES = [
    (code, lazy(_currency_label, str)(code)) for code in sorted(moneyed.CURRENCIES) if code in _CURRENT
]


# Fund and settlement codes ISO lists beside a country's money (USN for the USA, CHE/CHW for Switzerland).
_NOT_MONEY = {"BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI", "UYW", "XSU", "XUA"}


def currency_of_country(country_code: str) -> str | None:
    """The currency a company in ``country_code`` most likely keeps its books in (PL → PLN, DE → EUR)."""
    if not country_code:
        return None
    try:
        found = moneyed.get_currencies_of_country(str(country_code).upper())
    except Exception:  # an unknown code: no suggestion
        return None
    known = dict(CURRENCY_CHOICES)
    return next((c.code for c in found if c.code not in _NOT_MONEY and c.code in known), None)


def country_currencies() -> dict[str, str]:
    """Every country's currency (for the sign-up page, which fills the currency as a country is picked)."""
    from django_countries import countries

    return {code: currency for code, _name in countries if (currency := currency_of_country(code))}


def currency_choices() -> list[tuple[str, str]]:
    """The current ISO 4217 currencies, for model fields.

    Given to models as a callable so that migrations keep a reference to it and never freeze the
    display names, which come from a library (babel, through py-moneyed) and change between releases.
    """
    return CURRENCY_CHOICES


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Signs in with an e-mail address; belongs to accounts through memberships."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # The language of the pages and e-mails; blank: the browser's Accept-Language decides.
    language = models.CharField(
        _("language"), max_length=8, blank=True, default="", choices=settings.LANGUAGES
    )
    # The time zone pages show times in (an IANA name); blank: the active company's country decides.
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, default="")

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Account(models.Model):
    """The tenant: one company. Its company data is used on invoices, labels and Connect."""

    name = models.CharField(_("company name"), max_length=200)
    vat_number = models.CharField(_("VAT number"), max_length=40, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = CountryField(_("country"))
    default_currency = models.CharField(_("default currency"), max_length=3, choices=currency_choices)
    email = models.EmailField(_("company e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    stock_reservation = models.BooleanField(
        _("reserve stock for orders"),
        default=True,
        help_text=_("Catalog lines of an order take their quantity from the warehouse's stock."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    MEMBER = "member", _("Member")


# Higher rank may do everything a lower rank may.
ROLE_RANK = {Role.MEMBER: 1, Role.ADMIN: 2, Role.OWNER: 3}


class Membership(models.Model):
    """A user's place in an account, with a role (owner, admin or member)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "account"], name="accounts_membership_unique")]
        ordering = ["account__name", "id"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.account} ({self.role})"

    def has_role(self, role: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]


TOKEN_ROLES = [(Role.ADMIN.value, Role.ADMIN.label), (Role.MEMBER.value, Role.MEMBER.label)]


def _token_hash(raw: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast hash is enough; only the hash is stored.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """An account's API key. The secret is shown once at creation; only its SHA-256 is stored."""

    PREFIX = "hl_"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    # A token is at most an admin: owner things (owners, the account itself) need a person.
    role = models.CharField(_("role"), max_length=10, choices=TOKEN_ROLES, default=Role.ADMIN)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(
        max_length=12, editable=False, help_text="First characters, to recognise a token."
    )
    # The member who answers for the token (for a token made by a token: that token's maker). The
    # token is revoked when they leave the account, unless an owner hands it to another member.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    connector_rate_limit = models.PositiveIntegerField(
        _("BaseLinker API requests per minute"),
        null=True,
        blank=True,
        help_text=_(
            "How many /connector.php calls this token may make per minute; empty: the server's limit."
        ),
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=[Role.ADMIN, Role.MEMBER]), name="accounts_apitoken_never_owner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def generate_secret(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @staticmethod
    def hash_secret(raw: str) -> str:
        return _token_hash(raw)


class Invitation(models.Model):
    """An e-mailed invitation to join an account with a role; accepted once, before it expires."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(
        _("role"), max_length=10, choices=[(Role.ADMIN, _("Admin")), (Role.MEMBER, _("Member"))]
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "account",
                condition=models.Q(accepted_at__isnull=True),
                name="accounts_invitation_one_open_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.account}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()
