"""The step-by-step form: which fields each step owns, and flat HTML form fields <-> the nested draft.

HTML field names are the dotted paths the core's validation names in its errors
(``debtor.address.province_code``, ``creditors.0.debts.1.principal``), so an error lands next to
its field without a mapping table. The draft has the shape of ``RegistrationRequest``, all text.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from registration.kernel.thai import FieldError

MAX_CREDITORS = 20
MAX_DEBTS = 20

PERSON = ("citizen_id", "title", "given_name", "family_name", "birth_date")
CONTACT = ("phone", "occupation", "monthly_income")
ADDRESS = ("line", "province_code", "district_code", "subdistrict_code", "postal_code")
CREDITOR = ("kind", "name", "phone", "address_or_area", "how_met", "how_met_detail")
DEBT = ("principal", "start_date", "interest_rate", "interest_period", "instalment", "instalment_frequency",
        "instalment_count", "repaid", "outstanding", "collateral_other")
# Choice fields: an unanswered select posts "" which the schema's Literal would refuse; absent means unanswered.
_CHOICES = {"interest_period", "instalment_frequency", "how_met"}
_TEXT_LIMIT = 600  # above every schema limit, so over-long input is reported by validation, not cut silently


@dataclass(frozen=True)
class Step:
    name: str
    th: str
    en: str


STEPS: dict[str, Step] = {s.name: s for s in (
    Step("person", "ข้อมูลผู้ลงทะเบียน", "Debtor"),
    Step("contact", "ที่อยู่และการติดต่อ", "Address and contact"),
    Step("creditors", "เจ้าหนี้และหนี้", "Creditors and debts"),
    Step("help", "ความช่วยเหลือที่ต้องการ", "Help wanted"),
    Step("review", "ตรวจสอบและยืนยัน", "Check and submit"),
)}
PUBLIC_STEPS = ("contact", "creditors", "help", "review")
DESK_STEPS = ("person", "contact", "creditors", "help", "review")


def step_of(field: str | None) -> str:
    """The step whose page shows this field's error."""
    f = field or ""
    if (f.startswith("debtor.") and f.split(".")[1] in PERSON) or f.startswith("paper_"):
        return "person"
    if f.startswith("debtor"):
        return "contact"
    if f.startswith("creditors"):
        return "creditors"
    if f.startswith("help") or f == "privacy_acknowledged":
        return "help"
    return "review"


def field_id(name: str) -> str:
    return "f-" + name.replace(".", "-")


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value[:_TEXT_LIMIT] if isinstance(value, str) else ""


def _multi(form: FormData, name: str) -> list[str]:
    return [v[:40] for v in form.getlist(name) if isinstance(v, str) and v][:10]


def new_draft(channel: str) -> dict[str, Any]:
    # draft_id doubles as the Idempotency-Key of the final submission.
    return {"draft_id": secrets.token_urlsafe(16), "channel": channel, "debtor": {"address": {}},
            "creditors": [empty_creditor()], "help_wanted": [], "privacy_acknowledged": False}


def value_at(draft: dict[str, Any], path: str) -> Any:
    """``value_at(draft, "creditors.0.debts.1.principal")``; "" when absent."""
    node: Any = draft
    for part in path.split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return ""
    return "" if node is None else node


def empty_debt() -> dict[str, Any]:
    return {"collateral": [], "threatened": False}


def empty_creditor() -> dict[str, Any]:
    return {"kind": "unknown", "debts": [empty_debt()]}


def _indices(form: FormData, pattern: re.Pattern[str], limit: int) -> list[int]:
    found = {int(m[1]) for key in form for m in [pattern.fullmatch(key)] if m}
    return sorted(i for i in found if i < limit)


def read_step(step: str, form: FormData, draft: dict[str, Any], *, desk: bool) -> dict[str, Any]:
    """A copy of ``draft`` with this step's fields replaced by what was posted. Fields of other steps,
    and identity fields in self-registration, are never taken from the form."""
    out = {**draft, "debtor": {**draft.get("debtor", {}), "address": {**draft.get("debtor", {}).get("address", {})}}}
    debtor = out["debtor"]
    if step == "person" and desk:
        debtor.update({f: _text(form, f"debtor.{f}") for f in PERSON})
        if out.get("channel") == "paper":
            out.update(paper_form_no=_text(form, "paper_form_no"), paper_received_on=_text(form, "paper_received_on"))
    elif step == "contact":
        debtor.update({f: _text(form, f"debtor.{f}") for f in CONTACT})
        debtor["address"] = {f: _text(form, f"debtor.address.{f}") for f in ADDRESS}
    elif step == "creditors":
        out["creditors"] = read_creditors(form)
    elif step == "help":
        out.update(help_wanted=_multi(form, "help_wanted"), help_other=_text(form, "help_other"),
                   privacy_acknowledged=form.get("privacy_acknowledged") == "yes")
    return out


