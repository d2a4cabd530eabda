from accounts.models import Membership


def active_account(request):
    """The active membership and the user's other accounts, for the navigation bar's switcher."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None)
    return {
        "active_membership": membership if membership else None,
        "user_memberships": Membership.objects.filter(user=user).select_related("account"),
    }
