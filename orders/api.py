"""REST API of the orders app: statuses, orders with lines, status changes and the journal."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from accounts import roles
from accounts.api_base import AccountScopedMixin, AccountScopedRelatedField, AccountScopedViewSet
from catalog.models import Product, Warehouse
from catalog.services import StockShortfall
from changes.origin import Origin, origin_label_text
from config import fields
from config.api import api_validation_error
from orders import automation, services
from orders.filters import JournalFilter, OrderFilter, OrderLineFilter
from orders.line_sources import external_get
from orders.models import (
    AutomationRule,
    CustomButton,
    JournalEntry,
    Order,
    OrderExtraField,
    OrderLine,
    OrderSource,
    OrderStatus,
)
from orders.selectors import orders_json


def _raise_for(exc: StockShortfall | DjangoValidationError):
    """A service's refusal as a 400: a stock shortfall under ``lines`` with every short line as
    numbers beside it (``shortfall``), a validation error as every API's."""
    if isinstance(exc, StockShortfall):
        error = serializers.ValidationError({"lines": [str(exc)]})
        error.extra_data = {"shortfall": [dict(line.__dict__) for line in exc.lines]}
        raise error from exc
    raise api_validation_error(exc) from exc


class OrderStatusSerializer(fields.ModelSerializer):
    class Meta:
        model = OrderStatus
        fields = ["id", "name", "name_for_customer", "color", "position", "kind"]


class OrderLineSerializer(fields.ModelSerializer):
    product = AccountScopedRelatedField(queryset=Product.objects.all(), required=False, allow_null=True)
    warehouse = AccountScopedRelatedField(queryset=Warehouse.objects.all(), required=False, allow_null=True)
    name = serializers.CharField(max_length=200, required=False)
    quantity = fields.IntegerField(min_value=1)
    price_brutto = fields.DecimalField(max_digits=14, decimal_places=2, min_value=0)

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


class OrderSerializer(fields.ModelSerializer):
    source = AccountScopedRelatedField(queryset=OrderSource.objects.all(), required=False)
    status = AccountScopedRelatedField(queryset=OrderStatus.objects.all(), required=False)
    lines = OrderLineSerializer(many=True)
    currency = serializers.ChoiceField(choices=Order._meta.get_field("currency").choices, required=False)
    custom_extra_fields = serializers.DictField(
        child=fields.JSONField(),
        required=False,
        help_text="The account's order extra field id → value (checked against the field's kind).",
    )

    class Meta:
        model = Order
        fields = ORDER_FIELDS
        read_only_fields = ["id", "date_add", "date_in_status", "is_technical"]
        extra_kwargs = {
            "confirmed": {
                "help_text": "Confirmed orders are the ones getOrders lists (and integrations fetch); "
                "true when omitted on create."
            },
            "date_confirmed": {
                "help_text": "Set when the order is confirmed (now, unless given); null while not."
            },
        }

    def create(self, validated_data):
        lines = validated_data.pop("lines")
        # An order sent in by hand is confirmed (as addOrder's are), unless the caller says otherwise.
        validated_data.setdefault("confirmed", True)
        try:
            return services.order_create(
                account=self.context["account"],
                lines=lines,
                origin=Origin.of_tenant(self.context["tenant"]),
                **validated_data,
            )
        except (StockShortfall, DjangoValidationError) as exc:
            _raise_for(exc)

    def update(self, instance, validated_data):
        validated_data.pop("lines", None)
        if "status" in validated_data:
            raise serializers.ValidationError({"status": ["Change the status with POST …/status/."]})
        if "payment_done" in validated_data:
            raise serializers.ValidationError({"payment_done": ["Record payments with POST …/payment/."]})
        try:
            return services.order_update(
                order=instance, origin=Origin.of_tenant(self.context["tenant"]), **validated_data
            )
        except DjangoValidationError as exc:
            _raise_for(exc)

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            # Lines of an existing order change through /order-lines/.
            fields["lines"] = OrderLineSerializer(many=True, read_only=True)
        return fields


class PaymentSerializer(serializers.Serializer):
    payment_done = fields.DecimalField(max_digits=14, decimal_places=2, min_value=0)


class StatusChangeSerializer(serializers.Serializer):
    status = AccountScopedRelatedField(
        queryset=OrderStatus.objects.all(), help_text="One of the account's order statuses."
    )


class _OrdersField(serializers.Serializer):
    orders = AccountScopedRelatedField(queryset=Order.objects.all(), many=True, allow_empty=False)


class MergeSerializer(_OrdersField):
    main = AccountScopedRelatedField(
        queryset=Order.objects.all(),
        required=False,
        help_text="The order whose buyer, delivery and invoice data the technical order takes; one of "
        "`orders`. Left out: the first of `orders`.",
    )


