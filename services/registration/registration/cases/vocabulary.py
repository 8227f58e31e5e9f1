"""The case's choice lists with their Thai labels, in form order: the web form, the API docs and every
page use the same words."""

from __future__ import annotations

CHANNEL_TH: dict[str, str] = {
    "self_online": "ลงทะเบียนด้วยตนเองทางออนไลน์", "thaid_app": "ลงทะเบียนผ่านแอปพลิเคชัน ThaiD",
    "desk": "ลงทะเบียน ณ หน่วยรับลงทะเบียน", "paper": "บันทึกจากแบบฟอร์มกระดาษ",
}
CREDITOR_KIND_TH: dict[str, str] = {"person": "บุคคลธรรมดา", "business": "นิติบุคคล/ร้านค้า", "unknown": "ไม่ทราบ"}
HOW_MET_TH: dict[str, str] = {
    "acquaintance": "คนรู้จัก/เพื่อนแนะนำ", "relative": "ญาติ", "leaflet": "ใบปลิว/นามบัตร", "online": "สื่อออนไลน์",
    "phone_or_sms": "โทรศัพท์/SMS", "walk_in": "เจ้าหนี้มาติดต่อเอง", "other": "อื่น ๆ",
}
INTEREST_PERIOD_TH: dict[str, str] = {"day": "ต่อวัน", "month": "ต่อเดือน", "year": "ต่อปี"}
INSTALMENT_FREQUENCY_TH: dict[str, str] = {"daily": "รายวัน", "weekly": "รายสัปดาห์", "monthly": "รายเดือน",
                                           "other": "อื่น ๆ"}
COLLATERAL_TH: dict[str, str] = {
    "id_card": "บัตรประจำตัวประชาชน", "atm_card": "บัตร ATM", "bank_book": "สมุดบัญชีธนาคาร",
    "land_title": "โฉนดที่ดิน", "vehicle": "ยานพาหนะ/เล่มทะเบียนรถ", "other": "อื่น ๆ",
}
HELP_WANTED_TH: dict[str, str] = {
    "mediation": "ไกล่เกลี่ยและประนอมข้อพิพาทกับเจ้าหนี้", "refinancing": "สินเชื่อจากสถาบันการเงินของรัฐ (ออมสิน/ธ.ก.ส.)",
    "job_training": "อาชีพ/ฝึกอบรม", "legal_help": "ความช่วยเหลือทางกฎหมาย", "other": "อื่น ๆ",
}
