"""REST API of the shared catalog: browse a supplier's shared products, and import them.

``/api/v1/connect/shared-catalogs/{integration}/products/`` lists what the supplier behind one of the
account's contractor integrations shares now (404 while the link is not open);
``/api/v1/connect/imports/`` saves an import and starts it (202; progress at ``/api/v1/imports/{job}/``
or here under ``last_job``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import roles
from accounts.api_base import AccountScopedMixin, AccountScopedRelatedField
from accounts.tenancy import request_tenant
from catalog.models import ImportJob, Inventory, Product
from config import fields
from connect.api import _raise_for
from connect.imports import connect_import_create, connect_import_start
from connect.models import ConnectImport, ConnectIntegration
from connect.shared_catalog import shared_catalog_get, shared_product_get, shared_product_list


class SharedProductSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    sku = serializers.CharField()
    ean = serializers.CharField()
    name = serializers.CharField(source="shared_name", help_text="In the language the supplier shares.")
    stock = serializers.IntegerField(
        source="shared_stock", help_text="In the supplier's source warehouse; 0 while stock is blocked."
    )
    price = serializers.DecimalField(
        source="shared_price",
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        help_text="None: no price shared.",
    )
    currency = serializers.SerializerMethodField()
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    weight = serializers.DecimalField(max_digits=10, decimal_places=3)
    is_bundle = serializers.BooleanField()
    category = serializers.IntegerField(source="category_id", allow_null=True)
    image = serializers.CharField(
        source="shared_image", help_text="The first image ('' when none is shared)."
    )
    variant_count = serializers.IntegerField()

    def get_currency(self, product) -> str:
        return self.context["catalog"].currency


class _Component(serializers.Serializer):
    product = serializers.IntegerField()
    quantity = serializers.IntegerField()


class SharedProductDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="product.pk")
    parent = serializers.IntegerField(source="product.parent_id", allow_null=True)
    sku = serializers.CharField(source="product.sku")
    ean = serializers.CharField(source="product.ean")
    name = serializers.CharField()
    description = serializers.CharField(help_text="Empty when descriptions are not shared.")
    features = serializers.SerializerMethodField()
    extra_fields = serializers.SerializerMethodField()
    images = serializers.ListField(child=serializers.CharField())
    stock = serializers.IntegerField()
    price = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    tax_rate = serializers.DecimalField(source="product.tax_rate", max_digits=5, decimal_places=2)
    weight = serializers.DecimalField(source="product.weight", max_digits=10, decimal_places=3)
    category = serializers.CharField()
    manufacturer = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    variants = serializers.SerializerMethodField()
    components = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.ListField(child=serializers.CharField())))
    def get_features(self, item) -> list:
        return [list(pair) for pair in item.features]

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_extra_fields(self, item) -> dict:
        """Keyed by your extra field's id (fields of the same name as the ones the supplier passes)."""
        return {str(key): value for key, value in item.extra_fields.items()}

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_variants(self, item) -> list:
        return [variant.pk for variant in item.variants]

    @extend_schema_field(_Component(many=True))
    def get_components(self, item) -> list:
        return [{"product": component.pk, "quantity": quantity} for component, quantity in item.components]


_INTEGRATION = OpenApiParameter(
    "integration_pk", int, OpenApiParameter.PATH, description="Your Connect integration with the supplier."
)


