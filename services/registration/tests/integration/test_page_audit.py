"""Every page sign-in and every page showing a debtor's case (landing with a receipt, status, receipt,
adding to a case, the desk's pages) leaves an AuditRecorded event in the outbox, written before the page."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx

from infra.dev.browser import DevBrowser
from infra.dev.testing import RunningService

from .pages_support import audits, desk_register, desk_review, new_citizen, register_self, session_doc


def reads_by(site: RunningService, sub: str, case_id: str) -> Callable[[], int]:
    return lambda: len(audits(site, action="case.read", actor_sub=sub, case_id=case_id, outcome="allowed"))


def receipt_of(page: httpx.Response) -> str:
    found = re.search(r'id="receipt-no">([0-9-]+)<', page.text)
    assert found is not None, page.text[:1000]
    return found[1]


def test_sign_ins_are_audited(site: RunningService, browser: DevBrowser) -> None:
    browser.sign_in(f"citizen:{new_citizen()}")
    sub = session_doc(site, browser)["claims"]["sub"]
    [entry] = audits(site, action="session.signin", actor_sub=sub)
    assert entry["outcome"] == "allowed" and entry["service"] == "registration" and entry["case_id"] is None
    assert entry["actor_roles"] == ["citizen"] and entry["source_ip"] == "127.0.0.1"
    before = len(audits(site, action="session.signin", outcome="denied", actor_roles=["auditor"]))
    with DevBrowser(site.url) as auditor:  # not an account for these pages: refused, and recorded as refused
        assert auditor.sign_in("auditor", flow="staff").status_code == 403
    assert len(audits(site, action="session.signin", outcome="denied", actor_roles=["auditor"])) == before + 1


def test_citizen_pages_showing_the_case_are_audited(site: RunningService, browser: DevBrowser) -> None:
    cid = new_citizen()
    receipt = receipt_of(register_self(browser, cid))
    claims = session_doc(site, browser)["claims"]
    case_id = site.app.state.intake.cases.find_by_citizen(cid).id
    reads = reads_by(site, claims["sub"], case_id)
    for path in ("/register", "/register/status", f"/register/receipt/{receipt}", "/register/more",
                 "/register/more/creditors/1/debts"):
        before = reads()
        page = browser.get(path)
        assert page.status_code == 200 and receipt in page.text, path
        assert reads() == before + 1, f"{path} showed the case without an audit record"
    with DevBrowser(site.url) as other:  # a citizen without a case: the landing page reads nothing
        other.sign_in(f"citizen:{new_citizen()}")
        sub = session_doc(site, other)["claims"]["sub"]
        other.get("/register")
        assert not audits(site, action="case.read", actor_sub=sub)


def test_desk_pages_showing_a_case_are_audited(site: RunningService, browser: DevBrowser) -> None:
    browser.sign_in("registrar:1001", flow="staff", next_path="/desk")
    cid = desk_register(browser, new_citizen())
    sub = session_doc(site, browser)["claims"]["sub"]
    case = site.app.state.intake.cases.find_by_citizen(cid)
    reads = reads_by(site, sub, case.id)
    for path in (f"/desk/receipt/{case.receipt_no}", f"/desk/case/{case.id}",
                 f"/desk/case/{case.id}/creditors/1/debts"):
        before = reads()
        assert case.receipt_no in browser.get(path).text, path
        assert reads() == before + 1, f"{path} showed the case without an audit record"
    # Registering the same person again: the review page names the existing receipt, which is a read too.
    before = reads()
    again = browser.post_form("/desk/submit", {}, page=desk_review(browser, cid))
    assert again.status_code == 409 and case.receipt_no in again.text
    assert reads() == before + 1
