"""Publicity: the QR code and A4 poster pointing at the registration link, the unit's report of where it put
up its signs, and the province's view of which units have not reported yet."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from contracts.access import totals_scope
from contracts.claims import Claims, Role
from registration.kernel import admin_areas
from registration.kernel.receipts import thai_date
from registration.kernel.text import normalise_text
from registration.kernel.thai import FieldError, parse_past_date
from registration.publicity.poster import poster_pdf
from registration.publicity.qr import qr_png, qr_svg
from registration.publicity.use_cases import Publicity, check_photo
from registration.web import forms, labels
from registration.web.context import PageProblem, WebContext, WebSession, now, posted_form, web

router = APIRouter(include_in_schema=False)
Ctx = Annotated[WebContext, Depends(web)]
Form = Annotated[FormData, Depends(posted_form)]


def _publicity(request: Request) -> Publicity:
    # main.py keeps the store on app.state; the use cases around it hold no state of their own.
    return Publicity(request.app.state.publicity)


async def _photo_bytes(request: Request, form: Form) -> bytes | None:
    upload = form.get("photo")
    if not isinstance(upload, UploadFile):
        return None
    # At most one byte past the limit: enough to know the file is too large.
    return await upload.read(web(request).settings.photo_max_bytes + 1)


def _staff(ctx: WebContext, request: Request) -> tuple[WebSession, Claims] | None:
    session = ctx.load_session(request)
    if session is None or session.kind != "staff" or session.claims is None:
        return None
    return session, session.claims


def _reporting_unit(claims: Claims) -> str:
    if claims.has(Role.REGISTRAR, Role.DISTRICT_OFFICER) and claims.unit_code:
        return claims.unit_code
    raise PageProblem(403, "เฉพาะเจ้าหน้าที่หน่วยรับลงทะเบียนเท่านั้นที่รายงานการประชาสัมพันธ์ได้",
                      "Only registration-unit staff report publicity.")


def _province_in_view(claims: Claims, wanted: str | None) -> str:
    """A province officer sees their own province; DOPA any (the same reach as the totals they may read)."""
    scope = totals_scope(claims)
    if scope is not None and scope[0] == "province" and claims.has(Role.PROVINCE_OFFICER):
        return scope[1]
    if scope is not None and scope[0] == "nation":
        if wanted and admin_areas.province(wanted):
            return wanted
        raise PageProblem(400, "กรุณาระบุจังหวัด เช่น ?province=47", "Name a province, e.g. ?province=47.")
    raise PageProblem(403, "หน้านี้สำหรับเจ้าหน้าที่ระดับจังหวัด", "This page is for province officers.")


def _error_link(error: FieldError) -> str:
    return "#" + forms.field_id(error.field or "main")


def _link(ctx: WebContext, request: Request) -> str:
    return ctx.settings.url(str(request.base_url), "/register")


@lru_cache(maxsize=256)
def _poster(url: str, unit_name: str | None) -> bytes:
    return poster_pdf(url, unit_name=unit_name)


@router.get("/register/qr.svg")
def qr_code_svg(ctx: Ctx, request: Request) -> Response:
    return Response(qr_svg(_link(ctx, request)), media_type="image/svg+xml",
                    headers={"Cache-Control": "public, max-age=3600"})


@router.get("/register/qr.png")
def qr_code_png(ctx: Ctx, request: Request) -> Response:
    return Response(qr_png(_link(ctx, request)), media_type="image/png",
                    headers={"Cache-Control": "public, max-age=3600"})


@router.get("/register/poster.pdf")
def poster(ctx: Ctx, request: Request,
           unit: Annotated[str | None, Query(pattern=r"^[0-9]{2}([0-9]{2})?$")] = None) -> Response:
    name = None
    if unit and (area := admin_areas.district(unit)):
        province = admin_areas.province(unit[:2])
        prefix = "สำนักงานเขต" if unit.startswith("10") else "ที่ว่าการอำเภอ"
        name = f"{prefix}{area.name_th} จังหวัด{province.name_th if province else ''}"
    elif unit and (area := admin_areas.province(unit)):
        name = f"ศูนย์ดำรงธรรมจังหวัด{area.name_th}"
    return Response(_poster(_link(ctx, request), name), media_type="application/pdf",
                     headers={"Content-Disposition": 'inline; filename="poster.pdf"'})


@router.get("/staff/publicity")
def publicity_page(ctx: Ctx, request: Request) -> Response:
    staff = _staff(ctx, request)
    if staff is None:
        return RedirectResponse("/auth/signin?flow=staff&next=/staff/publicity", status_code=303)
    session, claims = staff
    unit = _reporting_unit(claims)
    return ctx.render(request, "publicity.html", session=session, unit=unit,
                      reports=_publicity(request).reports_of(unit), values={}, by_field={},
                      saved=request.query_params.get("saved") == "1", field_id=forms.field_id, error_link=_error_link)


def _read_report(ctx: WebContext, form: FormData, photo: bytes | None) -> tuple[dict[str, str], list[FieldError],
                                                                                  date | None, str]:
    values = {k: str(form.get(k) or "")[:300] for k in ("place", "put_up_on")}
    errors: list[FieldError] = []
    place = ""
    try:
        place = normalise_text(values["place"])
    except FieldError as error:
        errors.append(error.with_field("place"))
    if not place and not errors:
        errors.append(FieldError("place.required", "กรุณาระบุสถานที่ติดตั้งป้าย", "Please enter where the sign is.",
                                 "place"))
    elif len(place) > 200:
        errors.append(FieldError("place.too_long", "สถานที่ยาวเกินไป (ไม่เกิน 200 ตัวอักษร)",
                                 "Too long (at most 200 characters).", "place"))
    put_up_on = None
    try:
        put_up_on = parse_past_date(values["put_up_on"], thai_date(now()))
    except FieldError as error:
        errors.append(error.with_field("put_up_on"))
    content_type = ""
    try:
        content_type = check_photo(photo or b"", ctx.settings.photo_max_bytes)
    except FieldError as error:
        errors.append(error)
    return values, errors, put_up_on, content_type


@router.post("/staff/publicity")
def publicity_post(ctx: Ctx, request: Request, form: Form,
                   photo: Annotated[bytes | None, Depends(_photo_bytes)]) -> Response:
    staff = _staff(ctx, request)
    ctx.check_post(request, staff[0] if staff else None, form)
    assert staff is not None
    session, claims = staff
    unit = _reporting_unit(claims)
    values, errors, put_up_on, content_type = _read_report(ctx, form, photo)
    publicity = _publicity(request)
    if errors or put_up_on is None or photo is None:
        return ctx.render(request, "publicity.html", session=session, unit=unit, reports=publicity.reports_of(unit),
                          values=values, errors=errors, by_field=forms.errors_by_field(errors), saved=False,
                          status_code=422, field_id=forms.field_id, error_link=_error_link)
    publicity.report(unit_code=unit, place=normalise_text(values["place"]), put_up_on=put_up_on, photo=photo,
              content_type=content_type, officer_sub=claims.sub, now=now())
    return RedirectResponse("/staff/publicity?saved=1", status_code=303)


@router.get("/staff/publicity/province")
def province_view(ctx: Ctx, request: Request,
                  province: Annotated[str | None, Query(pattern=r"^[0-9]{2}$")] = None) -> Response:
    staff = _staff(ctx, request)
    if staff is None:
        return RedirectResponse("/auth/signin?flow=staff&next=/staff/publicity/province", status_code=303)
    session, claims = staff
    code = _province_in_view(claims, province)
    summaries = _publicity(request).units_in(code)
    units = [(code, f"ศูนย์ดำรงธรรมจังหวัด{labels.area_name(code)}", summaries.get(code))]
    units += [(d.code, d.name_th, summaries.get(d.code)) for d in admin_areas.districts_of(code)]
    missing = [u for u in units if u[2] is None]
    return ctx.render(request, "publicity_province.html", session=session, province=code, units=units,
                      missing=missing)


@router.get("/staff/publicity/photo/{photo_id}")
def photo(ctx: Ctx, request: Request, photo_id: str) -> Response:
    staff = _staff(ctx, request)
    found = _publicity(request).photo(photo_id, staff[1] if staff else None)
    if found is None:
        raise PageProblem(404, "ไม่พบรูปภาพ", "Photo not found.")
    return Response(found.data, media_type=found.content_type,
                    headers={"Cache-Control": "private, max-age=3600", "Content-Disposition": "inline"})