class BulkStatusSerializer(_OrdersField):
    status = AccountScopedRelatedField(queryset=OrderStatus.objects.all())


class ButtonPressSerializer(_OrdersField):
    button = AccountScopedRelatedField(queryset=CustomButton.objects.all())


class OrderBulkResultSerializer(serializers.Serializer):
    done = serializers.ListField(child=serializers.IntegerField())
    failed = serializers.DictField(child=serializers.CharField())


class OrderViewSet(
    AccountScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Orders with their lines. Create with lines (catalog lines take stock); PATCH any field (each
    change is journaled); change the status, payment, lines and merges by their actions."""

    area = roles.ORDERS
    queryset = Order.objects.prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))
    serializer_class = OrderSerializer
    filterset_class = OrderFilter
    ordering_fields = ["id", "date_add", "date_in_status"]

    def perform_create(self, serializer):
        serializer.save()

    def list(self, request, *args, **kwargs):
        """The page's orders are built as JSON by PostgreSQL in one query (same fields and formats as
        the serializer); other renderers and non-UTC time zones take the serializer's way."""
        if (
            not isinstance(request.accepted_renderer, JSONRenderer)
            or timezone.get_current_timezone_name() != "UTC"
        ):
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset()).prefetch_related(None)
        ids = queryset.values_list("id", flat=True)
        page = self.paginator.paginate_queryset_lazy(ids, request, view=self)
        results = orders_json(
            ids if page is None else page,
            order_fields=ORDER_FIELDS,
            line_fields=OrderLineSerializer.Meta.fields,
        )
        if page is None:
            return HttpResponse(results, content_type="application/json")
        envelope = json.dumps(
            {
                "count": self.paginator.page.paginator.count,
                "next": self.paginator.get_next_link(),
                "previous": self.paginator.get_previous_link(),
            },
            separators=(",", ":"),
        )
        return HttpResponse(f'{envelope[:-1]},"results":{results}}}', content_type="application/json")

    @extend_schema(request=StatusChangeSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        """Move the order to another status (body: ``{"status": id}``). Cancelling returns its stock."""
        order = self.get_object()
        data = StatusChangeSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        new_status = data.validated_data["status"]
        try:
            order = services.order_set_status(
                order=order, status=new_status, origin=Origin.of_tenant(self.tenant)
            )
        except (StockShortfall, DjangoValidationError) as exc:
            _raise_for(exc)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=order.pk)).data, status=status.HTTP_200_OK
        )

    @extend_schema(request=PaymentSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"], url_path="payment")
    def payment(self, request, pk=None):
        """Record the amount paid so far (``payment_done``); reaching the total journals "order paid"."""
        order = self.get_object()
        data = PaymentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.order_payment_set(
                order=order,
                payment_done=data.validated_data["payment_done"],
                origin=Origin.of_tenant(self.tenant),
            )
        except DjangoValidationError as exc:
            _raise_for(exc)
        return Response(self.get_serializer(self.get_queryset().get(pk=order.pk)).data)

    @extend_schema(request=MergeSerializer, responses={201: OrderSerializer})
    @action(detail=False, methods=["post"], url_path="merge")
    def merge(self, request):
        """Merge orders (same currency) into a new technical order that takes no stock. Its buyer,
        delivery and invoice data come from ``main`` (one of ``orders``; by default the first)."""
        data = MergeSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        orders = data.validated_data["orders"]
        try:
            technical = services.orders_merge(
                account=self.account,
                orders=orders,
                main=data.validated_data.get("main") or orders[0],
                origin=Origin.of_tenant(self.tenant),
            )
        except DjangoValidationError as exc:
            _raise_for(exc)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=technical.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=BulkStatusSerializer, responses=OrderBulkResultSerializer)
    @action(detail=False, methods=["post"], url_path="bulk-status")
    def bulk_status(self, request):
        """Move several orders to one status; each move is its own change (journaled, stock as usual).
        Orders that cannot move (stock gone) are reported in ``failed`` and the others still move."""
        data = BulkStatusSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        done, failed = [], {}
        for order in data.validated_data["orders"]:
            try:
                services.order_set_status(
                    order=order, status=data.validated_data["status"], origin=Origin.of_tenant(self.tenant)
                )
                done.append(order.pk)
            except (StockShortfall, DjangoValidationError) as exc:
                failed[str(order.pk)] = (
                    str(exc) if isinstance(exc, StockShortfall) else "; ".join(exc.messages)
                )
        return Response({"done": done, "failed": failed})

    @extend_schema(request=ButtonPressSerializer, responses={202: OrderBulkResultSerializer})
    @action(detail=False, methods=["post"], url_path="button")
    def button(self, request):
        """Press a custom button for one or more orders: its automatic actions run in the background."""
        data = ButtonPressSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        orders = data.validated_data["orders"]
        services.button_press(
            account=self.account,
            button=data.validated_data["button"],
            orders=orders,
            origin=Origin.of_tenant(self.tenant),
        )
        return Response({"done": [o.pk for o in orders], "failed": {}}, status=status.HTTP_202_ACCEPTED)


