"""REST API of the accounts app: the account itself, its members and its API tokens."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import NoReverseMatch, reverse
from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from accounts import services
from accounts.api_base import AccountScopedMixin
from accounts.models import Account, ApiToken, Membership, Role
from accounts.permissions import IsAccountMember
from accounts.tenancy import request_tenant


def _drf_error(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(
        exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    )


class AccountSerializer(serializers.ModelSerializer):
    country = CountryField()

    class Meta:
        model = Account
        fields = [
            "id",
            "name",
            "vat_number",
            "street",
            "postcode",
            "city",
            "country",
            "default_currency",
            "email",
            "phone",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]


class AccountView(viewsets.GenericViewSet):
    """The account the request acts for. Admins may change its company data."""

    serializer_class = AccountSerializer
    permission_classes = [IsAccountMember]
    write_role = Role.ADMIN

    def get_object(self):
        return request_tenant(self.request).account

    def retrieve(self, request):
        return Response(self.get_serializer(self.get_object()).data)

    def partial_update(self, request):
        account = self.get_object()
        serializer = self.get_serializer(account, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            services.account_update(account=account, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise _drf_error(exc)
        return Response(self.get_serializer(account).data)


class MemberSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "email", "full_name", "role", "created_at"]
        read_only_fields = ["id", "email", "full_name", "created_at"]


class MemberViewSet(
    AccountScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Members of the account. Admins change roles and remove members; the last owner stays."""

    queryset = Membership.objects.select_related("user").order_by("id")
    serializer_class = MemberSerializer
    write_role = Role.ADMIN
    http_method_names = ["get", "patch", "delete", "head", "options"]
    filterset_fields = ["role"]

    def _acting(self):
        tenant = self.tenant
        if tenant.user is None:
            return None
        return Membership.objects.get(account=tenant.account, user=tenant.user)

    def perform_update(self, serializer):
        try:
            services.membership_set_role(
                membership=serializer.instance, role=serializer.validated_data["role"], acting=self._acting()
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc)
        serializer.instance.refresh_from_db()

    def perform_destroy(self, instance):
        try:
            services.membership_remove(membership=instance, acting=self._acting())
        except DjangoValidationError as exc:
            raise _drf_error(exc)


class ApiTokenSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=[Role.ADMIN, Role.MEMBER], default=Role.ADMIN)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "role", "hint", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = ["id", "hint", "created_at", "last_used_at", "revoked_at"]


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The secret. Shown only in this answer.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]


class ApiTokenViewSet(
    AccountScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """API tokens of the account (admins only). DELETE revokes a token; its row stays for the record."""

    queryset = ApiToken.objects.all()
    serializer_class = ApiTokenSerializer
    required_role = Role.ADMIN

    @extend_schema(responses={201: ApiTokenCreatedSerializer})
    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = request.user if getattr(request.user, "pk", None) else None
        token, secret = services.api_token_create(
            account=self.account, created_by=user, **serializer.validated_data
        )
        token.token = secret
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.api_token_revoke(token=instance)


API_ROOT_ROUTES = {
    "account": "api:account",
    "members": "api:member-list",
    "tokens": "api:apitoken-list",
}


def register_api_root(name: str, route_name: str) -> None:
    """Apps list their main collections on the API root page."""
    API_ROOT_ROUTES[name] = route_name


@extend_schema(
    responses=inline_serializer("ApiRoot", {"schema": serializers.URLField(), "docs": serializers.URLField()})
)
@api_view(["GET"])
@permission_classes([AllowAny])
def api_root(request):
    """Links to the main collections, the OpenAPI schema and the interactive documentation."""
    links = {
        "schema": request.build_absolute_uri(reverse("api-schema")),
        "docs": request.build_absolute_uri(reverse("api-docs")),
    }
    for name, route in sorted(API_ROOT_ROUTES.items()):
        try:
            links[name] = request.build_absolute_uri(reverse(route))
        except NoReverseMatch:
            continue
    return Response(links)