class SharedProductViewSet(viewsets.GenericViewSet):
    """A supplier's shared products, as the supplier shares them with you now (read-only)."""

    area = roles.PRODUCTS
    serializer_class = SharedProductSerializer
    # Rows come only from the shared catalog's selectors (``_catalog``); this is for the schema.
    queryset = Product.objects.none()

    def _catalog(self):
        tenant = request_tenant(self.request)
        return shared_catalog_get(account=tenant.account, pk=self.kwargs["integration_pk"])

    @extend_schema(
        parameters=[
            _INTEGRATION,
            OpenApiParameter("search", str, description="Name, SKU or EAN contains."),
            OpenApiParameter("category", int, description="A shared category (with its subcategories)."),
            OpenApiParameter("variants", bool, description="Variants too (default: main products only)."),
        ],
        responses=SharedProductSerializer(many=True),
    )
    def list(self, request, integration_pk=None):
        catalog = self._catalog()
        search = (request.query_params.get("search") or "").replace("\x00", "")[:200]
        category = request.query_params.get("category")
        try:
            category = fields.id_number(category) if category else None
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"category": exc.messages}) from exc
        variants = request.query_params.get("variants") in ("1", "true", "True")
        queryset = shared_product_list(catalog, search=search, category=category, variants=variants).order_by(
            "pk"
        )
        page = self.paginate_queryset(queryset)
        body = SharedProductSerializer(page, many=True, context={"catalog": catalog})
        return self.get_paginated_response(body.data)

    @extend_schema(
        parameters=[_INTEGRATION, OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses=SharedProductDetailSerializer,
    )
    def retrieve(self, request, integration_pk=None, pk=None):
        catalog = self._catalog()
        try:
            product_id = fields.id_number(pk)
        except DjangoValidationError:
            from django.http import Http404

            raise Http404 from None
        item = shared_product_get(catalog, pk=product_id)
        return Response(SharedProductDetailSerializer(item).data)


# ----------------------------------------------------------------------------------------- imports


class _LastJobSerializer(fields.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    status = serializers.CharField(read_only=True, help_text="queued, running, done or failed")

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "status",
            "total_rows",
            "processed_rows",
            "percent",
            "created_count",
            "updated_count",
            "unchanged_count",
            "error_count",
            "message",
        ]
        read_only_fields = fields


class ConnectImportSerializer(fields.ModelSerializer):
    integration = AccountScopedRelatedField(
        queryset=ConnectIntegration.objects.filter(
            role=ConnectIntegration.Role.CONTRACTOR, deleted_at__isnull=True
        ),
        help_text="Your Connect integration with the supplier.",
    )
    inventory = AccountScopedRelatedField(
        queryset=Inventory.objects.all(), help_text="The catalog to import into."
    )
    category_ids = serializers.ListField(
        child=fields.IdField(), required=False, max_length=10_000, help_text="The supplier's category ids."
    )
    product_ids = serializers.ListField(
        child=fields.IdField(), required=False, max_length=100_000, help_text="The supplier's product ids."
    )
    last_job = _LastJobSerializer(read_only=True)

    class Meta:
        model = ConnectImport
        fields = [
            "id",
            "integration",
            "inventory",
            "scope",
            "category_ids",
            "product_ids",
            "keep_importing",
            "valid_rows_only",
            "created_at",
            "last_job",
            "last_run_at",
            "last_trigger",
            "last_created",
            "last_updated",
            "last_unshared",
            "last_problems",
            "last_message",
        ]
        read_only_fields = [
            "id",
            "created_at",
            "last_job",
            "last_run_at",
            "last_trigger",
            "last_created",
            "last_updated",
            "last_unshared",
            "last_problems",
            "last_message",
        ]


class ConnectImportViewSet(
    AccountScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Imports from a Connect supplier's shared catalog: start one (202), read its progress and what its
    last run did, run it again."""

    area = roles.PRODUCTS
    queryset = ConnectImport.objects.select_related("last_job")
    serializer_class = ConnectImportSerializer
    ordering = ["-created_at", "-id"]

    @extend_schema(responses={202: ConnectImportSerializer})
    def create(self, request):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            saved = connect_import_create(
                actor=self.tenant,
                integration=data["integration"],
                inventory=data["inventory"],
                scope=data.get("scope", ConnectImport.Scope.ALL),
                category_ids=data.get("category_ids"),
                product_ids=data.get("product_ids"),
                keep_importing=data.get("keep_importing", False),
                valid_rows_only=data.get("valid_rows_only", False),
            )
        except DjangoValidationError as exc:
            _raise_for(exc)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=saved.pk)).data, status=status.HTTP_202_ACCEPTED
        )

    @extend_schema(request=None, responses={202: ConnectImportSerializer})
    @action(detail=True, methods=["post"])
    def run(self, request, pk=None):
        """Run the import again now (a new job with its own progress)."""
        saved = self.get_object()
        try:
            connect_import_start(actor=self.tenant, saved=saved)
        except DjangoValidationError as exc:
            _raise_for(exc)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=saved.pk)).data, status=status.HTTP_202_ACCEPTED
        )
