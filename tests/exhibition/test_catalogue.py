"""The product catalogue of the exhibition cloud: products, and pictures that are checked and stored
re-encoded (hostile files refused with a message)."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context
from PIL import Image

from exhibition import services
from exhibition.models import Product, ProductImage
from tenants.members.models import Role
from tests.test_members import add_member, client_for

pytestmark = pytest.mark.django_db

PRODUCT = {
    "name_zh": "五轴加工中心",
    "name_en": "Five-axis machining centre",
    "description_zh": "<script>alert(1)</script>高精度",
    "description_en": "High precision",
    "specifications": "主轴转速: 12000 rpm\nTravel: 800 mm",
    "tags": ["smart", "export"],
    "industry": "C34",
}


def picture(kind="PNG", size=(640, 480), exif=False) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    if exif:
        data = image.getexif()
        data[0x010F] = "SecretCamera"  # Make
        image.save(out, format=kind, exif=data)
    else:
        image.save(out, format=kind)
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A valid little PNG whose header claims a huge picture (a decompression bomb's trick)."""
    raw = bytearray(picture("PNG", (1, 1)))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw[16:29] = ihdr
    raw[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(raw)


def product(world) -> Product:
    with tenant_context(world.enterprise):
        return Product.objects.create(name_zh="测试产品", industry_id="C34", created_by=world.owner)


def upload(world, product_id, name, content, content_type="image/png"):
    return world.client().post(
        f"/exhibition/products/{product_id}/images/",
        {"image": SimpleUploadedFile(name, content, content_type=content_type)},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_a_member_adds_a_product_and_texts_stay_text(alpha):
    client = alpha.client()
    created = client.post("/exhibition/products/new/", PRODUCT)
    assert created.status_code == 302
    with tenant_context(alpha.enterprise):
        saved = Product.objects.get()
    assert saved.tags == ["smart", "export"] and saved.specification_rows()[0] == ("主轴转速", "12000 rpm")
    page = client.get(f"/exhibition/products/{saved.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "五轴加工中心" in client.get("/exhibition/").content.decode()


@pytest.mark.parametrize(
    ("change", "field"),
    [({"name_zh": ""}, "name_zh"), ({"industry": "Z99"}, "industry"), ({"tags": ["yacht"]}, "tags"),
     ({"specifications": "x" * 5001}, "specifications")],
)  # fmt: skip
def test_bad_products_are_refused(alpha, change, field):
    response = alpha.client().post("/exhibition/products/new/", {**PRODUCT, **change})
    assert response.status_code == 400 and field in response.context["form"].errors


def test_viewers_cannot_change_the_catalogue(alpha):
    viewer = add_member(alpha, "exh-viewer@example.com", Role.VIEWER)
    client = client_for(alpha, viewer)
    assert client.get("/exhibition/").status_code == 200
    assert client.post("/exhibition/products/new/", PRODUCT).status_code == 403


def test_a_picture_is_stored_re_encoded_without_its_metadata(alpha):
    item = product(alpha)
    response = upload(alpha, item.pk, "photo.jpg", picture("JPEG", (2400, 1800), exif=True), "image/jpeg")
    assert "Picture added." in response.content.decode()
    with tenant_context(alpha.enterprise):
        stored = ProductImage.objects.get(product=item)
        with stored.image.open("rb") as handle:
            full = Image.open(io.BytesIO(handle.read()))
        with stored.thumbnail.open("rb") as handle:
            thumb = Image.open(io.BytesIO(handle.read()))
    assert full.format == "JPEG" and max(full.size) == 1600 and (stored.width, stored.height) == full.size
    assert thumb.format == "JPEG" and max(thumb.size) == 400
    assert "SecretCamera" not in str(dict(full.getexif())) and stored.original_name == "photo.jpg"
    served = alpha.client().get(f"/exhibition/products/{item.pk}/images/{stored.pk}/thumb/")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert alpha.client().get(f"/exhibition/products/{item.pk}/images/{stored.pk}/other/").status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.jpg", b"this is text, not a picture", "not a picture that can be read"),
        ("half.jpg", picture("JPEG")[:300], "not a picture that can be read"),
        (
            "evil.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "not a picture",
        ),
        ("anim.gif", picture("GIF"), "Only JPEG, PNG or WebP"),
        ("bomb.png", png_claiming(9000, 9000), "at most 40 megapixels"),
        ("bigger-bomb.png", png_claiming(30000, 30000), "far larger than the 40-megapixel limit"),
        ("huge.png", b"\x89PNG" + b"\0" * (8 * 1024 * 1024), "the limit is 8 MB"),
    ],
)
def test_hostile_files_are_refused_with_a_message(alpha, name, content, message):
    item = product(alpha)
    response = upload(alpha, item.pk, name, content)
    assert message in response.content.decode()
    with tenant_context(alpha.enterprise):
        assert not ProductImage.objects.exists()


def test_a_product_has_at_most_eight_pictures(alpha):
    item = product(alpha)
    with tenant_context(alpha.enterprise):
        for _n in range(services.MAX_IMAGES):
            services.image_add(
                enterprise=alpha.enterprise,
                product=item,
                upload=SimpleUploadedFile("p.png", picture(size=(10, 10))),
            )
    response = upload(alpha, item.pk, "ninth.png", picture(size=(10, 10)))
    assert "at most 8 pictures" in response.content.decode()
