"""The worklist pages: ``/casework`` (filters, search, counts per status, keyset pages, bulk selection),
``POST /casework/assign`` (the selected cases to an officer), ``/casework/transfers`` (cases other districts
ask this one to take over), and the pages' stylesheet and script.

A district officer works their district's list; a province officer and DOPA read theirs (no selection, no
actions). Every view of a list is audited (``case.list``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qsl, urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from contracts.errors import ApiError
from registration.cases.errors import Invalid
from registration.casework.pages_common import (
    audit_list,
    casework,
    local_path,
    officers,
    posting_staff,
    scope_of,
    sign_in,
    staff,
    template_helpers,
    with_params,
    worklist,
)
from registration.casework.worklist_request import FLAGS, PAGE_SIZES, SORTS, STATUS_ORDER, parse_query
from registration.kernel import admin_areas
from registration.web import forms
from registration.web.context import PageProblem, WebContext, actor, posted_form, web

router = APIRouter(include_in_schema=False)
Ctx = Annotated[WebContext, Depends(web)]
Form = Annotated[FormData, Depends(posted_form)]
ASSETS = Path(__file__).parent / "assets"
FLAG_LABEL = {"excessive_interest": ("ดอกเบี้ยเกินกฎหมาย", "Interest above the legal cap"),
              "threatened": ("ถูกข่มขู่", "Threatened"), "collateral_held": ("เจ้าหนี้ยึดหลักประกัน", "Collateral held")}
SORT_LABEL = {"registered": ("วันที่ลงทะเบียน", "Registration date"), "due": ("กำหนดดำเนินการถัดไป", "Next action due"),
              "status": ("สถานะ", "Status"), "debt": ("ยอดหนี้คงค้าง", "Outstanding debt")}
READ_ONLY = ("ท่านดูรายการได้ แต่การดำเนินการทำได้เฉพาะเจ้าหน้าที่ของอำเภอที่รับผิดชอบ",
             "You may read this list; only the district's officers act on its cases.")
NOTICES = {
    "assigned": ("มอบหมายแล้ว {n} เรื่อง", "{n} case(s) assigned."),
    "unassigned": ("ยกเลิกการมอบหมายแล้ว {n} เรื่อง", "{n} case(s) unassigned."),
    "none_selected": ("กรุณาเลือกอย่างน้อย 1 เรื่อง", "Please select at least one case."),
    "unknown_officer": ("ไม่พบเจ้าหน้าที่ที่เลือกในอำเภอนี้", "The chosen officer is not one of this district's."),
}


def _params(request: Request) -> dict[str, list[str]]:
    return {name: request.query_params.getlist(name) for name in request.query_params}


@router.get("/casework")
def worklist_page(ctx: Ctx, request: Request) -> Response:
    found = staff(ctx, request)
    if found is None:
        return sign_in(request)
    session, claims = found
    scope = scope_of(claims)
    reader = worklist(request)
    query, errors = parse_query(_params(request), reader.today())
    page = reader.page(query, scope, claims.sub)
    counts = reader.counts(query, scope)
    audit_list(request, claims)  # the page shows names and receipt numbers: a read of personal data
    directory = officers(request)
    directory.seen(claims)
    team = directory.of_district(scope.code) if scope.level == "district" else []
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("cursor", "notice", "n", "failed")]
    lang = ctx.lang(request)
    area = query.district_code or (query.province_code if scope.level == "nation" else None) or scope.code
    return ctx.render(
        request, "worklist.html", session=session, scope=scope, query=query, page=page, counts=counts,
        total=sum(counts.values()), errors=errors, by_field=forms.errors_by_field(errors), field_id=forms.field_id,
        error_link=lambda e: "#" + forms.field_id(e.field or "main"), statuses=STATUS_ORDER, flags=FLAGS,
        flag_label=FLAG_LABEL, sort_label=SORT_LABEL, today=reader.today(),
        sort_options=[(s, SORT_LABEL[s][1] if lang == "en" else SORT_LABEL[s][0]) for s in SORTS],
        size_options=[(str(n), str(n)) for n in PAGE_SIZES], request_q=request.query_params.get("q", "")[:120],
        self_url=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        link=lambda **changes: with_params("/casework", params, **changes),
        team=team, names={o.sub: o.name for o in team}, read_only=scope.read_only, read_only_message=READ_ONLY,
        district_options=admin_areas.districts_of(scope.code if scope.level == "province" else
                                                  query.province_code or "") if scope.level != "district" else (),
        subdistrict_options=admin_areas.subdistricts_of(area) if len(area) == 4 else (),
        notice=_notice(request), **template_helpers(lang),
    )


def _notice(request: Request) -> tuple[str, str] | None:
    kind = request.query_params.get("notice", "")
    if kind not in NOTICES:
        return None
    n, failed = request.query_params.get("n", "0"), request.query_params.get("failed", "0")
    th, en = NOTICES[kind]
    th, en = th.format(n=n if n.isdigit() else "0"), en.format(n=n if n.isdigit() else "0")
    if failed.isdigit() and int(failed):
        th += f" ไม่สำเร็จ {failed} เรื่อง (เรื่องนอกอำเภอหรือปิดแล้ว)"
        en += f" {failed} could not be assigned (another district's, or closed)."
    return th, en


def _back_with(back: str, **notice: str) -> RedirectResponse:
    parts = urlsplit(back)
    params = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("notice", "n", "failed")]
    return RedirectResponse(with_params(parts.path, params, **notice), status_code=303)


@router.post("/casework/assign")
def assign(ctx: Ctx, request: Request, form: Form) -> Response:
    """The ticked cases to an officer of the district ("me", another officer's token subject) or to no one."""
    back = local_path(form.get("back"), "/casework")
    _, claims = posting_staff(ctx, request, form, back)
    scope = scope_of(claims)
    if scope.read_only:
        raise PageProblem(403, *READ_ONLY)
    chosen = str(form.get("officer") or "")
    officer = claims.sub if chosen == "me" else chosen or None
    if officer not in (None, claims.sub) and officer not in {o.sub for o in officers(request).of_district(scope.code)}:
        return _back_with(back, notice="unknown_officer")
    case_ids = [v for v in form.getlist("case_ids") if isinstance(v, str)]
    try:
        result = casework(request).assign(case_ids, officer, claims, actor(request, claims))
    except Invalid:
        return _back_with(back, notice="none_selected")
    except ApiError as problem:
        raise PageProblem(problem.status, problem.th, problem.en) from None
    return _back_with(back, notice="assigned" if officer else "unassigned",
                      n=str(len(result) + len(result.unchanged)), failed=str(len(result.failed)))


@router.get("/casework/transfers")
def transfers_page(ctx: Ctx, request: Request) -> Response:
    """Cases other districts ask this district to take over, to accept or refuse (its district officers)."""
    found = staff(ctx, request)
    if found is None:
        return sign_in(request)
    session, claims = found
    scope = scope_of(claims)
    if scope.level != "district":
        raise PageProblem(403, "รายการรับโอนเรื่องเป็นของเจ้าหน้าที่อำเภอที่รับโอน",
                          "Incoming transfers are answered by the receiving district's officers.")
    incoming = worklist(request).incoming_transfers(scope.code)
    audit_list(request, claims)
    done = request.query_params.get("done", "")
    return ctx.render(request, "transfers.html", session=session, scope=scope, incoming=incoming,
                      done=done if done in ("accept-transfer", "refuse-transfer") else None,
                      field_id=forms.field_id, **template_helpers(ctx.lang(request)))


@router.get("/casework/assets/{name}")
def asset(name: str) -> Response:
    """The casework pages' stylesheet and script (served from here: the site's policy allows no inline style)."""
    kinds = {"casework.css": "text/css", "casework.js": "text/javascript"}
    if name not in kinds:
        raise PageProblem(404, "ไม่พบไฟล์นี้", "Not found.")
    return Response((ASSETS / name).read_bytes(), media_type=kinds[name],
                    headers={"Cache-Control": "public, max-age=3600"})