_CREDITOR_KEY = re.compile(r"creditors\.([0-9]{1,2})\..+")


def read_creditors(form: FormData) -> list[dict[str, Any]]:
    creditors = []
    for i in _indices(form, _CREDITOR_KEY, MAX_CREDITORS):
        at = f"creditors.{i}"
        creditor: dict[str, Any] = {f: _text(form, f"{at}.{f}") for f in CREDITOR}
        creditor["debts"] = read_debts(form, f"{at}.debts")
        creditors.append(creditor)
    return creditors


def read_debts(form: FormData, at: str = "debts") -> list[dict[str, Any]]:
    """The debt rows posted under ``at`` (``creditors.0.debts`` in a creditor, ``debts`` on their own)."""
    debt_key = re.compile(re.escape(at) + r"\.([0-9]{1,2})\..+")
    return [
        {**{f: _text(form, f"{at}.{j}.{f}") for f in DEBT},
         "collateral": _multi(form, f"{at}.{j}.collateral"),
         "threatened": form.get(f"{at}.{j}.threatened") == "yes"}
        for j in _indices(form, debt_key, MAX_DEBTS)
    ]


def apply_action(action: str, draft: dict[str, Any]) -> dict[str, Any]:
    """Adds or removes a creditor or debt row (buttons, so it works without JavaScript)."""
    creditors = [dict(c, debts=list(c.get("debts", []))) for c in draft.get("creditors", [])]
    verb, *args = action.split(":")
    try:
        numbers = [int(a) for a in args]
        if verb == "add_creditor" and len(creditors) < MAX_CREDITORS:
            creditors.append(empty_creditor())
        elif verb == "remove_creditor" and len(creditors) > 1:
            creditors.pop(numbers[0])
        elif verb == "add_debt" and len(creditors[numbers[0]]["debts"]) < MAX_DEBTS:
            creditors[numbers[0]]["debts"].append(empty_debt())
        elif verb == "remove_debt" and len(creditors[numbers[0]]["debts"]) > 1:
            creditors[numbers[0]]["debts"].pop(numbers[1])
    except (ValueError, IndexError):
        pass  # a stale or hand-made button value: nothing to do
    return {**draft, "creditors": creditors}


def _clean(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v, k) for k, v in value.items() if not (k in _CHOICES and v in ("", None))}
    if isinstance(value, list):
        return [_clean(v, key) for v in value]
    return value


def payload(draft: dict[str, Any], *, desk: bool) -> dict[str, Any]:
    """The draft as a ``RegistrationRequest`` body. Self-registration sends no identity fields: those come
    from the verified token. Paper fields go only with the paper channel."""
    body: dict[str, Any] = _clean({k: v for k, v in draft.items() if k != "draft_id"}, "")
    debtor = dict(body.get("debtor", {}))
    if not desk:
        for f in PERSON:
            debtor.pop(f, None)
    for f in ("title", "birth_date", "phone", "occupation", "monthly_income"):
        if debtor.get(f) == "":
            debtor.pop(f)
    body["debtor"] = debtor
    body["creditors"] = creditors_payload(body.get("creditors", []))
    if body.get("channel") != "paper":
        body.pop("paper_form_no", None)
        body.pop("paper_received_on", None)
    return body


def creditors_payload(creditors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = _clean(creditors, "creditors")
    for creditor in out:
        creditor["kind"] = creditor.get("kind") or "unknown"
        creditor["debts"] = debts_payload(creditor.get("debts", []))
    return out


def debts_payload(debts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = _clean(debts, "debts")
    for debt in out:
        # Empty rather than absent: the domain's "please enter an amount" instead of a bare "required".
        debt.setdefault("principal", "")
        debt.setdefault("outstanding", "")
    return out


def errors_by_field(errors: Iterable[FieldError]) -> dict[str, FieldError]:
    """The first error of each field, keyed by field name ("" for errors about the whole form)."""
    found: dict[str, FieldError] = {}
    for error in errors:
        found.setdefault(error.field or "", error)
    return found
