"""From a submitted registration (JSON body or web form) to a domain :class:`NewCase`, or field errors.

Pure: no I/O, ``today`` is passed in. The JSON API and the web pages both call
:func:`validate_registration`, so a rule and its Thai message exist once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from pydantic import ValidationError

from registration.cases.errors import from_pydantic
from registration.cases.model import DESK_CHANNELS, Address, Channel, Creditor, Debt, Debtor, NewCase
from registration.intake.schemas import CreditorIn, CreditorsRequest, DebtorIn, DebtsRequest, RegistrationRequest
from registration.intake.validate_creditors import collect_creditors, collect_debts
from registration.kernel.admin_areas import postal_code_problem, validate_address_codes
from registration.kernel.collector import Collector
from registration.kernel.limits import CaseShape
from registration.kernel.money import parse_satang
from registration.kernel.thai import FieldError, normalise_digits, parse_citizen_id, parse_past_date, parse_thai_phone

_POSTAL = re.compile(r"[1-9][0-9]{4}")


@dataclass(frozen=True)
class VerifiedIdentity:
    """What the identity provider vouches for (ThaiD via Keycloak); it wins over anything typed."""

    citizen_id: str
    given_name: str | None = None
    family_name: str | None = None
    birth_date: date | None = None


@dataclass(frozen=True)
class DeskOfficer:
    unit_code: str
    officer_sub: str


def _address(c: Collector, at: str, body: DebtorIn) -> Address:
    a = body.address
    area_errors = validate_address_codes(a.province_code, a.district_code, a.subdistrict_code)
    for error in area_errors:
        c.errors.append(error.with_field(f"{at}.{error.field}"))
    postal = normalise_digits(a.postal_code or "") or None
    if postal is not None and not _POSTAL.fullmatch(postal):
        c.add(f"{at}.postal_code", "postal_code.format")
    # Judged only against a subdistrict that is itself right, so one wrong choice is one error.
    elif postal is not None and not area_errors and (wrong := postal_code_problem(a.subdistrict_code, postal)):
        c.errors.append(wrong.with_field(f"{at}.postal_code"))
    return Address(
        line=c.text(f"{at}.line", a.line, "address.required"),
        subdistrict_code=normalise_digits(a.subdistrict_code),
        district_code=normalise_digits(a.district_code),
        province_code=normalise_digits(a.province_code),
        postal_code=postal,
    )


def _debtor(c: Collector, body: DebtorIn, today: date, identity: VerifiedIdentity | None, desk: bool) -> Debtor:
    at = "debtor"
    past = partial(parse_past_date, today=today)
    if identity is not None:
        citizen_id = identity.citizen_id
    else:
        citizen_id = c.parse(f"{at}.citizen_id", parse_citizen_id, body.citizen_id or "", "")
    given = (identity and identity.given_name) or c.text(f"{at}.given_name", body.given_name, "given_name.required",
                                                         name=True)
    family = (identity and identity.family_name) or c.text(f"{at}.family_name", body.family_name,
                                                           "family_name.required", name=True)
    birth = identity.birth_date if identity is not None else None
    if birth is None:
        if desk and not (body.birth_date or "").strip():
            c.add(f"{at}.birth_date", "birth_date.required")
        birth = c.optional(f"{at}.birth_date", past, body.birth_date)
    return Debtor(
        citizen_id=citizen_id,
        given_name=given,
        family_name=family,
        address=_address(c, f"{at}.address", body),
        title=c.text(f"{at}.title", body.title, name=True) or None,
        birth_date=birth,
        phone=c.parse(f"{at}.phone", parse_thai_phone, body.phone or "", None),
        occupation=c.text(f"{at}.occupation", body.occupation) or None,
        monthly_income_satang=c.optional(f"{at}.monthly_income", parse_satang, body.monthly_income),
    )


def parse_request(payload: RegistrationRequest | Mapping[str, Any]) -> RegistrationRequest | list[FieldError]:
    if isinstance(payload, RegistrationRequest):
        return payload
    try:
        return RegistrationRequest.model_validate(payload)
    except ValidationError as exc:
        return from_pydantic({**e, "loc": ("body", *e["loc"])} for e in exc.errors())


def validate_registration(
    payload: RegistrationRequest | Mapping[str, Any],
    *,
    today: date,
    identity: VerifiedIdentity | None = None,
    desk: DeskOfficer | None = None,
) -> NewCase | list[FieldError]:
    """The case to store, or every field error found. ``identity`` (self-registration) supplies
    citizen ID, names and birth date; ``desk`` (desk and paper channels) the unit and officer.
    Who may submit what is not decided here but by ``contracts.access``."""
    body = parse_request(payload)
    if isinstance(body, list):
        return body
    c = Collector()
    channel = Channel(body.channel)
    is_desk = channel in DESK_CHANNELS
    debtor = _debtor(c, body.debtor, today, identity, is_desk)
    creditors = collect_creditors(c, body.creditors, today)
    c.errors.extend(CaseShape.of(creditors).problems("creditors"))
    help_wanted = tuple(dict.fromkeys(body.help_wanted))
    if not help_wanted:
        c.add("help_wanted", "help_wanted.required")
    help_other = c.text("help_other", body.help_other, "help_other.required" if "other" in help_wanted else None)
    if not body.privacy_acknowledged:
        c.add("privacy_acknowledged", "privacy.required")
    paper_no, paper_on = None, None
    if channel is Channel.PAPER:
        paper_no = c.text("paper_form_no", body.paper_form_no, "paper_form_no.required")
        paper_on = c.parse("paper_received_on", partial(parse_past_date, today=today), body.paper_received_on or "",
                           None)
    if c.errors:
        return c.errors
    return NewCase(
        debtor=debtor,
        channel=channel,
        creditors=creditors,
        help_wanted=help_wanted,
        help_other=help_other or None,
        unit_code=desk.unit_code if desk and is_desk else None,
        officer_sub=desk.officer_sub if desk and is_desk else None,
        paper_form_no=paper_no,
        paper_received_on=paper_on,
        privacy_acknowledged=True,
    )


def validate_creditors(
    payload: CreditorsRequest | Sequence[CreditorIn], *, today: date
) -> tuple[Creditor, ...] | list[FieldError]:
    """Creditors to add to an existing case, or their field errors (fields named ``creditors.<i>...``)."""
    creditors = payload.creditors if isinstance(payload, CreditorsRequest) else payload
    c = Collector()
    found = collect_creditors(c, creditors, today)
    return c.errors or found


def validate_debts(payload: DebtsRequest, *, today: date) -> tuple[Debt, ...] | list[FieldError]:
    """Debts to add to a creditor already on the case (fields named ``debts.<i>...``)."""
    c = Collector()
    found = collect_debts(c, payload.debts, today)
    return c.errors or found