class OrderLineWriteSerializer(OrderLineSerializer):
    order = AccountScopedRelatedField(queryset=Order.objects.all())
    external_product = fields.IdField(
        source="external_product_id",
        required=False,
        allow_null=True,
        help_text='A product of a supplier\'s shared catalog (with storage "connect" and storage_id, your '
        "Connect integration with the supplier): the line keeps a reference to it.",
    )
    storage = serializers.CharField(
        required=False, max_length=20, help_text='"db" (your catalog) or "connect" with external_product.'
    )
    storage_id = fields.IdField(
        required=False, help_text="With external_product: your Connect integration's id."
    )

    class Meta(OrderLineSerializer.Meta):
        fields = ["order", *OrderLineSerializer.Meta.fields, "external_product", "reserved"]
        read_only_fields = [
            *(f for f in OrderLineSerializer.Meta.read_only_fields if f not in ("storage", "storage_id")),
            "reserved",
        ]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            for name in ("order", "product", "warehouse", "external_product", "storage", "storage_id"):
                fields[name].read_only = True
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        external_id = attrs.pop("external_product_id", None)
        storage = attrs.pop("storage", None)
        storage_id = attrs.pop("storage_id", None)
        if external_id is None:
            return attrs
        found = external_get(
            account=self.context["account"],
            storage=storage or "connect",
            storage_id=storage_id or 0,
            external_product_id=external_id,
        )
        if found is None:
            raise serializers.ValidationError(
                {"external_product": ["There is no such product in that supplier's shared catalog."]}
            )
        attrs["external"] = found
        if attrs.get("price_brutto") is None and found.price is not None:
            attrs["price_brutto"] = found.price
        return attrs

    def create(self, validated_data):
        order = validated_data.pop("order")
        validated_data = {k: v for k, v in validated_data.items() if v is not None}
        try:
            return services.line_add(
                order=order, origin=Origin.of_tenant(self.context["tenant"]), **validated_data
            )
        except (StockShortfall, DjangoValidationError) as exc:
            _raise_for(exc)

    def update(self, instance, validated_data):
        try:
            return services.line_update(
                line=instance, origin=Origin.of_tenant(self.context["tenant"]), **validated_data
            )
        except (StockShortfall, DjangoValidationError) as exc:
            _raise_for(exc)


class OrderLineViewSet(AccountScopedViewSet):
    """Lines of orders: add (a catalog line takes stock), change quantity/price (stock follows), remove
    (stock comes back). Every change is journaled on its order."""

    area = roles.ORDERS
    queryset = OrderLine.objects.select_related("order")
    serializer_class = OrderLineWriteSerializer
    account_field = "order__account"
    filterset_class = OrderLineFilter

    def perform_destroy(self, instance):
        services.line_remove(line=instance, origin=Origin.of_tenant(self.tenant))


class OrderSettingViewSet(AccountScopedViewSet):
    """The account's order settings (statuses, sources, extra fields, buttons, automatic actions): the
    serializer reads the request, ``orders.services`` writes — the services the settings pages call, with
    the request's actor, so the same rules and roles hold."""

    area = roles.ORDER_SETTINGS
    pagination_class = None

    def save_row(self, row):
        return services.order_setting_save(actor=self.tenant, row=row)

    def delete_row(self, row):
        services.order_setting_delete(actor=self.tenant, row=row)

    def perform_create(self, serializer):
        self._save(serializer, serializer.Meta.model(account=self.account))

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    def _save(self, serializer, row):
        for name, value in serializer.validated_data.items():
            setattr(row, name, value)
        try:
            serializer.instance = self.save_row(row)
        except DjangoValidationError as exc:
            raise api_validation_error(exc) from exc

    def perform_destroy(self, instance):
        try:
            self.delete_row(instance)
        except DjangoValidationError as exc:
            raise api_validation_error(exc) from exc


class OrderSourceSerializer(fields.ModelSerializer):
    class Meta:
        model = OrderSource
        fields = ["id", "kind", "name"]


class OrderSourceViewSet(OrderSettingViewSet):
    """Order sources; one that orders come from cannot be deleted (400, saying so)."""

    queryset = OrderSource.objects.all()
    serializer_class = OrderSourceSerializer


