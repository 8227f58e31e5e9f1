"""Publicity reports: a unit records its signs (place, Buddhist-era date, photo); its province sees who has not."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from PIL import Image

from infra.dev.browser import DevBrowser, csrf_in
from infra.dev.testing import KafkaUnderTest, KeycloakStack, RunningService
from registration.kernel.thai import FieldError
from registration.publicity.store import check_photo

from .pages_support import running_site

LIMIT = 5 * 1024 * 1024


def image_bytes(kind: str, size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=kind)
    return out.getvalue()


def refusal(data: bytes) -> str:
    with pytest.raises(FieldError) as refused:
        check_photo(data, LIMIT)
    return refused.value.code


def test_photos_are_judged_by_their_bytes() -> None:
    assert check_photo(image_bytes("JPEG"), LIMIT) == "image/jpeg"
    assert check_photo(image_bytes("PNG"), LIMIT) == "image/png"
    assert check_photo(image_bytes("WEBP"), LIMIT) == "image/webp"
    assert refusal(b"") == "photo.required"
    assert refusal(image_bytes("GIF")) == "photo.type"
    assert refusal(b"<svg xmlns='http://www.w3.org/2000/svg'/>") == "photo.type"
    assert refusal(b"\xff\xd8\xff" + b"not really a jpeg" * 10) == "photo.type"
    assert refusal(image_bytes("PNG")[:60]) == "photo.type"  # truncated
    assert refusal(b"\xff\xd8\xff" + b"0" * LIMIT) == "photo.too_large"


@pytest.fixture(scope="module")
def site(kafka: KafkaUnderTest, mongodb_uri: str, keycloak_server: KeycloakStack,
         identity: RunningService) -> Iterator[RunningService]:
    """The pages, with identity running: Keycloak sends sign-ins on to its ThaiD simulator."""
    with running_site(kafka, mongodb_uri, keycloak_server) as service:
        yield service


def staff(site: RunningService, persona: str) -> DevBrowser:
    client = DevBrowser(site.url)
    client.sign_in(persona, flow="staff", next_path="/staff")
    return client


def report(client: DevBrowser, place: str, day: str, photo: bytes, name: str = "sign.jpg") -> tuple[int, str]:
    page = client.get("/staff/publicity").text
    answer = client.post("/staff/publicity", data={"csrf": csrf_in(page), "place": place, "put_up_on": day},
                         files={"photo": (name, photo, "image/jpeg")})
    return answer.status_code, answer.text


def test_a_district_reports_its_signs_and_the_province_sees_who_has_not(site: RunningService) -> None:
    with staff(site, "registrar:4701") as unit:
        status, html = report(unit, "หน้าที่ว่าการอำเภอเมืองสกลนคร", "15/01/2567", b"GIF89a not a photo")
        assert status == 422
        assert "รองรับเฉพาะไฟล์รูปภาพ JPEG, PNG หรือ WebP" in html and 'value="หน้าที่ว่าการอำเภอเมืองสกลนคร"' in html
        assert 'href="#f-photo"' in html
        status, html = report(unit, "", "01/01/2600", image_bytes("JPEG"))
        assert status == 422 and "กรุณาระบุสถานที่ติดตั้งป้าย" in html and "วันที่ต้องไม่เป็นวันในอนาคต" in html
        status, _ = report(unit, "หน้าที่ว่าการอำเภอเมืองสกลนคร", "15/01/2567", image_bytes("JPEG"))
        assert status == 303
        listing = unit.get("/staff/publicity").text
        assert "15 มกราคม 2567" in listing and "หน้าที่ว่าการอำเภอเมืองสกลนคร" in listing
        photo_path = listing.split('href="/staff/publicity/photo/')[1].split('"')[0]
        mine = unit.get(f"/staff/publicity/photo/{photo_path}")
        assert mine.status_code == 200 and mine.headers["content-type"] == "image/jpeg"
        assert unit.get("/staff/publicity/province").status_code == 403  # a district does not see the province

    with staff(site, "province_officer:47") as province:
        page = province.get("/staff/publicity/province")
        assert page.status_code == 200
        row_4701 = page.text.split("<td>4701</td>")[1].split("</tr>")[0]
        row_4702 = page.text.split("<td>4702</td>")[1].split("</tr>")[0]
        assert "15 มกราคม 2567" in row_4701 and "ยังไม่รายงาน" in row_4702
        assert province.get(f"/staff/publicity/photo/{photo_path}").status_code == 200

    with staff(site, "province_officer:10") as other:
        assert other.get(f"/staff/publicity/photo/{photo_path}").status_code == 404
        assert "<td>4701</td>" not in other.get("/staff/publicity/province").text


def test_publicity_needs_staff_and_a_csrf_token(site: RunningService) -> None:
    with DevBrowser(site.url) as anonymous:
        assert anonymous.get("/staff/publicity").status_code == 303
    with staff(site, "registrar:4702") as unit:
        forged = unit.post("/staff/publicity", data={"place": "x", "put_up_on": "01/01/2567"},
                           files={"photo": ("a.jpg", image_bytes("JPEG"), "image/jpeg")})
        assert forged.status_code == 403
        assert "ยังไม่มีรายงาน" in unit.get("/staff/publicity").text
    with staff(site, "province_officer:47") as province:
        assert province.get("/staff/publicity").status_code == 403  # provinces read; units report


def test_poster_qr_and_paper_form_are_served(site: RunningService) -> None:
    with DevBrowser(site.url) as client:
        poster = client.get("/register/poster.pdf?unit=4701")
        assert poster.status_code == 200 and poster.headers["content-type"] == "application/pdf"
        assert poster.content.startswith(b"%PDF-")
        assert client.get("/register/poster.pdf?unit=x").status_code == 422
        paper = client.get("/forms/paper-form.pdf")
        assert paper.status_code == 200 and paper.content.startswith(b"%PDF-")
        png = client.get("/register/qr.png")
        assert png.headers["content-type"] == "image/png" and png.content.startswith(b"\x89PNG")
        assert client.get("/register/qr.svg").headers["content-type"].startswith("image/svg+xml")
