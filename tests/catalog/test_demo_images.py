"""The demo's product pictures are drawn here and served by the app: no remote host."""

from __future__ import annotations

import pytest
from django.urls import reverse

from catalog import demo_images
from catalog.models import ProductImage
from demo.data import demo_data_create, demo_images_localize

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "http://testserver"


def test_demo_pictures_are_local_files_the_app_serves(client, account_a):
    demo_data_create(account_a, products=6, orders=0)
    urls = list(ProductImage.objects.filter(product__account=account_a).values_list("url", flat=True))
    assert urls and all(url.startswith("/demo-images/") for url in urls)
    name = urls[0].rsplit("/", 1)[1]
    response = client.get(reverse("demo-image", args=[name]))
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/png", "image/svg+xml")
    assert "max-age" in response["Cache-Control"]
    assert client.get(reverse("demo-image", args=["missing.png"])).status_code == 404
    assert client.get("/demo-images/..%2Fsecret.png").status_code == 404


def test_an_older_demo_with_remote_pictures_is_pointed_at_local_ones(account_a):
    demo_data_create(account_a, products=3, orders=0)
    image = ProductImage.objects.filter(product__account=account_a).select_related("product").first()
    ProductImage.objects.filter(pk=image.pk).update(
        url=f"https://picsum.photos/seed/{image.product.sku}/600/600"
    )
    assert demo_images_localize() >= 1
    image = ProductImage.objects.get(product=image.product, position=image.position)
    assert image.url == demo_images.image_url(demo_images.file_name(image.product.sku, image.position))
    assert (demo_images.folder() / demo_images.file_name(image.product.sku, image.position)).is_file()


def test_pictures_already_local_are_left_as_they_are_at_each_start(account_a):
    demo_data_create(account_a, products=3, orders=0)
    before = set(ProductImage.objects.filter(product__account=account_a).values_list("id", "url"))
    assert demo_images_localize() == len(before)
    assert set(ProductImage.objects.filter(product__account=account_a).values_list("id", "url")) == before
