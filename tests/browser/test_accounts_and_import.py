"""In a real browser: sign up, log in, switch account, and a CSV import whose progress bar reaches 100 %."""

from __future__ import annotations

import pytest

from accounts.models import Account
from catalog.models import Inventory, Product
from tests.browser.conftest import log_in
from tests.factories import MembershipFactory
from tests.factories.accounts import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_company_signs_up_and_lands_on_its_dashboard(page):
    page.goto("/signup/")
    page.get_by_label("E-mail address").fill("ola@sklep.test")
    page.get_by_label("Your name").fill("Ola Nowak")
    page.get_by_label("Password").fill("a-long-enough-password-2026")
    page.get_by_label("Company name").fill("Sklep Oli")
    # Picking Poland picks the złoty (the user does not have to).
    page.get_by_label("Country").select_option("PL")
    assert page.get_by_label("Default currency").input_value() == "PLN"
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/")
    assert "Sklep Oli" in page.locator("nav").inner_text()
    account = Account.objects.get(name="Sklep Oli", memberships__user__email="ola@sklep.test")
    assert account.default_currency == "PLN"


def test_a_wrong_password_is_refused_and_the_email_kept(page):
    membership = MembershipFactory(account__name="Alpha Wholesale")
    page.goto("/login/")
    page.get_by_label("E-mail address").fill(membership.user.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_label("E-mail address").input_value() == membership.user.email
    assert (
        page.locator("form").get_by_text("correct e-mail", exact=False).count()
        or page.locator(".errorlist, [aria-invalid=true], .error").count()
    )


def test_a_member_of_two_accounts_switches_between_them(page):
    first = MembershipFactory(account__name="Alpha Wholesale")
    MembershipFactory(user=first.user, account__name="Beta Shop", role="member")
    log_in(page, first.user.email, TEST_PASSWORD)
    switcher = page.get_by_label("Active account")
    assert switcher.locator("option:checked").inner_text() == "Alpha Wholesale"
    with page.expect_navigation():
        switcher.select_option(label="Beta Shop")
    page.wait_for_load_state()
    assert page.get_by_label("Active account").locator("option:checked").inner_text() == "Beta Shop"


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_csv_import_shows_live_progress_and_its_problems(page, celery_worker, tmp_path, _media):
    owner = MembershipFactory(account__name="Alpha Wholesale")
    inventory = Inventory.objects.get(account=owner.account, is_default=True)
    rows = ["sku,name_en,tax_rate"] + [f"SKU-{i},Product {i},23" for i in range(1, 41)] + ["BAD,Broken,abc"]
    upload = tmp_path / "products.csv"
    upload.write_text("\n".join(rows) + "\n")
    log_in(page, owner.user.email, TEST_PASSWORD)
    page.goto("/catalog/imports/new/")
    page.get_by_label("Catalog").select_option(str(inventory.pk))
    page.get_by_label("CSV file").set_input_files(str(upload))
    # The box itself takes the click (its help text does not cover it), and so does its label.
    valid_rows = page.get_by_label("Import the valid rows")
    valid_rows.click()
    assert valid_rows.is_checked()
    page.locator(".field-check label", has_text="Import the valid rows").click(position={"x": 60, "y": 10})
    assert not valid_rows.is_checked()
    valid_rows.check()
    page.get_by_role("button", name="Start the import").click()
    # The progress section polls until the job is done, without a reload.
    page.locator("#import-job table").first.wait_for(timeout=30_000)
    section = page.locator("#import-job")
    assert section.locator("progress").get_attribute("value") == "1"
    assert "Problems by row" in section.inner_text()
    # Words that agree with the numbers: one problem, and an import that wrote rows is "partly" done.
    assert "40 rows imported; 1 problem, those rows were left out." in section.inner_text()
    assert "Partly imported" in section.inner_text()
    assert "tax_rate" in section.locator("table.import-errors").inner_text()
    assert Product.objects.filter(inventory=inventory, sku__startswith="SKU-").count() == 40
