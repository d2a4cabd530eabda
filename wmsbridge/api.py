"""REST API of the WMS bridge: connections (password write-only), test, sync now, resume; run history."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import roles
from accounts.api_base import AccountScopedReadOnlyViewSet, AccountScopedRelatedField, AccountScopedViewSet
from accounts.models import Role
from catalog.models import Inventory, Warehouse
from config.api import api_validation_error
from orders.models import OrderStatus
from shipments.couriers import COURIER_CHOICES
from wmsbridge import services
from wmsbridge.filters import ConnectionFilter, SyncRunFilter
from wmsbridge.models import SyncKind, SyncRun, WmsConnection


class ConnectionSerializer(serializers.ModelSerializer):
    password = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text="Write-only. Required on create; left out or empty on update keeps the stored one.",
    )
    inventory = AccountScopedRelatedField(queryset=Inventory.objects.all())
    export_statuses = AccountScopedRelatedField(queryset=OrderStatus.objects.all(), many=True, required=False)
    stock_warehouse = AccountScopedRelatedField(
        queryset=Warehouse.objects.all(), required=False, allow_null=True
    )
    status_after_export = AccountScopedRelatedField(
        queryset=OrderStatus.objects.all(), required=False, allow_null=True
    )
    status_when_sent = AccountScopedRelatedField(
        queryset=OrderStatus.objects.all(), required=False, allow_null=True
    )
    label_courier = serializers.ChoiceField(choices=COURIER_CHOICES, required=False)
    webhook_url = serializers.SerializerMethodField(
        help_text="Secret URL for Ongoing's order webhook (admins only)."
    )

    class Meta:
        model = WmsConnection
        fields = [
            "id",
            "name",
            "base_url",
            "api_user",
            "password",
            "goods_owner_id",
            "inventory",
            "export_statuses",
            "export_orders_since",
            "stock_push",
            "stock_warehouse",
            "status_after_export",
            "status_when_sent",
            "label_courier",
            "label_print",
            "label_print_workstation_id",
            "label_print_report_id",
            "enabled",
            "paused_at",
            "paused_reason",
            "consecutive_failures",
            "next_attempt_at",
            "last_error",
            "webhook_url",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "paused_at",
            "paused_reason",
            "consecutive_failures",
            "next_attempt_at",
            "last_error",
            "created_at",
        ]

    def get_webhook_url(self, connection) -> str | None:
        tenant = self.context.get("tenant")
        request = self.context.get("request")
        if tenant is None or not tenant.has_role(Role.ADMIN) or request is None:
            return None
        return request.build_absolute_uri(reverse("wmsbridge:webhook", args=[connection.webhook_secret]))

    def create(self, validated_data):
        validated_data.pop("account", None)  # the request's account, given explicitly below
        try:
            return services.connection_create(
                account=self.context["account"],
                password=validated_data.pop("password", ""),
                export_statuses=validated_data.pop("export_statuses", []),
                **validated_data,
            )
        except DjangoValidationError as exc:
            raise api_validation_error(exc) from exc

    def update(self, instance, validated_data):
        try:
            return services.connection_update(
                connection=instance,
                password=validated_data.pop("password", None),
                export_statuses=validated_data.pop("export_statuses", None),
                **validated_data,
            )
        except DjangoValidationError as exc:
            raise api_validation_error(exc) from exc


class SyncRequestSerializer(serializers.Serializer):
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=SyncKind.choices), required=False, allow_empty=True
    )


class TestResultSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    reason = serializers.CharField()
    message = serializers.CharField()


class ConnectionViewSet(AccountScopedViewSet):
    """Ongoing WMS connections of the account. Members read; admins create, change, test and sync."""

    queryset = WmsConnection.objects.select_related("inventory").prefetch_related(
        Prefetch("export_statuses", queryset=OrderStatus.objects.only("pk"))
    )
    serializer_class = ConnectionSerializer
    area = roles.WMS
    filterset_class = ConnectionFilter
    ordering = ["name", "id"]

    def perform_destroy(self, instance):
        try:
            services.connection_delete(connection=instance)
        except DjangoValidationError as exc:
            raise api_validation_error(exc) from exc

    @extend_schema(request=None, responses=TestResultSerializer)
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """A real call to the WMS: says whether the URL, the credentials and the goods owner are right."""
        check = services.connection_test(connection=self.get_object())
        return Response(TestResultSerializer(check.__dict__).data)

    @extend_schema(
        request=SyncRequestSerializer,
        responses={202: inline_serializer("SyncQueued", {"queued": serializers.ListField()})},
    )
    @action(detail=True, methods=["post"])
    def sync(self, request, pk=None):
        """Start a sync now (all kinds, or ``kinds``); the runs appear in ``/wms-sync-runs/``."""
        from wmsbridge.tasks import wms_sync_connection

        connection = self.get_object()
        body = SyncRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        kinds = body.validated_data.get("kinds") or None
        services.sync_queued_mark(connection_id=connection.pk)
        wms_sync_connection.delay_on_commit(connection.pk, kinds, "api")
        return Response({"queued": kinds or list(SyncKind.values)}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        """Lift a pause (after repeated login failures) and the backoff."""
        try:
            connection = services.connection_resume(connection=self.get_object())
        except DjangoValidationError as exc:
            raise api_validation_error(exc) from exc
        return Response(self.get_serializer(connection).data)


class SyncRunMessageSerializer(serializers.Serializer):
    item = serializers.CharField(help_text="What the message is about: a SKU, an order (#id), or empty.")
    message = serializers.CharField(help_text="In the request's language.")


class SyncRunSerializer(serializers.ModelSerializer):
    duration = serializers.FloatField(read_only=True, allow_null=True)
    messages = serializers.SerializerMethodField()

    class Meta:
        model = SyncRun
        fields = [
            "id",
            "connection",
            "kind",
            "trigger",
            "status",
            "started_at",
            "finished_at",
            "duration",
            "created",
            "updated",
            "unchanged",
            "skipped",
            "failed",
            "progress_done",
            "progress_total",
            "requests",
            "writes",
            "messages",
        ]

    @extend_schema_field(SyncRunMessageSerializer(many=True))
    def get_messages(self, run) -> list[dict]:
        return run.messages_shown()


class SyncRunViewSet(AccountScopedReadOnlyViewSet):
    """The sync history of the account's connections, newest first."""

    area = roles.WMS
    queryset = SyncRun.objects.all()
    account_field = "connection__account"
    serializer_class = SyncRunSerializer
    filterset_class = SyncRunFilter
    ordering = ["-started_at", "-id"]
