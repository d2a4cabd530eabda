"""REST API of forwarding (``/api/v1/connect/forwards/``): forward one or many orders to a Connect
supplier, and read the forward state of orders on either side.

Thin: parse, call ``connect.forwarding.forward`` or a selector, render. Members may forward (like
pressing an order button); the service decides it again. Orders of another account are "do not exist"
like missing ones.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from accounts import roles
from accounts.api_base import AccountScopedMixin, AccountScopedRelatedField
from accounts.filters import AccountFilterSet
from config import fields
from connect import forwarding, selectors
from connect.api import _raise_for
from connect.models import ConnectIntegration, ForwardedOrder


class ForwardRequestSerializer(serializers.Serializer):
    orders = serializers.ListField(
        child=fields.IdField(),
        min_length=1,
        max_length=1000,
        help_text="Ids of your orders to forward (up to 1,000; each is forwarded at most once).",
    )
    integration = AccountScopedRelatedField(
        queryset=ConnectIntegration.objects.alive().filter(role=ConnectIntegration.Role.CONTRACTOR),
        required=False,
        help_text="Your supplier integration to forward to; left out: your only supplier that takes orders.",
    )


class ForwardedItemSerializer(serializers.Serializer):
    order = serializers.IntegerField(help_text="Your order.")
    provider_order = serializers.IntegerField(allow_null=True, help_text="The supplier's order made from it.")
    charged = fields.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, help_text="Charged to your trade credit."
    )
    currency = serializers.CharField(allow_blank=True)


class RefusedItemSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    reason = serializers.CharField()


class ForwardResultSerializer(serializers.Serializer):
    forwarded = ForwardedItemSerializer(many=True)
    refused = RefusedItemSerializer(many=True)
    already = ForwardedItemSerializer(many=True, help_text="Forwarded before (nothing done now).")


class ChargeSerializer(serializers.Serializer):
    amount = fields.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField()
    returned = serializers.BooleanField(help_text="Given back because the supplier cancelled its order.")


class ForwardedOrderSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField(
        help_text="contractor: your order was forwarded; provider: the order came to you."
    )
    partner = serializers.SerializerMethodField(
        help_text="The supplier, or the contractor, by your name for it."
    )
    state = serializers.SerializerMethodField()
    charge = serializers.SerializerMethodField()

    class Meta:
        model = ForwardedOrder
        fields = [
            "id",
            "role",
            "partner",
            "contractor_order",
            "provider_order",
            "state",
            "reason",
            "charge",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _is_contractor(self, row) -> bool:
        return row.contractor_account_id == self.context["account"].pk

    @extend_schema_field(serializers.ChoiceField(choices=["contractor", "provider"]))
    def get_role(self, row) -> str:
        return "contractor" if self._is_contractor(row) else "provider"

    def get_partner(self, row) -> str:
        return row.link.contractor_integration.display_name if self._is_contractor(row) else row.link.name

    @extend_schema_field(serializers.ChoiceField(choices=ForwardedOrder.State.choices))
    def get_state(self, row) -> str:
        return row.shown_state

    @extend_schema_field(ChargeSerializer(allow_null=True))
    def get_charge(self, row):
        if row.charge is None:
            return None
        return ChargeSerializer(
            {
                "amount": row.charge.amount,
                "currency": row.charge.currency,
                "returned": row.refund_id is not None,
            }
        ).data

    def to_representation(self, row):
        data = super().to_representation(row)
        if not self._is_contractor(row):
            data["reason"] = ""
        return data


class ForwardedOrderFilter(AccountFilterSet):
    order = filters.NumberFilter(method="filter_order", help_text="Your order (either side).")
    state = filters.ChoiceFilter(choices=ForwardedOrder.State.choices)

    class Meta:
        model = ForwardedOrder
        fields = ["order", "state"]

    def filter_order(self, queryset, name, value):
        return queryset.filter(Q(contractor_order_id=value) | Q(provider_order_id=value))


class ForwardViewSet(
    AccountScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Forwarded orders. POST forwards one or many of your orders to a Connect supplier: each is
    forwarded once (again: "already"), paid with your trade credit when the supplier gave you one, or
    refused with the reason (kept: the order's card shows it). GET lists the forwards you take part in,
    as the contractor (every one) or the provider (those you received); ``?order=`` gives one order's
    state."""

    area = roles.ORDERS
    queryset = ForwardedOrder.objects.all()
    serializer_class = ForwardedOrderSerializer
    filterset_class = ForwardedOrderFilter
    http_method_names = ["get", "post", "head", "options"]
    ordering = ["-id"]

    def get_queryset(self):
        return selectors.forwarded_order_list(account=self.account)

    @extend_schema(request=ForwardRequestSerializer, responses=ForwardResultSerializer)
    def create(self, request):
        body = ForwardRequestSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        try:
            result = forwarding.forward(
                actor=self.tenant,
                order_ids=body.validated_data["orders"],
                integration=body.validated_data.get("integration"),
            )
        except DjangoValidationError as exc:
            _raise_for(exc)

        def item(outcome):
            return {
                "order": outcome.order_id,
                "provider_order": outcome.provider_order_id,
                "charged": outcome.charged,
                "currency": outcome.currency,
            }

        return Response(
            ForwardResultSerializer(
                {
                    "forwarded": [item(o) for o in result.forwarded],
                    "refused": [{"order": o.order_id, "reason": str(o.reason)} for o in result.refused],
                    "already": [item(o) for o in result.already],
                }
            ).data
        )
