"""REST API of the shipments app: packages of orders, their labels and tracking events, the couriers."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import roles
from accounts.api_base import AccountScopedMixin, AccountScopedRelatedField
from changes.origin import Origin
from config import fields
from config.api import api_validation_error
from orders.models import Order
from shipments import selectors, services
from shipments.filters import PackageFilter
from shipments.models import DIMENSION, WEIGHT, Package, TrackingEvent, TrackingStatus


class PDFRenderer(renderers.BaseRenderer):
    """Lets a client ask for ``Accept: application/pdf``; the label view answers with the bytes."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return renderers.JSONRenderer().render(data)


class TrackingEventSerializer(fields.ModelSerializer):
    """A tracking update, as getCourierPackagesStatusHistory (``tracking_status`` codes of §6.6)."""

    tracking_status = serializers.ChoiceField(choices=TrackingStatus.choices)
    tracking_status_name = serializers.CharField(source="get_tracking_status_display", read_only=True)
    courier_status_code = serializers.CharField(max_length=100, required=False, allow_blank=True)
    occurred_at = fields.DateTimeField(
        required=False,
        help_text="When it happened (default now); the newest event sets the package status.",
    )

    class Meta:
        model = TrackingEvent
        fields = ["id", "tracking_status", "tracking_status_name", "courier_status_code", "occurred_at"]
        read_only_fields = ["id"]


class PackageSerializer(fields.ModelSerializer):
    """A package (BaseLinker's getOrderPackages fields). Create with ``order`` and ``courier_code``:
    ``manual`` (or another carrier's name) needs ``courier_package_nr``; ``hurtlink`` numbers the
    package and renders its label, and refuses a ``courier_package_nr`` or ``tracking_url``.
    """

    order = AccountScopedRelatedField(queryset=Order.objects.all())
    courier_code = serializers.CharField(
        max_length=20,
        help_text="A code from GET couriers/, or the name of another carrier for a shipment made elsewhere "
        "(then courier_package_nr is required).",
    )
    courier_package_nr = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="Tracking number: required for manual; label couriers generate it (leave it out).",
    )
    tracking_url = serializers.CharField(max_length=255, required=False, allow_blank=True)
    weight = fields.DecimalField(
        **WEIGHT,
        required=False,
        allow_null=True,
        help_text="kg; the order lines' weight × quantity when left out.",
    )
    length = fields.DecimalField(**DIMENSION, required=False, default=0, help_text="cm")
    width = fields.DecimalField(**DIMENSION, required=False, default=0, help_text="cm")
    height = fields.DecimalField(**DIMENSION, required=False, default=0, help_text="cm")
    tracking_status_name = serializers.CharField(source="get_tracking_status_display", read_only=True)
    has_label = serializers.BooleanField(read_only=True)

    class Meta:
        model = Package
        fields = [
            "id",
            "order",
            "courier_code",
            "courier_package_nr",
            "courier_inner_number",
            "tracking_url",
            "tracking_status",
            "tracking_status_name",
            "tracking_status_date",
            "weight",
            "length",
            "width",
            "height",
            "has_label",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "courier_inner_number",
            "tracking_status",
            "tracking_status_date",
            "created_at",
        ]

    def create(self, validated_data):
        try:
            return services.package_create(
                order=validated_data["order"],
                courier_code=validated_data["courier_code"],
                tracking_number=validated_data.get("courier_package_nr", ""),
                tracking_url=validated_data.get("tracking_url", ""),
                weight=validated_data.get("weight"),
                length=validated_data.get("length", 0),
                width=validated_data.get("width", 0),
                height=validated_data.get("height", 0),
                origin=Origin.of_tenant(self.context["tenant"]),
            )
        except DjangoValidationError as exc:
            raise api_validation_error(exc) from exc


@extend_schema_view(
    list=extend_schema(summary="List packages (getOrderPackages with ?order=)"),
    create=extend_schema(summary="Create a package (createPackageManual / createPackage)"),
    destroy=extend_schema(summary="Delete a package; the order's journal records it"),
)
class PackageViewSet(
    AccountScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Packages of the account's orders, their label PDFs and tracking events."""

    area = roles.PACKAGES
    queryset = Package.objects.without_label().order_by("-id")
    serializer_class = PackageSerializer
    filterset_class = PackageFilter
    ordering_fields = ["id", "created_at", "tracking_status_date"]

    def perform_create(self, serializer):
        serializer.save()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        package = serializer.save()
        body = self.get_serializer(self.get_queryset().get(pk=package.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.package_delete(package=instance, origin=Origin.of_tenant(self.tenant))

    @extend_schema(
        summary="The package's label (getLabel)",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The label PDF"),
            404: OpenApiResponse(description="No such package, or it has no label"),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="label",
        filter_backends=[],
        renderer_classes=[renderers.JSONRenderer, PDFRenderer],
    )
    def label(self, request, pk=None):
        package = self.get_object()
        pdf = Package.objects.filter(pk=package.pk).values_list("label_pdf", flat=True).first()
        if not pdf:
            raise Http404("This package has no label.")
        response = HttpResponse(bytes(pdf), content_type="application/pdf")
        name = package.courier_package_nr or f"package-{package.pk}"
        response["Content-Disposition"] = f'inline; filename="label-{name}.pdf"'
        return response

    @extend_schema(
        methods=["GET"],
        summary="Tracking history of the package (getCourierPackagesStatusHistory)",
        request=None,
        responses=TrackingEventSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Add a tracking event; the newest one becomes the package's status",
        request=TrackingEventSerializer,
        responses={201: TrackingEventSerializer},
    )
    @action(
        detail=True, methods=["get", "post"], url_path="events", pagination_class=None, filter_backends=[]
    )
    def events(self, request, pk=None):
        package = self.get_object()
        if request.method == "GET":
            events = TrackingEvent.objects.filter(package=package)
            return Response(TrackingEventSerializer(events, many=True).data)
        serializer = TrackingEventSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            event = services.tracking_event_add(
                package=package, origin=Origin.of_tenant(self.tenant), **serializer.validated_data
            )
        except DjangoValidationError as exc:
            raise api_validation_error(exc) from exc
        return Response(TrackingEventSerializer(event).data, status=status.HTTP_201_CREATED)


class CourierSerializer(serializers.Serializer):
    """A courier of getCouriersList; ``makes_labels`` couriers number packages and render labels."""

    code = serializers.CharField()
    name = serializers.CharField()
    makes_labels = serializers.BooleanField()


class CourierViewSet(viewsets.GenericViewSet):
    """The couriers packages can be created with (the same for every account)."""

    area = roles.PACKAGES
    serializer_class = CourierSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return selectors.courier_list()

    @extend_schema(summary="List couriers (getCouriersList)")
    def list(self, request):
        return Response(CourierSerializer(self.get_queryset(), many=True).data)
