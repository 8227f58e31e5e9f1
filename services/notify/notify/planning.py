"""Which messages an event asks for (pure: the event in, planned messages out; nothing looked up or sent).

Events carry codes only, so recipients are references resolved at send time: ``debtor:<case_id>`` (the
debtor's phone or LINE id, from registration), ``unit:<code>`` (the unit's official mailbox) and
``staff:<account id>`` (a staff member's own e-mail, from identity).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from notify.messages.model import Channel, Planned

Event = dict[str, Any]
REPORT_FIELDS = ("unit_code", "province_code", "level", "period", "due_date", "report_id")


def _debtor(template: str, event: Event, channels: Sequence[Channel], **context: Any) -> list[Planned]:
    ctx = {"case_id": event["case_id"], **context}
    return [Planned(template, channel, f"debtor:{event['case_id']}", ctx, case_id=event["case_id"],
                    unit_code=event["district_code"]) for channel in channels]


def _unit(template: str, unit_code: str, context: dict[str, Any], case_id: str | None = None) -> Planned:
    return Planned(template, Channel.EMAIL, f"unit:{unit_code}", context, case_id=case_id, unit_code=unit_code)


def _registered(event: Event, debtor_channels: Sequence[Channel]) -> list[Planned]:
    staff = _unit("new_case", event["district_code"], {
        "case_id": event["case_id"], "district_code": event["district_code"], "channel": event["channel"],
        "outstanding_satang": event["outstanding_satang"]}, case_id=event["case_id"])
    return [*_debtor("registration_receipt", event, debtor_channels), staff]


def _scheduled(event: Event, debtor_channels: Sequence[Channel]) -> list[Planned]:
    return _debtor("mediation_scheduled", event, debtor_channels, session_no=event["session_no"],
                   scheduled_at=event["scheduled_at"], change=event["change"])


def _concluded(event: Event, debtor_channels: Sequence[Channel]) -> list[Planned]:
    return _debtor("mediation_outcome", event, debtor_channels, result=event["result"],
                   debt_after_satang=event.get("debt_after_satang"))


def _report_context(event: Event, **more: Any) -> dict[str, Any]:
    return {**{k: event[k] for k in REPORT_FIELDS}, **more}


def _returned(event: Event, _: Sequence[Channel]) -> list[Planned]:
    return [_unit("report_returned", event["unit_code"], _report_context(
        event, reason=event["reason"], report_version=event["report_version"]))]


def _overdue(event: Event, _: Sequence[Channel]) -> list[Planned]:
    """The late unit, and the one that reviews it: a district's province, a province's DOPA ("00")."""
    reviewer = event["province_code"] if event["level"] == "district" else "00"
    context = _report_context(event)
    return [_unit("report_overdue", event["unit_code"], context), _unit("report_overdue", reviewer, context)]


def _staff_provisioned(event: Event, _: Sequence[Channel]) -> list[Planned]:
    """The welcome with an activation link. The link is not in the event (a secret): it is issued by identity
    when the e-mail is sent (``Directory.send_time_context``) and never stored in notify's message record."""
    return [Planned("staff_welcome", Channel.EMAIL, f"staff:{event['account_id']}",
                    {"unit_code": event["unit_code"], "role": event["role"], "reason": event["reason"]},
                    unit_code=event["unit_code"])]


PLANNERS: dict[str, Callable[[Event, Sequence[Channel]], list[Planned]]] = {
    "CaseRegistered": _registered,
    "MediationScheduled": _scheduled,
    "MediationConcluded": _concluded,
    "ReportReturned": _returned,
    "ReportOverdue": _overdue,
    "StaffProvisioned": _staff_provisioned,
}


def plan(event: Event, debtor_channels: Sequence[Channel] = (Channel.SMS,)) -> list[Planned]:
    planner = PLANNERS.get(event["event_type"])
    return planner(event, debtor_channels) if planner else []
