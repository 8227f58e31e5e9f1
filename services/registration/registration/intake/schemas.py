"""The registration record as it travels over HTTP (JSON API and, field for field, the web form).

Fields are mostly text on purpose: people type Thai digits, spaces, dashes, ``฿1,234.50`` or a
Buddhist-Era date, and the domain parsers (``registration.kernel.thai``/``money``) turn those into
canonical values with Thai error messages. Pydantic only checks shape (which fields, which
choices, how long); :func:`registration.intake.validation.validate_registration` does the rest.

Money: a string such as ``"1,234.50"`` (preferred) or a JSON number of baht; never more than two
decimals; stored as integer satang. Dates: ``YYYY-MM-DD`` or ``DD/MM/YYYY``, CE or BE year.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from contracts.errors import ErrorDetail, ErrorOut

Channel = Literal["self_online", "thaid_app", "desk", "paper"]
CreditorKind = Literal["person", "business", "unknown"]
HowMet = Literal["acquaintance", "relative", "leaflet", "online", "phone_or_sms", "walk_in", "other"]
InterestPeriod = Literal["day", "month", "year"]
InstalmentFrequency = Literal["daily", "weekly", "monthly", "other"]
Collateral = Literal["id_card", "atm_card", "bank_book", "land_title", "vehicle", "other"]
HelpWanted = Literal["mediation", "refinancing", "job_training", "legal_help", "other"]

# Field options in Thai, in form order: the web form and the API docs use the same labels.


def _number_as_text(value: Any) -> Any:
    """JSON numbers become their shortest decimal text, so ``1234.5`` is parsed as exactly 1234.50 baht."""
    if isinstance(value, bool):
        return value  # refused by the str type: true is not an amount
    if isinstance(value, int | float):
        return repr(value)
    return value


# The length bound comes before the number-to-text step, so pydantic reports it as text too long
# ("string_too_long"), not as too many items, whatever the client sent (a 400-digit number included).
Money = Annotated[str, Field(max_length=32, examples=["1,234.50"]), BeforeValidator(_number_as_text)]
DateText = Annotated[str, Field(max_length=32, examples=["2024-01-31", "31/01/2567"])]
Code = Annotated[str, Field(max_length=16)]
Phone = Annotated[str, Field(max_length=20, examples=["081-234-5678"])]
ShortText = Annotated[str, Field(max_length=100)]
LongText = Annotated[str, Field(max_length=500)]


class _Form(BaseModel):
    # Unknown fields are refused (with a Thai message) rather than silently dropped.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AddressIn(_Form):
    line: LongText = Field("", description="บ้านเลขที่ หมู่ ซอย ถนน")
    subdistrict_code: Code = Field("", description="รหัสตำบล/แขวง 6 หลัก")
    district_code: Code = Field("", description="รหัสอำเภอ/เขต 4 หลัก")
    province_code: Code = Field("", description="รหัสจังหวัด 2 หลัก")
    postal_code: Code | None = Field(None, description="รหัสไปรษณีย์ 5 หลัก")


class DebtorIn(_Form):
    """For self-registration, citizen ID, names and birth date come from the verified identity."""

    citizen_id: Phone | None = Field(None, max_length=32, description="เลขประจำตัวประชาชน 13 หลัก",
                                     examples=["1-1017-00230-70-5"])
    title: ShortText | None = Field(None, description="คำนำหน้าชื่อ")
    given_name: ShortText | None = Field(None, description="ชื่อ")
    family_name: ShortText | None = Field(None, description="นามสกุล")
    birth_date: DateText | None = Field(None, description="วันเกิด")
    phone: Phone | None = Field(None, description="หมายเลขโทรศัพท์")
    address: AddressIn = Field(default_factory=AddressIn, description="ที่อยู่ตามที่ติดต่อได้")
    occupation: ShortText | None = Field(None, description="อาชีพ")
    monthly_income: Money | None = Field(None, description="รายได้ต่อเดือน (บาท)")


class DebtIn(_Form):
    principal: Money = Field(description="เงินต้น (บาท)")
    start_date: DateText | None = Field(None, description="วันที่เริ่มกู้")
    interest_rate: Annotated[str, Field(max_length=16), BeforeValidator(_number_as_text)] | None = Field(
        None, description="อัตราดอกเบี้ย ร้อยละ", examples=["20", "1.5"]
    )
    interest_period: InterestPeriod | None = Field(None, description="ดอกเบี้ยต่อวัน/เดือน/ปี")
    instalment: Money | None = Field(None, description="ค่างวด (บาท)")
    instalment_frequency: InstalmentFrequency | None = Field(None, description="ความถี่ในการส่งงวด")
    instalment_count: Annotated[str, Field(max_length=16), BeforeValidator(_number_as_text)] | None = Field(
        None, description="จำนวนงวดที่ต้องส่งทั้งหมด (1 ถึง 1,000 งวด) ใช้คำนวณอัตราดอกเบี้ยที่แท้จริงเมื่อไม่ทราบอัตราดอกเบี้ย",
        examples=["24"],
    )
    repaid: Money | None = Field(None, description="ชำระแล้ว (บาท)")
    outstanding: Money = Field(description="ยอดหนี้คงเหลือ (บาท)")
    collateral: list[Collateral] = Field(default_factory=list, max_length=6, description="หลักประกันที่เจ้าหนี้ยึดไว้")
    collateral_other: ShortText | None = Field(None, description="หลักประกันอื่น ๆ")
    threatened: bool = Field(False, description="ถูกข่มขู่หรือใช้ความรุนแรงในการทวงหนี้")


class CreditorIn(_Form):
    kind: CreditorKind = Field("unknown", description="ประเภทเจ้าหนี้")
    name: ShortText | None = Field(None, description="ชื่อหรือชื่อเล่นของเจ้าหนี้")
    phone: Phone | None = Field(None, description="หมายเลขโทรศัพท์ของเจ้าหนี้")
    address_or_area: LongText | None = Field(None, description="ที่อยู่หรือพื้นที่ที่เจ้าหนี้ปล่อยกู้")
    how_met: HowMet | None = Field(None, description="รู้จักเจ้าหนี้ได้อย่างไร")
    how_met_detail: ShortText | None = None
    debts: list[DebtIn] = Field(default_factory=list, max_length=20, description="หนี้ (อย่างน้อย 1 รายการ)")


class RegistrationRequest(_Form):
    """ลงทะเบียนลูกหนี้นอกระบบ: one case per citizen per campaign."""

    channel: Channel
    debtor: DebtorIn = Field(default_factory=DebtorIn)
    creditors: list[CreditorIn] = Field(default_factory=list, max_length=20, description="เจ้าหนี้ (อย่างน้อย 1 ราย)")
    help_wanted: list[HelpWanted] = Field(default_factory=list, max_length=5, description="ความช่วยเหลือที่ต้องการ")
    help_other: ShortText | None = None
    paper_form_no: ShortText | None = Field(None, max_length=32, description="เลขที่แบบฟอร์มกระดาษ (ช่องทางกระดาษ)")
    paper_received_on: DateText | None = Field(None, description="วันที่รับแบบฟอร์มกระดาษ")
    privacy_acknowledged: bool = Field(False, description="รับทราบประกาศความเป็นส่วนตัว")


class CreditorsRequest(_Form):
    """More creditors (each with its debts) for an existing case."""

    creditors: list[CreditorIn] = Field(default_factory=list, max_length=20)


class DebtsRequest(_Form):
    """More debts owed to a creditor already on the case."""

    debts: list[DebtIn] = Field(default_factory=list, max_length=20)


# ---- responses ----


class RegistrationCreated(BaseModel):
    case_id: str
    receipt_no: str
    excessive_interest: bool = False


class AlreadyRegisteredDetail(ErrorDetail):
    """``case.already_registered`` names the case to whoever may read it; ``case.registered_elsewhere``
    (a desk of another unit) does not."""

    case_id: str | None = None
    receipt_no: str | None = None


class AlreadyRegisteredOut(ErrorOut):
    detail: AlreadyRegisteredDetail


class DebtOut(BaseModel):
    principal_satang: int
    start_date: str | None
    interest_rate_bp: int | None = Field(description="ร้อยละ × 100 ต่อช่วงเวลา (basis points)")
    interest_period: InterestPeriod | None
    instalment_satang: int | None
    instalment_frequency: InstalmentFrequency | None
    instalment_count: int | None = Field(None, description="จำนวนงวด")
    effective_bp_per_year: int | None = Field(
        None, description="อัตราดอกเบี้ยต่อปี (basis points): ตามที่แจ้ง หรือคำนวณจากค่างวดและจำนวนงวด; null = ไม่ทราบ")
    repaid_satang: int
    outstanding_satang: int
    collateral: list[str]
    collateral_other: str | None
    threatened: bool
    excessive_interest: bool


class CreditorOut(BaseModel):
    kind: CreditorKind
    name: str | None
    phone: str | None = Field(description="E.164, e.g. +66812345678")
    address_or_area: str | None
    how_met: str | None
    how_met_detail: str | None
    debts: list[DebtOut]


class AddressOut(BaseModel):
    line: str
    subdistrict_code: str
    district_code: str
    province_code: str
    postal_code: str | None


class DebtorOut(BaseModel):
    citizen_id: str
    title: str | None
    given_name: str
    family_name: str
    birth_date: str | None
    phone: str | None = Field(description="E.164, e.g. +66812345678")
    address: AddressOut
    occupation: str | None
    monthly_income_satang: int | None


class TotalsOut(BaseModel):
    creditor_count: int
    debt_count: int
    principal_satang: int
    outstanding_satang: int


class RegistrationOut(BaseModel):
    case_id: str
    receipt_no: str
    campaign: str
    revision: int
    registered_at: str
    channel: Channel
    unit_code: str | None
    officer_sub: str | None
    paper_form_no: str | None
    paper_received_on: str | None
    privacy_acknowledged: bool
    debtor: DebtorOut
    creditors: list[CreditorOut]
    help_wanted: list[str]
    help_other: str | None
    totals: TotalsOut
    excessive_interest: bool


class CaseChanged(BaseModel):
    case_id: str
    receipt_no: str
    revision: int
    totals: TotalsOut
    excessive_interest: bool
