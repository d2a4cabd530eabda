from accounts import roles
from accounts.models import Membership, User
from accounts.tenancy import request_tenant


class _Permissions:
    """``{% if may.packages.delete %}``: what the request's tenant may do, from the role matrix."""

    def __init__(self, request):
        self.request = request
        self._tenant = None

    def __getitem__(self, area_name: str) -> dict[str, bool]:
        # Templates spell "catalog-settings" as catalog_settings. An unknown area raises KeyError,
        # which a template reads as "nothing": allowed nowhere.
        area = roles.AREAS[area_name.replace("_", "-")]
        if self._tenant is None:
            self._tenant = request_tenant(self.request) or False
        return {act: bool(self._tenant) and self._tenant.may(area, act) for act in roles.Act.values}


def active_account(request):
    """The active membership and the user's other accounts, for the navigation bar's switcher.

    A request signed in with an API token (the browsable API) has no person and no switcher: its
    ``user`` is the token's stand-in, which is not a row to filter memberships by.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if not isinstance(user, User):
        return {"active_membership": None, "user_memberships": [], "may": _Permissions(request)}
    membership = getattr(request, "membership", None)
    return {
        "active_membership": membership if membership else None,
        "user_memberships": Membership.objects.filter(user=user).select_related("account"),
        "may": _Permissions(request),
    }
