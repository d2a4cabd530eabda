"""REST API of the orders app: statuses, orders with lines, status changes and the journal."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api_base import AccountScopedMixin, AccountScopedRelatedField, AccountScopedViewSet
from accounts.models import Role
from catalog.models import Product, Warehouse
from catalog.services import StockShortfall
from orders import services
from orders.models import JournalEntry, Order, OrderLine, OrderSource, OrderStatus


def _raise_for(exc: Exception):
    if isinstance(exc, StockShortfall):
        error = serializers.ValidationError({"lines": [str(exc)]})
        error.extra_data = {"shortfall": [dict(line.__dict__) for line in exc.lines]}
        raise error from exc
    if isinstance(exc, DjangoValidationError):
        raise serializers.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        ) from exc
    raise exc


class OrderStatusSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderStatus
        fields = ["id", "name", "name_for_customer", "color", "position", "kind"]


class OrderLineSerializer(serializers.ModelSerializer):
    product = AccountScopedRelatedField(queryset=Product.objects.all(), required=False, allow_null=True)
    warehouse = AccountScopedRelatedField(queryset=Warehouse.objects.all(), required=False, allow_null=True)
    name = serializers.CharField(max_length=200, required=False)
    quantity = serializers.IntegerField(min_value=1)
    price_brutto = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "product",
            "warehouse",
            "storage",
            "storage_id",
            "variant_id",
            "sku",
            "ean",
            "name",
            "attributes",
            "price_brutto",
            "tax_rate",
            "quantity",
            "weight",
        ]
        read_only_fields = ["id", "storage", "storage_id", "variant_id", "weight"]


ORDER_FIELDS = [
    "id",
    "source",
    "status",
    "date_add",
    "date_in_status",
    "confirmed",
    "date_confirmed",
    "shop_order_id",
    "external_order_id",
    "user_login",
    "email",
    "phone",
    "user_comments",
    "admin_comments",
    "currency",
    "payment_method",
    "payment_method_cod",
    "payment_done",
    "delivery_method",
    "delivery_price",
    "delivery_package_module",
    "delivery_package_nr",
    "delivery_fullname",
    "delivery_company",
    "delivery_address",
    "delivery_city",
    "delivery_state",
    "delivery_postcode",
    "delivery_country_code",
    "delivery_point_id",
    "delivery_point_name",
    "delivery_point_address",
    "delivery_point_postcode",
    "delivery_point_city",
    "invoice_fullname",
    "invoice_company",
    "invoice_nip",
    "invoice_address",
    "invoice_city",
    "invoice_state",
    "invoice_postcode",
    "invoice_country_code",
    "want_invoice",
    "extra_field_1",
    "extra_field_2",
    "custom_extra_fields",
    "star",
    "is_technical",
    "lines",
]


class OrderSerializer(serializers.ModelSerializer):
    source = AccountScopedRelatedField(queryset=OrderSource.objects.all(), required=False)
    status = AccountScopedRelatedField(queryset=OrderStatus.objects.all(), required=False)
    lines = OrderLineSerializer(many=True)
    currency = serializers.ChoiceField(choices=Order._meta.get_field("currency").choices, required=False)

    class Meta:
        model = Order
        fields = ORDER_FIELDS
        read_only_fields = ["id", "date_add", "date_in_status", "is_technical"]

    def create(self, validated_data):
        lines = validated_data.pop("lines")
        try:
            return services.order_create(
                account=self.context["account"],
                lines=lines,
                actor=self.context["tenant"].actor_label,
                **validated_data,
            )
        except (StockShortfall, DjangoValidationError) as exc:
            _raise_for(exc)

    def update(self, instance, validated_data):
        raise serializers.ValidationError({"non_field_errors": ["Orders are changed through their actions."]})


class OrderFilter(filters.FilterSet):
    date_from = filters.IsoDateTimeFilter(field_name="date_add", lookup_expr="gte")
    date_to = filters.IsoDateTimeFilter(field_name="date_add", lookup_expr="lte")

    class Meta:
        model = Order
        fields = ["status", "source", "email", "external_order_id", "currency", "is_technical"]


class OrderViewSet(
    AccountScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Orders with their lines. Create with lines (catalog lines take stock); change the status by action."""

    queryset = Order.objects.prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))
    serializer_class = OrderSerializer
    filterset_class = OrderFilter
    ordering_fields = ["id", "date_add", "date_in_status"]

    def perform_create(self, serializer):
        serializer.save()

    @extend_schema(request=OrderStatusSerializer(partial=True), responses=OrderSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        """Move the order to another status (body: ``{"status": id}``). Cancelling returns its stock."""
        order = self.get_object()
        status_id = request.data.get("status")
        new_status = (
            OrderStatus.objects.filter(account=self.account, pk=status_id).first() if status_id else None
        )
        if new_status is None:
            raise serializers.ValidationError({"status": ["Choose one of this account's statuses."]})
        try:
            order = services.order_set_status(order=order, status=new_status, actor=self.tenant.actor_label)
        except (StockShortfall, DjangoValidationError) as exc:
            _raise_for(exc)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=order.pk)).data, status=status.HTTP_200_OK
        )


class OrderStatusViewSet(AccountScopedViewSet):
    queryset = OrderStatus.objects.all()
    serializer_class = OrderStatusSerializer
    write_role = Role.ADMIN
    pagination_class = None


class JournalEntrySerializer(serializers.ModelSerializer):
    log_id = serializers.IntegerField(source="id")
    log_type = serializers.IntegerField(source="type")
    order_id = serializers.IntegerField()

    class Meta:
        model = JournalEntry
        fields = ["log_id", "log_type", "order_id", "object_id", "actor", "created_at"]


class JournalViewSet(AccountScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The order journal, ascending; ``?from_id=N`` returns entries with id ≥ N (inclusive, as BaseLinker)."""

    queryset = JournalEntry.objects.order_by("id")
    serializer_class = JournalEntrySerializer
    filterset_fields = ["order", "type"]

    @extend_schema(parameters=[OpenApiParameter("from_id", int, description="first entry id (inclusive)")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        from_id = self.request.query_params.get("from_id")
        if from_id:
            if not from_id.isdigit():
                raise serializers.ValidationError({"from_id": ["A whole number."]})
            queryset = queryset.filter(id__gte=int(from_id))
        return queryset
