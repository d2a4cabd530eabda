"""REST API of Connect (under ``/api/v1/connect/``): provider integrations and their codes, joining
with a code, contractor integrations, a provider's contractors with their trade credit and ledger, and
status mappings.

Thin: parse, call one service or selector, render. Who may do what is decided by the services (owners
and admins change things, members read); rows of another account are 404 like missing ones, and ids of
another account in a body are "does not exist" like missing ids.
"""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled
from rest_framework.response import Response

from accounts import roles
from accounts.api_base import AccountScopedMixin, AccountScopedRelatedField
from accounts.filters import AccountFilterSet
from accounts.models import CURRENCY_CHOICES
from accounts.tenancy import request_tenant
from catalog.models import Category, ExtraField, Inventory, PriceGroup, Product, Tag, Warehouse
from config import fields
from config.api import api_validation_error
from config.fields import UriReferenceField
from connect import directory, selectors, services, shared_catalog, sync
from connect.filters import ContractorFilter, StatusMappingFilter
from connect.models import (
    AdditionalInfo,
    ConnectIntegration,
    ConnectionRequest,
    ContractorLink,
    ContractorSettings,
    CreditEntry,
    Industry,
    ProviderOrderSettings,
    ProviderSharingSettings,
    Publication,
    ServiceType,
    StatusMapping,
)
from connect.views import client_ip
from orders.models import Order, OrderStatus

_SECTIONS = {"orders": "order_settings", "sharing": "sharing_settings"}


def _raise_for(exc: DjangoValidationError, *, settings_key: str | None = None):
    """A service's ValidationError as the API's error format: provider sections nested under
    ``order_settings`` / ``sharing_settings``, a contractor's settings under ``settings``."""
    if isinstance(exc, services.RateLimited):
        raise Throttled(wait=exc.retry_after, detail=" ".join(exc.messages)) from exc

    def section_of(key: str) -> tuple[str, str] | None:
        section, _dot, field = key.partition(".")
        if field and section in _SECTIONS:
            return _SECTIONS[section], field
        if settings_key and key in services.CONTRACTOR_SETTINGS_FIELDS:
            return settings_key, key
        return None

    raise api_validation_error(exc, section_of=section_of) from exc


def _scoped(model, **kwargs):
    return AccountScopedRelatedField(queryset=model.objects.all(), **kwargs)


# --------------------------------------------------------------------------- provider integrations


class OrderSettingsSerializer(fields.ModelSerializer):
    target_status = _scoped(OrderStatus, required=False)
    match_inventory = _scoped(Inventory, required=False, allow_null=True)
    source_warehouse = _scoped(Warehouse, required=False, allow_null=True)
    price_group = _scoped(PriceGroup, required=False, allow_null=True)
    additional_info = serializers.ListField(
        child=serializers.ChoiceField(choices=AdditionalInfo.choices), required=False
    )

    class Meta:
        model = ProviderOrderSettings
        fields = list(services.ORDER_SETTINGS_FIELDS)
        extra_kwargs = {f: {"required": False} for f in services.ORDER_SETTINGS_FIELDS}


class SharingSettingsSerializer(fields.ModelSerializer):
    inventory = _scoped(Inventory, required=False)
    categories = _scoped(Category, many=True, required=False)
    tags = _scoped(Tag, many=True, required=False)
    source_warehouse = _scoped(Warehouse, required=False)
    price_group = _scoped(PriceGroup, required=False, allow_null=True)
    extra_fields = _scoped(ExtraField, many=True, required=False)

    class Meta:
        model = ProviderSharingSettings
        fields = list(services.SHARING_SETTINGS_FIELDS)
        extra_kwargs = {f: {"required": False} for f in services.SHARING_SETTINGS_FIELDS}


