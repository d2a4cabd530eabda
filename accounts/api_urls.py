from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts import api

router = SimpleRouter()
router.register("account/members", api.MemberViewSet, basename="member")
router.register("account/tokens", api.ApiTokenViewSet, basename="apitoken")

urlpatterns = [
    path("account/", api.AccountView.as_view({"get": "retrieve", "patch": "partial_update"}), name="account"),
    *router.urls,
]
