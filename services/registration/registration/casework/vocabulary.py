"""Casework's codes with their Thai and English labels, in the order forms list them.

The codes are the ones the case-events contracts use (``contracts/contracts/schemas``); pages, letters
and refusal messages take their words from here so every screen says the same thing.
"""

from __future__ import annotations

from registration.cases.case import Status

Label = tuple[str, str]  # (Thai, English)

STATUS: dict[Status, Label] = {
    Status.NEW: ("ลงทะเบียนใหม่ ยังไม่ได้ติดต่อ", "New, not yet contacted"),
    Status.CONTACTING: ("อยู่ระหว่างติดต่อลูกหนี้", "Contacting the debtor"),
    Status.WANTS_MEDIATION: ("ประสงค์เข้าสู่การไกล่เกลี่ย", "Wants mediation"),
    Status.DECLINED: ("ไม่ประสงค์ไกล่เกลี่ย", "Declined mediation"),
    Status.UNREACHABLE: ("ติดต่อลูกหนี้ไม่ได้", "Debtor unreachable"),
    Status.IN_MEDIATION: ("อยู่ระหว่างไกล่เกลี่ย (มีนัดแล้ว)", "In mediation (session scheduled)"),
    Status.RESOLVED: ("ไกล่เกลี่ยสำเร็จ", "Resolved by mediation"),
    Status.NOT_RESOLVED: ("ไกล่เกลี่ยไม่สำเร็จ", "Mediation did not resolve it"),
    Status.REFERRED: ("ส่งต่อหน่วยงานอื่นแล้ว", "Referred to another agency"),
    Status.WITHDRAWN: ("ลูกหนี้ถอนเรื่อง", "Withdrawn by the debtor"),
    Status.CLOSED: ("ปิดเรื่องแล้ว", "Closed"),
}