class ProviderIntegrationSerializer(fields.ModelSerializer):
    code = serializers.SerializerMethodField(
        help_text="The connection code, grouped for reading (owners and admins only; null for members)."
    )
    code_created_at = serializers.SerializerMethodField()
    order_settings = OrderSettingsSerializer(read_only=True, allow_null=True)
    sharing_settings = SharingSettingsSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ConnectIntegration
        fields = [
            "id",
            "display_name",
            "code_name",
            "orders_enabled",
            "products_enabled",
            "send_statuses",
            "receive_statuses",
            "code",
            "code_created_at",
            "order_settings",
            "sharing_settings",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_code(self, integration) -> str | None:
        if not services.can_manage(self.context.get("tenant")):
            return None
        return selectors.provider_code(integration=integration)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_code_created_at(self, integration):
        return selectors.provider_code_created_at(integration=integration)


class ProviderIntegrationWriteSerializer(serializers.Serializer):
    display_name = serializers.CharField(max_length=100)
    code_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    orders_enabled = serializers.BooleanField(help_text="Downloading orders. Fixed at creation.")
    products_enabled = serializers.BooleanField(help_text="Sharing products. Fixed at creation.")
    send_statuses = serializers.BooleanField(required=False)
    receive_statuses = serializers.BooleanField(required=False)
    order_settings = OrderSettingsSerializer(required=False)
    sharing_settings = SharingSettingsSerializer(required=False)


class CodeSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The new code, grouped for reading.")


class PublicationSerializer(fields.ModelSerializer):
    """A provider's own entry: the working copy it edits, its verification and the listed copy."""

    has_logo = serializers.SerializerMethodField()
    directory_id = serializers.SerializerMethodField(
        help_text="The entry's id in the directory while listed."
    )
    website = UriReferenceField(read_only=True)
    # Before the first save the tab's draft is not stored yet: no id and no time of change.
    id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Null until the entry is first saved."
    )
    updated_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Null until the entry is first saved."
    )

    class Meta:
        model = Publication
        fields = [
            "id",
            *directory.PUBLICATION_FIELDS,
            "has_logo",
            "state",
            "rejection_reason",
            "state_changed_at",
            "listed_name",
            "listed_description",
            "listed_at",
            "directory_id",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_has_logo(self, publication) -> bool:
        return bool(publication.logo)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_directory_id(self, publication) -> int | None:
        return publication.pk if publication.is_listed else None


class PublicationWriteSerializer(serializers.Serializer):
    is_public = serializers.BooleanField(
        required=False, help_text="Public entries need every required field and are verified by staff."
    )
    company_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    countries = serializers.ListField(
        child=fields.CountryField(), required=False, help_text="ISO 3166-1 alpha-2 codes."
    )
    industries = serializers.ListField(
        child=serializers.ChoiceField(choices=Industry.choices), required=False
    )
    services = serializers.ListField(
        child=serializers.ChoiceField(choices=ServiceType.choices), required=False
    )
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    website = UriReferenceField(max_length=200, required=False, allow_blank=True)
    logo = serializers.CharField(
        required=False,
        allow_null=True,
        write_only=True,
        help_text="The logo as base64 (PNG, JPEG, GIF or WebP, at most 256 KB); null removes it.",
    )
    show_products = serializers.BooleanField(required=False)
    approval_required = serializers.BooleanField(required=False)
    show_prices = serializers.BooleanField(required=False)

    def validate_logo(self, value):
        if value is None:
            return None
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError("Not base64.") from None


class ProviderIntegrationViewSet(
    AccountScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The account's provider integrations (it generated their codes). Members read; owners and
    admins create, change, regenerate the code and delete (which disconnects every contractor)."""

    # Connect area of the role matrix: members read, owners and admins write (the services decide
    # again, so every way in obeys the same rule).
    area = roles.CONNECT
    queryset = (
        ConnectIntegration.objects.alive()
        .filter(role=ConnectIntegration.Role.PROVIDER)
        .select_related("order_settings", "sharing_settings")
        .prefetch_related(
            "sharing_settings__categories", "sharing_settings__tags", "sharing_settings__extra_fields"
        )
    )
    serializer_class = ProviderIntegrationSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    ordering = ["display_name", "id"]

    def get_queryset(self):
        return selectors.with_active_code(super().get_queryset())

    def _read(self, integration) -> dict:
        return self.get_serializer(self.get_queryset().get(pk=integration.pk)).data

    @extend_schema(request=ProviderIntegrationWriteSerializer, responses={201: ProviderIntegrationSerializer})
    def create(self, request):
        """Create a provider integration and its first connection code (shown in ``code``)."""
        body = ProviderIntegrationWriteSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        try:
            integration, _code = services.provider_create(
                actor=self.tenant,
                display_name=data["display_name"],
                code_name=data.get("code_name", ""),
                orders_enabled=data["orders_enabled"],
                products_enabled=data["products_enabled"],
                order_settings=data.get("order_settings"),
                sharing_settings=data.get("sharing_settings"),
            )
            if data.get("send_statuses") or data.get("receive_statuses"):
                services.integration_statuses_update(
                    actor=self.tenant,
                    integration=integration,
                    send_statuses=data.get("send_statuses", False),
                    receive_statuses=data.get("receive_statuses", False),
                )
        except DjangoValidationError as exc:
            _raise_for(exc)
        return Response(self._read(integration), status=status.HTTP_201_CREATED)

    @extend_schema(request=ProviderIntegrationWriteSerializer, responses=ProviderIntegrationSerializer)
    def partial_update(self, request, pk=None):
        """Change names and settings. ``orders_enabled`` / ``products_enabled`` cannot change."""
        integration = self.get_object()
        body = ProviderIntegrationWriteSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        try:
            services.provider_update(actor=self.tenant, integration=integration, **body.validated_data)
        except DjangoValidationError as exc:
            _raise_for(exc)
        return Response(self._read(integration))

    def destroy(self, request, pk=None):
        """Delete the integration: its code stops working and every contractor is disconnected."""
        services.integration_delete(actor=self.tenant, integration=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(methods=["GET"], responses=PublicationSerializer)
    @extend_schema(methods=["PATCH"], request=PublicationWriteSerializer, responses=PublicationSerializer)
    @action(detail=True, methods=["get", "patch"], serializer_class=PublicationSerializer)
    def publication(self, request, pk=None):
        """The integration's entry in the partner directory (``id`` null before the first save). PATCH saves
        what is given; a public entry whose name, description or logo changed waits for verification
        (the directory keeps the verified text until then)."""
        integration = self.get_object()
        if request.method == "PATCH":
            body = PublicationWriteSerializer(data=request.data, partial=True)
            body.is_valid(raise_exception=True)
            data = dict(body.validated_data)
            logo = data.pop("logo", ...)
            try:
                directory.publication_save(
                    actor=self.tenant,
                    integration=integration,
                    logo=logo if logo not in (None, ...) else None,
                    logo_remove=logo is None,
                    **data,
                )
            except DjangoValidationError as exc:
                _raise_for(exc)
        publication = directory.publication_for_provider(integration=integration)
        if publication is None:  # not saved yet: what the tab starts with (a private draft)
            publication = Publication(
                account=self.account,
                integration=integration,
                **directory.publication_initial(integration=integration),
            )
        return Response(PublicationSerializer(publication).data)

    @extend_schema(request=None, responses=CodeSerializer)
    @action(detail=True, methods=["post"], url_path="regenerate-code")
    def regenerate_code(self, request, pk=None):
        """A new code; the old one stops admitting new contractors, existing ones stay."""
        code = services.code_regenerate(actor=self.tenant, integration=self.get_object())
        return Response({"code": services.codes.code_display(code)})


# ------------------------------------------------------------------------- contractor integrations


class ContractorSettingsSerializer(fields.ModelSerializer):
    price_group = _scoped(PriceGroup, required=False, allow_null=True)
    warehouse = _scoped(Warehouse, required=False, allow_null=True)
    additional_info = serializers.ListField(
        child=serializers.ChoiceField(choices=AdditionalInfo.choices), required=False
    )

    class Meta:
        model = ContractorSettings
        fields = list(services.CONTRACTOR_SETTINGS_FIELDS)
        extra_kwargs = {f: {"required": False} for f in services.CONTRACTOR_SETTINGS_FIELDS}


class ProviderSummarySerializer(serializers.Serializer):
    provider_name = serializers.CharField()
    display_name = serializers.CharField()
    orders = serializers.BooleanField(help_text="The provider downloads orders (you can forward them).")
    products = serializers.BooleanField(help_text="The provider shares products.")
    state = serializers.ChoiceField(choices=ContractorLink.State.choices)
    disconnected = serializers.BooleanField()
    is_open = serializers.BooleanField(help_text="False while blocked, awaiting approval or disconnected.")


class CreditSerializer(serializers.Serializer):
    limit = fields.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    used = fields.DecimalField(max_digits=16, decimal_places=2)
    available = fields.DecimalField(max_digits=16, decimal_places=2, allow_null=True)


class SyncSerializer(serializers.Serializer):
    linked_products = serializers.IntegerField(help_text="Your products linked to this supplier's catalog.")
    stock_synced_at = serializers.DateTimeField(
        allow_null=True, help_text="When a stock change of the supplier was last carried."
    )
    prices_synced_at = serializers.DateTimeField(
        allow_null=True, help_text="When a price change of the supplier was last carried."
    )
    resynced_at = serializers.DateTimeField(
        allow_null=True, help_text="The last full synchronisation (settings saved, or asked for)."
    )
    checked_at = serializers.DateTimeField(
        allow_null=True, help_text="The last reconciliation (every 15 minutes) of every linked product."
    )
    repaired_at = serializers.DateTimeField(
        allow_null=True, help_text="The last reconciliation that found values out of step."
    )
    repaired_stock = serializers.IntegerField(help_text="Stock levels it repaired then.")
    repaired_prices = serializers.IntegerField(help_text="Prices it repaired then.")


class ConnectionRequestStateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=ConnectionRequest.State.choices)
    answer_message = serializers.CharField()
    created_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)
    resend_after = serializers.DateTimeField(
        allow_null=True, help_text="A rejected request can be sent again from this time (null: now)."
    )


class ContractorIntegrationSerializer(fields.ModelSerializer):
    settings = ContractorSettingsSerializer(source="contractor_settings", read_only=True)
    provider = serializers.SerializerMethodField()
    credit = serializers.SerializerMethodField(help_text="Your trade credit with this provider, if any.")
    sync = serializers.SerializerMethodField(
        help_text="How your linked products' stock and prices follow the supplier (Products / Prices / "
        "Stock settings)."
    )
    request = serializers.SerializerMethodField(
        help_text="Your last connection request to this provider (joined from the directory), if any."
    )

    class Meta:
        model = ConnectIntegration
        fields = [
            "id",
            "display_name",
            "send_statuses",
            "receive_statuses",
            "settings",
            "provider",
            "credit",
            "sync",
            "request",
            "created_at",
        ]

    @extend_schema_field(SyncSerializer)
    def get_sync(self, integration):
        state = getattr(integration, "product_sync", None)
        return SyncSerializer(
            {
                "linked_products": getattr(integration, "linked_products", None) or 0,
                **{
                    name: getattr(state, name, None)
                    for name in (
                        "stock_synced_at",
                        "prices_synced_at",
                        "resynced_at",
                        "checked_at",
                        "repaired_at",
                    )
                },
                "repaired_stock": getattr(state, "repaired_stock", 0),
                "repaired_prices": getattr(state, "repaired_prices", 0),
            }
        ).data

    @extend_schema_field(ProviderSummarySerializer)
    def get_provider(self, integration):
        summary = selectors.provider_summary_for_contractor(
            contractor_integration=integration, link=integration.provider_link
        )
        return ProviderSummarySerializer(summary.__dict__).data

    @extend_schema_field(ConnectionRequestStateSerializer(allow_null=True))
    def get_request(self, integration):
        link = integration.provider_link
        last = directory.request_latest_for_contractor(link=link)
        if last is None:
            return None
        resend_after = None
        if last.state == ConnectionRequest.State.REJECTED and last.answered_at is not None:
            after = last.answered_at + directory.REQUEST_COOLDOWN
            resend_after = after if after > timezone.now() else None
        return ConnectionRequestStateSerializer(
            {
                "state": last.state,
                "answer_message": last.answer_message,
                "created_at": last.created_at,
                "answered_at": last.answered_at,
                "resend_after": resend_after,
            }
        ).data

    @extend_schema_field(CreditSerializer(allow_null=True))
    def get_credit(self, integration):
        link = integration.provider_link  # loaded with its credit sums (contractor_integrations_with_links)
        if link.credit_limit is None:
            return None
        return CreditSerializer(
            {
                "limit": link.credit_limit,
                "currency": link.credit_currency,
                "used": link.credit_used,
                "available": link.credit_available,
            }
        ).data


class VerifySerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=100, help_text="The code as the provider gave it (dashes optional)."
    )


class OfferSerializer(serializers.Serializer):
    provider_name = serializers.CharField()
    display_name = serializers.CharField()
    orders = serializers.BooleanField()
    products = serializers.BooleanField()


class _ListedPublicationField(fields.IdRelatedField):
    """A directory entry that is listed now (any account's: the directory is public). Any other id —
    a draft, an entry waiting for verification, a rejected or private one — does not exist."""

    default_error_messages = {
        **fields.IdRelatedField.default_error_messages,
        "does_not_exist": "This directory entry does not exist.",
    }

    def get_queryset(self):
        return directory.directory_list()


class JoinSerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=100,
        required=False,
        help_text="The code as the provider gave it (dashes optional). Give a code or a publication.",
    )
    publication = _ListedPublicationField(
        queryset=Publication.objects.none(),  # get_queryset(): the listed entries
        required=False,
        help_text="A directory entry's id (instead of a code). With approval required, the integration "
        "is created awaiting approval and a connection request goes to the provider.",
    )
    display_name = serializers.CharField(max_length=100)
    settings = ContractorSettingsSerializer(required=False)

    def validate(self, attrs):
        if ("code" in attrs) == ("publication" in attrs):
            raise serializers.ValidationError(
                {"code": ["Give a connection code or a directory entry (publication), not both."]}
            )
        return attrs


class ContractorIntegrationUpdateSerializer(serializers.Serializer):
    display_name = serializers.CharField(max_length=100, required=False)
    send_statuses = serializers.BooleanField(required=False)
    receive_statuses = serializers.BooleanField(required=False)
    settings = ContractorSettingsSerializer(required=False)


class StatusSerializer(fields.ModelSerializer):
    class Meta:
        model = OrderStatus
        fields = ["id", "name", "color", "position"]


class ContractorCreditEntrySerializer(fields.ModelSerializer):
    class Meta:
        model = CreditEntry
        fields = ["id", "kind", "amount", "currency", "order", "description", "created_at"]
        read_only_fields = fields


class ContractorIntegrationViewSet(
    AccountScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The account's integrations with its suppliers (it entered their codes). POST joins with a code;
    DELETE disconnects. Members read; owners and admins join, change and disconnect."""

    # Connect area of the role matrix: members read, owners and admins write (the services decide
    # again, so every way in obeys the same rule).
    area = roles.CONNECT
    queryset = (
        ConnectIntegration.objects.alive()
        .filter(role=ConnectIntegration.Role.CONTRACTOR)
        .select_related("contractor_settings")
    )
    serializer_class = ContractorIntegrationSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    ordering = ["display_name", "id"]

    def get_queryset(self):
        return (
            selectors.contractor_integrations_with_links(super().get_queryset())
            .select_related("product_sync")
            .annotate(linked_products=sync.linked_count())
        )

    @extend_schema(request=VerifySerializer, responses={200: OfferSerializer, 429: None})
    @action(detail=False, methods=["post"])
    def verify(self, request):
        """Who the code belongs to and what it offers. Wrong codes answer "no such code" and are
        limited per user or token and per address (HTTP 429 after too many)."""
        body = VerifySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            offer = services.code_verify(
                actor=self.tenant, code=body.validated_data["code"], client_ip=client_ip(request)
            )
        except DjangoValidationError as exc:
            _raise_for(exc)
        return Response(OfferSerializer(offer.__dict__).data)

    @extend_schema(request=JoinSerializer, responses={201: ContractorIntegrationSerializer, 429: None})
    def create(self, request):
        """Join a provider with its code, or from its directory entry (``publication``)."""
        body = JoinSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        via = {"code": data["code"]} if "code" in data else {"publication": data["publication"]}
        try:
            integration = services.integration_join(
                actor=self.tenant,
                **via,
                client_ip=client_ip(request),
                display_name=data["display_name"],
                settings=data.get("settings"),
            )
        except DjangoValidationError as exc:
            _raise_for(exc, settings_key="settings")
        created = self.get_queryset().get(pk=integration.pk)
        return Response(self.get_serializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ContractorIntegrationUpdateSerializer, responses=ContractorIntegrationSerializer)
    def partial_update(self, request, pk=None):
        integration = self.get_object()
        body = ContractorIntegrationUpdateSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        settings = dict(data.pop("settings", {}))
        for switch in ("send_statuses", "receive_statuses"):
            if switch in data:
                settings[switch] = data.pop(switch)
        try:
            integration = services.contractor_update(
                actor=self.tenant, integration=integration, **data, **settings
            )
        except DjangoValidationError as exc:
            _raise_for(exc, settings_key="settings")
        return Response(self.get_serializer(self.get_queryset().get(pk=integration.pk)).data)

    @extend_schema(request=None, responses={202: ContractorIntegrationSerializer})
    @action(detail=True, methods=["post"])
    def resync(self, request, pk=None):
        """Synchronise now: recompute the stock and prices of every product linked to this supplier, in
        the background (also done whenever the Products / Prices / Stock settings change, and checked
        every 15 minutes). 400 while nothing crosses the connection or both syncs are off."""
        integration = self.get_object()
        try:
            services.supplier_resync(actor=self.tenant, integration=integration)
        except DjangoValidationError as exc:
            _raise_for(exc)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=integration.pk)).data,
            status=status.HTTP_202_ACCEPTED,
        )

    def destroy(self, request, pk=None):
        """Disconnect from the provider. The provider keeps your history and ledger."""
        services.integration_disconnect(actor=self.tenant, integration=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={201: ConnectionRequestStateSerializer, 429: None})
    @action(detail=True, methods=["post"], url_path="resend-request")
    def resend_request(self, request, pk=None):
        """Send a rejected connection request again (after the cool-down)."""
        integration = self.get_object()
        try:
            sent = directory.request_resend(actor=self.tenant, integration=integration)
        except DjangoValidationError as exc:
            _raise_for(exc)
        data = {
            "state": sent.state,
            "answer_message": "",
            "created_at": sent.created_at,
            "answered_at": None,
            "resend_after": None,
        }
        return Response(ConnectionRequestStateSerializer(data).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ContractorCreditEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def ledger(self, request, pk=None):
        """Your trade-credit ledger with this supplier, newest first: the charges of your forwarded
        orders (``order``: the supplier's order), charges given back, your payments and adjustments."""
        link = selectors.link_for_contractor(integration=self.get_object())
        page = self.paginate_queryset(selectors.credit_entry_list(link=link))
        return self.get_paginated_response(ContractorCreditEntrySerializer(page, many=True).data)

    @extend_schema(responses=StatusSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="provider-statuses", pagination_class=None)
    def provider_statuses(self, request, pk=None):
        """The provider's order statuses, for your status mappings (empty unless the link is active)."""
        link = selectors.link_for_contractor(integration=self.get_object())
        statuses = selectors.partner_status_list(link=link, account=self.account)
        return Response(StatusSerializer(statuses, many=True).data)


# ------------------------------------------------------------------------------ contractors (provider)


class ContractorSerializer(fields.ModelSerializer):
    integration = serializers.IntegerField(source="provider_integration_id", read_only=True)
    company = serializers.CharField(source="contractor_account.name", read_only=True)
    vat_number = serializers.CharField(source="contractor_account.vat_number", read_only=True)
    credit_used = fields.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    credit_available = fields.DecimalField(max_digits=16, decimal_places=2, read_only=True, allow_null=True)

    class Meta:
        model = ContractorLink
        fields = [
            "id",
            "integration",
            "name",
            "company",
            "vat_number",
            "state",
            "state_changed_at",
            "joined_at",
            "disconnected_at",
            "range_mode",
            "range_categories",
            "range_tags",
            "range_products",
            "price_group",
            "credit_limit",
            "credit_currency",
            "credit_notes",
            "block_stock_below",
            "credit_used",
            "credit_available",
        ]
        read_only_fields = fields


class ContractorUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    state = serializers.ChoiceField(
        choices=ContractorLink.State.choices,
        required=False,
        help_text="active or blocked (activating also accepts a contractor awaiting approval).",
    )
    range_mode = serializers.ChoiceField(choices=ContractorLink.Range.choices, required=False)
    range_categories = _scoped(Category, many=True, required=False)
    range_tags = _scoped(Tag, many=True, required=False)
    range_products = _scoped(Product, many=True, required=False)
    price_group = _scoped(PriceGroup, required=False, allow_null=True)


class CreditSettingsSerializer(serializers.Serializer):
    credit_limit = fields.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    credit_currency = serializers.ChoiceField(choices=CURRENCY_CHOICES, required=False, allow_blank=True)
    credit_notes = serializers.CharField(required=False, allow_blank=True)
    block_stock_below = fields.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    message = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="Kept in the history."
    )


