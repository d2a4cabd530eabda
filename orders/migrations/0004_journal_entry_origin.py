"""The journal records the origin of each change (kind, id, label) instead of a free actor text.

Existing entries keep their text as the label; the demo's and unnamed ones become the system's, the rest
a person's (the old text does not say more reliably: it was translated)."""

from django.db import migrations, models

FORWARD = """
    UPDATE orders_journalentry
       SET origin_label = actor,
           origin_kind = CASE WHEN actor IN ('', 'Demo data') THEN 'system' ELSE 'user' END
"""
BACKWARD = "UPDATE orders_journalentry SET actor = origin_label"


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0003_currency_choices_callable"),
    ]

    operations = [
        migrations.AddField(
            model_name="journalentry",
            name="origin_kind",
            field=models.CharField(default="system", max_length=16, verbose_name="origin"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="journalentry",
            name="origin_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="journalentry",
            name="origin_label",
            field=models.CharField(blank=True, max_length=200, verbose_name="by"),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.RemoveField(
            model_name="journalentry",
            name="actor",
        ),
        migrations.AlterField(
            model_name="journalentry",
            name="type",
            field=models.PositiveSmallIntegerField(
                choices=[
                    (1, "Order created"),
                    (2, "Order confirmed"),
                    (3, "Order paid"),
                    (4, "Order removed"),
                    (5, "Orders merged"),
                    (9, "Package created"),
                    (10, "Package deleted"),
                    (11, "Delivery data edited"),
                    (12, "Product added"),
                    (13, "Product edited"),
                    (14, "Product removed"),
                    (16, "Order data edited"),
                    (18, "Status changed"),
                    (21, "Invoice data edited"),
                    (100, "Tracking update"),
                ]
            ),
        ),
    ]
