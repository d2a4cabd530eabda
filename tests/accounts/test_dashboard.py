"""The dashboard's Integrations card: Connect and the WMS each have their own text with their own links."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _section(html: str, section_id: str) -> str:
    found = re.search(rf'<section id="{section_id}">(.*?)</section>', html, re.S)
    assert found, section_id
    return found.group(1)


def test_the_integrations_card_keeps_each_integrations_links_under_its_own_text(client_a):
    html = client_a.get(reverse("home")).content.decode()
    connect = _section(html, "dashboard-connect")
    wms = _section(html, "dashboard-wms")
    assert "share products and forward orders" in connect
    assert reverse("connect:integration-list") in connect and reverse("connect:directory-list") in connect
    assert reverse("wmsbridge:connection-list") not in connect
    assert "Ongoing WMS warehouse" in wms and reverse("wmsbridge:connection-list") in wms
    assert reverse("connect:directory-list") not in wms
