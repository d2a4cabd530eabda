"""REST API of the accounts app: the account itself, its members and its API tokens."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts import roles, selectors, services
from accounts.api_base import AccountScopedMixin
from accounts.models import Account, ApiToken, Membership, Role
from accounts.permissions import IsAccountMember
from accounts.tenancy import request_tenant
from config import fields
from config.api import api_validation_error


class AccountSerializer(fields.ModelSerializer):
    country = fields.CountryField()

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
    area = roles.COMPANY

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
            raise api_validation_error(exc) from exc
        return Response(self.get_serializer(account).data)


MEMBER_TOKENS_TO_HELP = (
    "Hand the removed member's API tokens to this member (owners only); without it they are revoked."
)


class MemberSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    api_tokens = serializers.SerializerMethodField(help_text="Active API tokens this member made.")

    class Meta:
        model = Membership
        fields = ["id", "email", "full_name", "role", "api_tokens", "created_at"]
        read_only_fields = ["id", "email", "full_name", "created_at"]

    def get_api_tokens(self, membership) -> int:
        return getattr(membership, "api_token_count", 0)

    def validate(self, attrs):
        # PATCH is partial, so DRF would accept a body without the only field that can change.
        if "role" not in attrs:
            raise ValidationError({"role": [_("This field is required.")]})
        return attrs


class MemberRemoveSerializer(serializers.Serializer):
    # An integer first, so an id beyond the column's range is a 400 like any other unknown id.
    tokens_to = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False, allow_null=True, help_text=MEMBER_TOKENS_TO_HELP
    )

    def validate_tokens_to(self, value: int | None) -> Membership | None:
        if value is None:
            return None
        membership = Membership.objects.filter(account=self.context["account"], pk=value).first()
        if membership is None:
            raise ValidationError(_("Choose another member of this account."))
        return membership


class MemberViewSet(
    AccountScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Members of the account. Admins change roles and remove members; only owners touch owners.

    Removing a member revokes the API tokens they made, unless an owner hands them to another member
    with ``?tokens_to=<member id>``.
    """

    queryset = Membership.objects.select_related("user").order_by("id")
    serializer_class = MemberSerializer
    area = roles.MEMBERS
    http_method_names = ["get", "patch", "delete", "head", "options"]
    filterset_fields = ["role"]

    def get_queryset(self):
        return selectors.with_api_token_count(super().get_queryset())

    def perform_update(self, serializer):
        try:
            services.membership_set_role(
                membership=serializer.instance, role=serializer.validated_data["role"], actor=self.tenant
            )
        except DjangoValidationError as exc:
            raise api_validation_error(exc) from exc
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    @extend_schema(parameters=[OpenApiParameter("tokens_to", int, description=MEMBER_TOKENS_TO_HELP)])
    def destroy(self, request, *args, **kwargs):
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance):
        body = MemberRemoveSerializer(data=self.request.query_params, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        try:
            services.membership_remove(
                membership=instance, actor=self.tenant, tokens_to=body.validated_data.get("tokens_to")
            )
        except DjangoValidationError as exc:
            raise api_validation_error(exc) from exc


class ApiTokenSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=[Role.ADMIN, Role.MEMBER], default=Role.ADMIN)
    created_by = serializers.EmailField(
        source="created_by.email",
        read_only=True,
        allow_null=True,
        help_text="The member who answers for the token; it is revoked when they leave the account.",
    )

    class Meta:
        model = ApiToken
        fields = ["id", "name", "role", "hint", "created_by", "created_at", "last_used_at", "revoked_at"]
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

    queryset = ApiToken.objects.select_related("created_by")
    serializer_class = ApiTokenSerializer
    area = roles.TOKENS

    @extend_schema(responses={201: ApiTokenCreatedSerializer})
    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            token, secret = services.api_token_create(
                account=self.account, actor=self.tenant, **serializer.validated_data
            )
        except DjangoValidationError as exc:
            raise api_validation_error(exc) from exc
        token.token = secret
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.api_token_revoke(token=instance)
