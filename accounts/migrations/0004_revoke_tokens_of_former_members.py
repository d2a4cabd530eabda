"""Tokens made by people who have since left their account stop working, and no token is an owner.

Before this, removing a member left the API tokens they made working. This revokes every active token
whose maker is no longer a member of the token's account, and lowers any owner-role token to admin
(the next migration forbids owner tokens).
"""

from django.db import migrations
from django.db.models import Exists, OuterRef
from django.utils import timezone


def revoke_tokens_of_former_members(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    Membership = apps.get_model("accounts", "Membership")
    still_member = Membership.objects.filter(account_id=OuterRef("account_id"), user_id=OuterRef("created_by_id"))
    ApiToken.objects.filter(revoked_at__isnull=True, created_by__isnull=False).exclude(
        Exists(still_member)
    ).update(revoked_at=timezone.now())
    ApiToken.objects.filter(role="owner").update(role="admin")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_currency_choices_callable"),
    ]

    operations = [
        migrations.RunPython(revoke_tokens_of_former_members, migrations.RunPython.noop),
    ]
