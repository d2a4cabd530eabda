"""Routes that exist only for the isolation framework's own tests (``test_framework.py``).

Some keep accounts apart, some leak on purpose: the framework must pass the first and catch each of the
others. The grant routes read account A's products through a grant table the tests create for
themselves (``demo_catalog_grant``, a temporary table), the way Connect's shared catalog will read a
provider's products through an active link.
"""

from __future__ import annotations

from django.db.models.expressions import RawSQL
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.views.decorators.http import require_http_methods
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_base import AccountScopedRelatedField
from accounts.tenancy import request_tenant
from catalog.models import Product, Tag, Warehouse

GRANT_TABLE = "demo_catalog_grant"


def _granted_owners(account, *, live_only: bool = True) -> RawSQL:
    condition = " AND revoked_at IS NULL" if live_only else ""
    return RawSQL(f"SELECT owner_id FROM {GRANT_TABLE} WHERE grantee_id = %s{condition}", [account.pk])  # noqa: S608


class SharedProduct(APIView):
    """Honest: another account's product through a live grant only; writes only to one's own."""

    live_only = True

    def get(self, request, pk: int):
        account = request_tenant(request).account
        owners = _granted_owners(account, live_only=self.live_only)
        product = get_object_or_404(Product.objects.filter(account_id__in=owners), pk=pk)
        return Response({"sku": product.sku})

    def delete(self, request, pk: int):
        get_object_or_404(Product.objects.filter(account=request_tenant(request).account), pk=pk)
        return Response(status=204)


class StickySharedProduct(SharedProduct):
    """Leaks: a revoked grant still opens the door."""

    live_only = False


class UngrantedSharedProduct(APIView):
    """Leaks: any account's product, grant or not."""

    def get(self, request, pk: int):
        return Response({"sku": get_object_or_404(Product, pk=pk).sku})


class LeakyProduct(APIView):
    """Leaks: reads and deletes any account's product by id."""

    def get(self, request, pk: int):
        return Response({"sku": get_object_or_404(Product, pk=pk).sku})

    def delete(self, request, pk: int):
        return Response(status=204)


class ScopedWarehouseBody(serializers.Serializer):
    warehouse = AccountScopedRelatedField(queryset=Warehouse.objects.all())
    tags = AccountScopedRelatedField(queryset=Tag.objects.all(), many=True)


class UnscopedWarehouseBody(serializers.Serializer):
    warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.all())
    tags = AccountScopedRelatedField(queryset=Tag.objects.all(), many=True)


class TellingField(AccountScopedRelatedField):
    """Leaks that a row exists: another account's id gets its own message."""

    def to_internal_value(self, data):
        if Warehouse.objects.filter(pk=data).exists() and not self.get_queryset().filter(pk=data).exists():
            self.fail("does_not_exist", pk_value=f"{data} (another account's)")
        return super().to_internal_value(data)


class TellingWarehouseBody(ScopedWarehouseBody):
    warehouse = TellingField(queryset=Warehouse.objects.all())


class CheckBody(APIView):
    """A collection write that validates its body and writes nothing."""

    body: type[serializers.Serializer] = ScopedWarehouseBody

    def get_serializer(self, *args, **kwargs):
        if "context" not in kwargs:  # the schema generator passes its own
            kwargs["context"] = {"account": request_tenant(self.request).account}
        return self.body(*args, **kwargs)

    def get(self, request):
        return Response([])

    def post(self, request):
        self.get_serializer(data=request.data).is_valid(raise_exception=True)
        return Response(status=201)


@require_http_methods(["GET", "POST"])
def own_notes(request):
    """A function view: it tells its methods only by answering 405 to the others."""
    return JsonResponse([], safe=False)


urlpatterns = [
    path("notes/", own_notes, name="own-notes"),
    path("shared/<int:pk>/", SharedProduct.as_view(), name="shared-product"),
    path("sticky/<int:pk>/", StickySharedProduct.as_view(), name="sticky-shared-product"),
    path("ungranted/<int:pk>/", UngrantedSharedProduct.as_view(), name="ungranted-shared-product"),
    path("leaky/<int:pk>/", LeakyProduct.as_view(), name="leaky-product"),
    path("bodies/scoped/", CheckBody.as_view(body=ScopedWarehouseBody), name="scoped-body"),
    path("bodies/unscoped/", CheckBody.as_view(body=UnscopedWarehouseBody), name="unscoped-body"),
    path("bodies/telling/", CheckBody.as_view(body=TellingWarehouseBody), name="telling-body"),
]