CONTACT_METHOD: dict[str, Label] = {
    "official_letter": ("หนังสือราชการ", "Official letter"),
    "phone": ("โทรศัพท์", "Phone"),
    "community_leader": ("ผ่านผู้นำชุมชน/กำนัน/ผู้ใหญ่บ้าน", "Through a community leader / village headman"),
    "home_visit": ("ลงพื้นที่เยี่ยมบ้าน", "Home visit"),
    "other": ("อื่น ๆ", "Other"),
}
CONTACT_RESULT: dict[str, Label] = {
    "reached": ("ติดต่อได้", "Reached"),
    "not_reached": ("ติดต่อไม่ได้", "Not reached"),
    "wrong_number": ("หมายเลขไม่ถูกต้อง", "Wrong number"),
    "moved_away": ("ย้ายที่อยู่แล้ว", "Moved away"),
    "letter_sent": ("ส่งหนังสือแล้ว", "Letter sent"),
}
DECISION: dict[str, Label] = {
    "wants_mediation": ("ประสงค์เข้าสู่การไกล่เกลี่ย", "Wants mediation"),
    "declined": ("ไม่ประสงค์ไกล่เกลี่ย", "Declines mediation"),
    "unreachable": ("ติดต่อไม่ได้หลังติดต่อหลายครั้ง", "Unreachable after repeated attempts"),
}
SESSION_STATE: dict[str, Label] = {
    "scheduled": ("นัดไว้", "Scheduled"),
    "held": ("ดำเนินการแล้ว", "Held"),
    "cancelled": ("ยกเลิก", "Cancelled"),
}
MEDIATION_RESULT: dict[str, Label] = {
    "agreement": ("ตกลงกันได้", "Agreement"),
    "no_agreement": ("ตกลงกันไม่ได้", "No agreement"),
    "creditor_absent": ("เจ้าหนี้ไม่มาตามนัด", "Creditor absent"),
    "debtor_absent": ("ลูกหนี้ไม่มาตามนัด", "Debtor absent"),
}
REFERRAL: dict[str, Label] = {
    "police": ("สถานีตำรวจ", "Police"),
    "prosecution": ("พนักงานอัยการ", "Public prosecutor"),
    "gsb": ("ธนาคารออมสิน (สินเชื่อ)", "Government Savings Bank (refinancing)"),
    "baac": ("ธ.ก.ส. (สินเชื่อ)", "BAAC (refinancing)"),
    "jobs": ("จัดหางาน", "Employment office (jobs)"),
    "training": ("ฝึกอาชีพ", "Vocational training"),
    "legal_aid": ("ความช่วยเหลือทางกฎหมาย", "Legal aid"),
    "other_help": ("ความช่วยเหลืออื่น ๆ", "Other help"),
}
REFERRAL_REASON: dict[str, Label] = {
    "excessive_interest": ("ดอกเบี้ยเกินกว่าที่กฎหมายกำหนด", "Interest above the legal limit"),
    "threats": ("ถูกข่มขู่หรือทำร้ายในการทวงหนี้", "Threats or violence in collection"),
    "refinancing": ("ขอสินเชื่อเพื่อชำระหนี้", "Refinancing"),
    "livelihood": ("อาชีพและรายได้", "Livelihood"),
    "legal": ("ปัญหาข้อกฎหมาย", "Legal matter"),
    "other": ("อื่น ๆ", "Other"),
}
CLOSURE_REASON: dict[str, Label] = {
    "resolved": ("ไกล่เกลี่ยสำเร็จ", "Resolved by mediation"),
    "withdrawn": ("ลูกหนี้ถอนเรื่อง", "Withdrawn by the debtor"),
    "declined": ("ลูกหนี้ไม่ประสงค์ไกล่เกลี่ย", "The debtor declined mediation"),
    "unreachable": ("ติดต่อลูกหนี้ไม่ได้", "The debtor could not be reached"),
    "referred": ("ส่งต่อหน่วยงานอื่นดำเนินการแล้ว", "Referred to another agency"),
    "moved_abroad": ("ลูกหนี้ย้ายไปต่างประเทศ", "The debtor moved abroad"),
    "deceased": ("ลูกหนี้ถึงแก่กรรม", "The debtor died"),
    "duplicate": ("ลงทะเบียนซ้ำ", "Duplicate registration"),
    "other": ("อื่น ๆ", "Other"),
}
# ``close`` takes every reason but "withdrawn", which ``withdraw`` records.
CLOSE_REASONS: tuple[str, ...] = tuple(r for r in CLOSURE_REASON if r != "withdrawn")
TRANSFER_REFUSAL: dict[str, Label] = {
    "not_in_area": ("ลูกหนี้ไม่ได้อยู่ในพื้นที่", "The debtor does not live in this district"),
    "already_handled": ("มีการดำเนินการเรื่องนี้อยู่แล้ว", "Already being handled"),
    "other": ("อื่น ๆ", "Other"),
}
TRANSFER_STATE: dict[str, Label] = {
    "pending": ("รอการตอบรับ", "Awaiting the receiving district"),
    "accepted": ("รับโอนแล้ว", "Accepted"),
    "refused": ("ปฏิเสธการรับโอน", "Refused"),
}
# A timeline entry's kind is the event type it emitted.
EVENT: dict[str, Label] = {
    "CaseContacted": ("บันทึกการติดต่อ", "Contact recorded"),
    "MediationDecisionRecorded": ("บันทึกความประสงค์ของลูกหนี้", "Debtor's decision recorded"),
    "MediationScheduled": ("นัดหมายไกล่เกลี่ย", "Mediation session"),
    "MediationConcluded": ("บันทึกผลการไกล่เกลี่ย", "Mediation result recorded"),
    "CaseReferred": ("ส่งต่อหน่วยงาน", "Referred"),
    "CaseClosed": ("ปิดเรื่อง", "Closed"),
    "CaseReopened": ("เปิดเรื่องอีกครั้ง", "Reopened"),
    "CaseTransferRequested": ("ขอโอนเรื่องไปอำเภออื่น", "Transfer requested"),
    "CaseTransferred": ("รับโอนเรื่องแล้ว", "Transferred"),
    "CaseTransferRefused": ("ปฏิเสธการรับโอนเรื่อง", "Transfer refused"),
    "CaseAssigned": ("มอบหมายเจ้าหน้าที่", "Assignment"),
}
SCHEDULE_CHANGE: dict[str, Label] = {
    "scheduled": ("นัดไกล่เกลี่ย", "Scheduled"),
    "rescheduled": ("เลื่อนนัด", "Rescheduled"),
    "cancelled": ("ยกเลิกนัด", "Cancelled"),
}

GROUPS: dict[str, dict[str, Label]] = {
    "status": {s.value: label for s, label in STATUS.items()},
    "contact_method": CONTACT_METHOD, "contact_result": CONTACT_RESULT, "decision": DECISION,
    "session_state": SESSION_STATE, "mediation_result": MEDIATION_RESULT, "referral": REFERRAL,
    "referral_reason": REFERRAL_REASON, "closure_reason": CLOSURE_REASON, "transfer_refusal": TRANSFER_REFUSAL,
    "transfer_state": TRANSFER_STATE, "event": EVENT, "schedule_change": SCHEDULE_CHANGE,
}


def label(group: str, code: str | None, lang: str = "th") -> str:
    """The label of ``code`` in ``group`` ("status", "referral" …) in Thai (``lang="th"``) or English;
    an unknown code shows as itself, nothing as a dash."""
    if not code:
        return "—"
    found = GROUPS[group].get(code)
    if found is None:
        return code
    return found[1] if lang == "en" else found[0]


def choices(group: str, lang: str = "th") -> list[tuple[str, str]]:
    """(code, label) pairs in form order."""
    return [(code, label(group, code, lang)) for code in GROUPS[group]]
