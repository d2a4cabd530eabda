import factory

from accounts.models import Account, ApiToken, Membership, User
from accounts.services import api_token_create
from accounts.signals import account_created

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AccountFactory(factory.django.DjangoModelFactory):
    """An account with every app's defaults, as sign-up makes it."""

    class Meta:
        model = Account
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Company {n}")
    country = "PL"
    default_currency = "PLN"

    @factory.post_generation
    def defaults(obj, create, extracted, **kwargs):
        if create:
            account_created.send(sender=Account, account=obj)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    account = factory.SubFactory(AccountFactory)
    role = "owner"


class ApiTokenFactory:
    @staticmethod
    def create_with_secret(*, account, name="test token", role="admin") -> tuple[ApiToken, str]:
        return api_token_create(account=account, name=name, role=role)