class OrderExtraFieldSerializer(fields.ModelSerializer):
    options = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=500
    )

    class Meta:
        model = OrderExtraField
        fields = ["id", "name", "kind", "options"]

    def validate(self, attrs):
        kind = attrs.get("kind", getattr(self.instance, "kind", None))
        options = attrs.get("options", getattr(self.instance, "options", []))
        if kind == OrderExtraField.Kind.SELECT and not options:
            raise serializers.ValidationError({"options": ["A choice list needs at least one option."]})
        return attrs


class OrderExtraFieldViewSet(OrderSettingViewSet):
    queryset = OrderExtraField.objects.all()
    serializer_class = OrderExtraFieldSerializer


class CustomButtonSerializer(fields.ModelSerializer):
    class Meta:
        model = CustomButton
        fields = ["id", "name", "color"]


class CustomButtonViewSet(OrderSettingViewSet):
    queryset = CustomButton.objects.all()
    serializer_class = CustomButtonSerializer


class AutomationRuleSerializer(fields.ModelSerializer):
    event_status = AccountScopedRelatedField(
        queryset=OrderStatus.objects.all(), required=False, allow_null=True
    )
    event_button = AccountScopedRelatedField(
        queryset=CustomButton.objects.all(), required=False, allow_null=True
    )
    conditions = fields.JSONField(required=False)
    actions = fields.JSONField(
        help_text='A list of {"type": key, ...its fields}: {"type": "set_status", "status": id}, '
        '{"type": "add_comment", "text": "…"}, {"type": "create_package", "courier": code}, or a type '
        "another app registers (the rules form lists them all)."
    )

    class Meta:
        model = AutomationRule
        fields = [
            "id",
            "name",
            "enabled",
            "event",
            "event_status",
            "event_button",
            "conditions",
            "actions",
            "position",
        ]

    def validate(self, attrs):
        account = self.context["account"]
        errors = {}
        for key, clean in (
            ("conditions", automation.conditions_clean),
            ("actions", automation.actions_clean),
        ):
            if key in attrs:
                try:
                    attrs[key] = clean(account=account, **{key: attrs[key]})
                except DjangoValidationError as exc:
                    errors.update(exc.message_dict)
        if errors:
            raise serializers.ValidationError(errors)
        event = attrs.get("event", getattr(self.instance, "event", None))
        button = attrs.get("event_button", getattr(self.instance, "event_button", None))
        if event == AutomationRule.Event.BUTTON and button is None:
            raise serializers.ValidationError({"event_button": ["Choose the button that fires this rule."]})
        return attrs


class AutomationRuleViewSet(OrderSettingViewSet):
    """Automatic actions: event → conditions → actions (see the README for the JSON shapes)."""

    queryset = AutomationRule.objects.all()
    serializer_class = AutomationRuleSerializer

    def save_row(self, row):
        return services.rule_save(actor=self.tenant, rule=row)

    def delete_row(self, row):
        services.rule_delete(actor=self.tenant, rule=row)


class OrderStatusViewSet(OrderSettingViewSet):
    """The account's order statuses; one that orders or automatic actions use cannot be deleted (400)."""

    queryset = OrderStatus.objects.all()
    serializer_class = OrderStatusSerializer


class JournalEntrySerializer(fields.ModelSerializer):
    """A journal entry as BaseLinker's getJournalList has it, plus who did it: ``origin_kind`` (user,
    token, automation, wms, connect, system), ``origin_id`` (which one) and ``actor`` (in words)."""

    log_id = serializers.IntegerField(source="id")
    log_type = serializers.IntegerField(source="type")
    order_id = serializers.IntegerField()
    actor = serializers.SerializerMethodField()

    class Meta:
        model = JournalEntry
        fields = [
            "log_id",
            "log_type",
            "order_id",
            "object_id",
            "actor",
            "origin_kind",
            "origin_id",
            "created_at",
        ]

    def get_actor(self, entry: JournalEntry) -> str:
        return origin_label_text(entry.origin_kind, entry.origin_label)


class JournalViewSet(AccountScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The order journal, ascending; ``?from_id=N`` returns entries with id ≥ N (inclusive, as BaseLinker)."""

    area = roles.ORDERS
    queryset = JournalEntry.objects.order_by("id")
    serializer_class = JournalEntrySerializer
    filterset_class = JournalFilter

    @extend_schema(parameters=[OpenApiParameter("from_id", int, description="first entry id (inclusive)")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        from_id = self.request.query_params.get("from_id")
        if from_id:
            try:
                first = fields.whole_number(from_id, min_value=0, max_value=fields.ID_MAX)
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"from_id": exc.messages}) from None
            queryset = queryset.filter(id__gte=first)
        return queryset