class CreditLimitSerializer(serializers.Serializer):
    new_limit = fields.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    message = serializers.CharField(required=False, allow_blank=True, max_length=500)


class CreditLimitSetSerializer(serializers.Serializer):
    new_limit_set = fields.DecimalField(max_digits=14, decimal_places=2)


class CreditEntrySerializer(fields.ModelSerializer):
    class Meta:
        model = CreditEntry
        fields = ["id", "kind", "amount", "currency", "order", "description", "actor", "created_at"]
        read_only_fields = fields


def _forwarded_order():
    return _scoped(
        Order,
        required=False,
        allow_null=True,
        help_text="One of the orders this contractor forwarded to you (your order's id).",
    )


class _LedgerEntrySerializer(serializers.Serializer):
    """A payment or an adjustment: ``order`` is one of the orders the contractor (``link`` in the
    context) forwarded to you; any other id, your other orders included, is answered like a missing one
    (the service refuses them too)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        link = self.context.get("link")
        if link is not None:
            self.fields["order"].queryset = selectors.credit_order_list(link=link)


class CreditPaymentSerializer(_LedgerEntrySerializer):
    amount = fields.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    description = serializers.CharField(required=False, allow_blank=True, max_length=500)
    order = _forwarded_order()


class CreditAdjustmentSerializer(_LedgerEntrySerializer):
    amount = fields.DecimalField(
        max_digits=14, decimal_places=2, help_text="Signed: positive gives credit back, negative takes it."
    )
    description = serializers.CharField(max_length=500)
    order = _forwarded_order()


class ContractorViewSet(
    AccountScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The contractors of the account's provider integrations, with their trade credit (getConnect-
    IntegrationContractors). Members read; owners and admins edit, block, set credit and write the
    ledger."""

    # Connect area of the role matrix: members read, owners and admins write (the services decide
    # again, so every way in obeys the same rule).
    area = roles.CONNECT
    queryset = (
        ContractorLink.objects.with_credit()
        .select_related("contractor_account")
        .prefetch_related("range_categories", "range_tags", "range_products")
    )
    account_field = "provider_account"
    serializer_class = ContractorSerializer
    filterset_class = ContractorFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    ordering = ["name", "id"]

    def _read(self, link) -> dict:
        return self.get_serializer(self.get_queryset().get(pk=link.pk)).data

    @extend_schema(request=ContractorUpdateSerializer, responses=ContractorSerializer)
    def partial_update(self, request, pk=None):
        """Name, state (active / blocked), the range of shared products and the price group."""
        link = self.get_object()
        body = ContractorUpdateSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        state = data.pop("state", None)
        try:
            services.contractor_edit(actor=self.tenant, link=link, state=state, **data)
        except DjangoValidationError as exc:
            _raise_for(exc)
        return Response(self._read(link))

    @extend_schema(request=CreditSettingsSerializer, responses=ContractorSerializer)
    @action(detail=True, methods=["patch"])
    def credit(self, request, pk=None):
        """Trade credit: limit (null = none), settlement currency, notes, block stock below."""
        link = self.get_object()
        body = CreditSettingsSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        message = data.pop("message", "")
        try:
            services.credit_settings_update(actor=self.tenant, link=link, message=message, **data)
        except DjangoValidationError as exc:
            _raise_for(exc)
        return Response(self._read(link))

    @extend_schema(request=CreditLimitSerializer, responses=CreditLimitSetSerializer)
    @action(detail=True, methods=["post"], url_path="credit-limit")
    def credit_limit(self, request, pk=None):
        """setConnectContractorCreditLimit: a new limit and a message kept in the history."""
        link = self.get_object()
        body = CreditLimitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            link = services.credit_limit_set(
                actor=self.tenant,
                link=link,
                new_limit=body.validated_data["new_limit"],
                message=body.validated_data.get("message", ""),
            )
        except DjangoValidationError as exc:
            _raise_for(exc)
        return Response(CreditLimitSetSerializer({"new_limit_set": link.credit_limit}).data)

    @extend_schema(responses=CreditEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def ledger(self, request, pk=None):
        """The ledger, newest first (getConnectContractorCreditHistory)."""
        entries = selectors.credit_entry_list(link=self.get_object())
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(CreditEntrySerializer(page, many=True).data)

    @extend_schema(request=CreditPaymentSerializer, responses={201: CreditEntrySerializer})
    @action(detail=True, methods=["post"])
    def payments(self, request, pk=None):
        """Record a payment the contractor made (addConnectContractorCreditSettlement)."""
        link = self.get_object()
        body = CreditPaymentSerializer(
            data=request.data, context={**self.get_serializer_context(), "link": link}
        )
        body.is_valid(raise_exception=True)
        try:
            entry = services.credit_payment_record(actor=self.tenant, link=link, **body.validated_data)
        except DjangoValidationError as exc:
            _raise_for(exc)
        return Response(CreditEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CreditAdjustmentSerializer, responses={201: CreditEntrySerializer})
    @action(detail=True, methods=["post"])
    def adjustments(self, request, pk=None):
        """Correct the ledger with a signed amount and a reason."""
        link = self.get_object()
        body = CreditAdjustmentSerializer(
            data=request.data, context={**self.get_serializer_context(), "link": link}
        )
        body.is_valid(raise_exception=True)
        try:
            entry = services.credit_adjust(actor=self.tenant, link=link, **body.validated_data)
        except DjangoValidationError as exc:
            _raise_for(exc)
        return Response(CreditEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=StatusSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def statuses(self, request, pk=None):
        """The contractor's order statuses, for your status mappings (empty unless the link is active)."""
        statuses = selectors.partner_status_list(link=self.get_object(), account=self.account)
        return Response(StatusSerializer(statuses, many=True).data)


# ---------------------------------------------------------------------------------- status mappings


class _OwnLinkField(fields.IdRelatedField):
    """A link the request's account is one side of (provider or contractor)."""

    def get_queryset(self):
        account = self.context.get("account")
        if account is None:
            return ContractorLink.objects.none()
        return ContractorLink.objects.filter(Q(provider_account=account) | Q(contractor_account=account))


class _PartnerStatusField(fields.IdRelatedField):
    """A status of an account the request's account has an open link with (the service then checks it
    is this link's partner). Any other id does not exist."""

    def get_queryset(self):
        account = self.context.get("account")
        if account is None:
            return OrderStatus.objects.none()
        return OrderStatus.objects.filter(
            Q(
                account_id__in=ContractorLink.objects.open()
                .filter(provider_account=account)
                .values("contractor_account_id")
            )
            | Q(
                account_id__in=ContractorLink.objects.open()
                .filter(contractor_account=account)
                .values("provider_account_id")
            )
        )


class StatusMappingSerializer(fields.ModelSerializer):
    link = _OwnLinkField(
        queryset=ContractorLink.objects.none(),  # get_queryset() gives the request's account's links
        help_text="A link you are one side of (provider or contractor).",
    )
    local_status = _scoped(OrderStatus, help_text="One of your statuses.")
    remote_status = _PartnerStatusField(
        queryset=OrderStatus.objects.none(),  # get_queryset() gives the partners' statuses
        help_text="One of the partner's statuses.",
    )

    class Meta:
        model = StatusMapping
        fields = ["id", "link", "direction", "local_status", "remote_status"]


class StatusMappingViewSet(
    AccountScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your status mapping tables, one row per status: ``send`` (your status → the partner's) and
    ``receive`` (the partner's status → yours), per link. Owners and admins change them."""

    # Connect area of the role matrix: members read, owners and admins write (the services decide
    # again, so every way in obeys the same rule).
    area = roles.CONNECT
    queryset = StatusMapping.objects.all()
    serializer_class = StatusMappingSerializer
    filterset_class = StatusMappingFilter
    ordering = ["link", "direction", "id"]

    def create(self, request):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            mapping = services.status_mapping_create(actor=self.tenant, **body.validated_data)
        except DjangoValidationError as exc:
            _raise_for(exc)
        return Response(self.get_serializer(mapping).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.status_mapping_delete(actor=self.tenant, mapping=instance)


# ---------------------------------------------------------------------------- the partner directory


class DirectoryEntrySerializer(serializers.ModelSerializer):
    """A listed entry as every account sees it: the verified name, description and logo."""

    name = serializers.CharField(source="listed_name")
    description = serializers.CharField(source="listed_description")
    orders = serializers.BooleanField(source="integration.orders_enabled", help_text="Takes your orders.")
    products = serializers.BooleanField(source="integration.products_enabled", help_text="Shares products.")
    logo_url = serializers.SerializerMethodField()
    website = UriReferenceField(read_only=True)

    class Meta:
        model = Publication
        fields = [
            "id",
            "name",
            "description",
            "countries",
            "industries",
            "services",
            "website",
            "orders",
            "products",
            "show_products",
            "approval_required",
            "show_prices",
            "logo_url",
            "listed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_logo_url(self, publication) -> str | None:
        if not getattr(publication, "has_logo", False):
            return None
        return reverse("connect:directory-logo", args=[publication.pk])


class DirectoryFilter(AccountFilterSet):
    search = filters.CharFilter(method="filter_search", help_text="Part of the listed name.")
    countries = filters.MultipleChoiceFilter(
        choices=directory.country_choices, method="filter_overlap", help_text="Serves any of these countries."
    )
    industries = filters.MultipleChoiceFilter(
        choices=Industry.choices, method="filter_overlap", help_text="In any of these industries."
    )
    services = filters.MultipleChoiceFilter(
        choices=ServiceType.choices, method="filter_overlap", help_text="Offers any of these services."
    )

    class Meta:
        model = Publication
        fields = ["search", "countries", "industries", "services"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(listed_name__icontains=value.replace("\x00", ""))

    def filter_overlap(self, queryset, name, value):
        return queryset.filter(**{f"{name}__overlap": list(value)}) if value else queryset


class DirectoryMessageSerializer(serializers.Serializer):
    reply_to = serializers.EmailField(help_text="Where the partner answers.")
    message = serializers.CharField(max_length=directory.MESSAGE_MAX_LENGTH)


class DirectoryProductSerializer(serializers.Serializer):
    """A product a directory entry shares, as a visitor sees it (``price`` null unless the provider
    shows prices publicly)."""

    id = serializers.IntegerField(source="pk")
    sku = serializers.CharField()
    ean = serializers.CharField()
    name = serializers.CharField(source="shared_name")
    stock = serializers.IntegerField(source="shared_stock")
    price = fields.DecimalField(max_digits=14, decimal_places=2, source="shared_price", allow_null=True)
    currency = serializers.SerializerMethodField()
    image = serializers.CharField(source="shared_image", allow_null=True)
    variant_count = serializers.IntegerField()

    @extend_schema_field(serializers.CharField())
    def get_currency(self, product) -> str:
        return self.context["currency"] if product.shared_price is not None else ""


class DirectoryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The public B2B partner directory: verified entries of every account (only their listed copy).
    Entries that are not listed (draft, waiting for their first verification, rejected, unpublished,
    private) do not exist here: 404. ``message`` e-mails the partner's contact (Get in touch)."""

    # Connect area: every member reads the directory; writing to a partner is an admin's act.
    area = roles.CONNECT
    queryset = Publication.objects.none()  # get_queryset(): the listed entries (connect.directory)
    serializer_class = DirectoryEntrySerializer
    filterset_class = DirectoryFilter
    http_method_names = ["get", "post", "head", "options"]

    default_error_messages = {
        **fields.IdRelatedField.default_error_messages,
        "does_not_exist": "This directory entry does not exist.",
    }

    def get_queryset(self):
        return directory.directory_list()

    def get_object(self):
        try:
            pk = fields.id_number(self.kwargs["pk"])
        except DjangoValidationError:
            raise Http404 from None
        publication = directory.directory_get(pk=pk)
        self.check_object_permissions(self.request, publication)
        return publication

    @extend_schema(
        responses=DirectoryProductSerializer(many=True),
        parameters=[OpenApiParameter("search", str, description="Part of the name, SKU or EAN.")],
    )
    @action(detail=True, methods=["get"])
    def products(self, request, pk=None):
        """See products: what the entry's integration shares, read-only (404 unless the provider shows
        products); prices only when it shows them publicly."""
        catalog = shared_catalog.shared_catalog_for_directory(publication=self.get_object())
        if catalog is None:
            raise Http404
        search = (request.query_params.get("search") or "").replace("\x00", "")[:200]
        products = shared_catalog.shared_product_list(catalog, search=search).order_by("pk")
        page = self.paginate_queryset(products)
        data = DirectoryProductSerializer(page, many=True, context={"currency": catalog.currency}).data
        return self.get_paginated_response(data)

    @extend_schema(request=DirectoryMessageSerializer, responses={202: None, 429: None})
    @action(detail=True, methods=["post"])
    def message(self, request, pk=None):
        """Get in touch: your message goes by e-mail to the partner's contact address with your
        account's name; answers go to ``reply_to``. Limited per account (HTTP 429)."""
        tenant = request_tenant(request)
        services.require_manager(tenant)
        publication = self.get_object()
        body = DirectoryMessageSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            directory.directory_message_send(actor=tenant, publication=publication, **body.validated_data)
        except DjangoValidationError as exc:
            _raise_for(exc)
        return Response(status=status.HTTP_202_ACCEPTED)


class PartnerRequestSerializer(fields.ModelSerializer):
    integration = serializers.IntegerField(source="provider_integration_id", read_only=True)
    contractor = serializers.IntegerField(source="link_id", read_only=True, help_text="The contractor's id.")
    company = serializers.CharField(source="contractor_account.name", read_only=True)
    vat_number = serializers.CharField(source="contractor_account.vat_number", read_only=True)

    class Meta:
        model = ConnectionRequest
        fields = [
            "id",
            "integration",
            "contractor",
            "company",
            "vat_number",
            "state",
            "answer_message",
            "answered_at",
            "answered_by",
            "created_at",
        ]
        read_only_fields = fields


class RequestAnswerSerializer(serializers.Serializer):
    message = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, help_text="The contractor reads it."
    )


class ConnectionRequestFilter(AccountFilterSet):
    integration = filters.NumberFilter(field_name="provider_integration_id")
    state = filters.ChoiceFilter(choices=ConnectionRequest.State.choices)

    class Meta:
        model = ConnectionRequest
        fields = ["integration", "state"]


class ConnectionRequestViewSet(
    AccountScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Connection requests the account received from the directory (its integrations that require
    approval). Accepting activates the contractor; rejecting leaves it waiting, and it may ask again
    after a cool-down. Members read; owners and admins answer."""

    area = roles.CONNECT
    queryset = ConnectionRequest.objects.select_related("contractor_account")
    account_field = "provider_account"
    serializer_class = PartnerRequestSerializer
    filterset_class = ConnectionRequestFilter
    http_method_names = ["get", "post", "head", "options"]
    ordering = ["-created_at", "-id"]

    def _answer(self, request, accept: bool):
        services.require_manager(self.tenant)
        connection_request = self.get_object()
        body = RequestAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            directory.request_answer(
                actor=self.tenant,
                request=connection_request,
                accept=accept,
                message=body.validated_data.get("message", ""),
            )
        except DjangoValidationError as exc:
            _raise_for(exc)
        return Response(self.get_serializer(self.get_queryset().get(pk=connection_request.pk)).data)

    @extend_schema(request=RequestAnswerSerializer, responses=PartnerRequestSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept: the contractor becomes active and everything the integration offers crosses."""
        return self._answer(request, True)

    @extend_schema(request=RequestAnswerSerializer, responses=PartnerRequestSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject, with an optional message; the contractor may ask again after the cool-down."""
        return self._answer(request, False)
