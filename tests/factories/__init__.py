"""factory_boy factories. Each app's factories live in a module here and are re-exported."""

from tests.factories.accounts import (  # noqa: F401
    AccountFactory,
    ApiTokenFactory,
    MembershipFactory,
    UserFactory,
)
