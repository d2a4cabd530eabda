import time

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Account, Membership
from demo.data import demo_account_default, demo_data_create


class Command(BaseCommand):
    help = (
        "Add realistic demo data to one account: products with variants, stock and prices in Polish and "
        "English, and orders with lines, payments and packages. Set-based; runs again without SKU clashes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=200, help="products to add (variants come extra)")
        parser.add_argument("--orders", type=int, default=100, help="orders to add")
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--account", type=int, help="id of the account (default: the demo wholesaler)")
        target.add_argument("--email", help="e-mail of the account's owner")
        parser.add_argument("--seed", type=int, help="repeatable data")

    def handle(self, *args, **options):
        if options["products"] < 0 or options["orders"] < 0:
            raise CommandError("--products and --orders cannot be negative.")
        if options["account"] is not None:
            account = Account.objects.filter(pk=options["account"]).first()
            if account is None:
                raise CommandError(f"No account with id {options['account']}.")
        elif options["email"]:
            membership = (
                Membership.objects.filter(user__email__iexact=options["email"].strip(), role="owner")
                .select_related("account")
                .order_by("account_id")
                .first()
            )
            if membership is None:
                raise CommandError(f"{options['email']} owns no account.")
            account = membership.account
        else:
            account = demo_account_default()
        started = time.perf_counter()
        try:
            result = demo_data_create(
                account, products=options["products"], orders=options["orders"], seed=options["seed"]
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Added {result} (account id {account.pk}) in {seconds:.1f} s."))
