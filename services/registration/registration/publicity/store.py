"""Publicity reports: where a unit put up its signs (place, date, photo), and which units of a province have not.

Photos are kept in MongoDB next to the report (at most a few MB each, a handful per unit), written in
one transaction with it, so a report never points at a missing photo.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bson import Binary
from PIL import Image, UnidentifiedImageError
from pymongo import ASCENDING, DESCENDING
from pymongo.client_session import ClientSession
from pymongo.database import Database

from registration.kernel.thai import FieldError

Doc = dict[str, Any]
MAX_PIXELS = 50_000_000  # a 50-megapixel phone photo; beyond it a "photo" is more likely a decompression bomb
_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"WEBP", 8, "image/webp"),
)
_PIL_FORMAT = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


def _photo_error(code: str, th: str, en: str) -> FieldError:
    return FieldError(code, th, en, "photo")


def check_photo(data: bytes, max_bytes: int) -> str:
    """The photo's content type, judged by its bytes (never by the name or the browser's claim)."""
    if not data:
        raise _photo_error("photo.required", "กรุณาแนบรูปถ่ายป้ายประชาสัมพันธ์", "Please attach a photo of the sign.")
    if len(data) > max_bytes:
        mb = max_bytes // (1024 * 1024)
        raise _photo_error("photo.too_large", f"ไฟล์รูปใหญ่เกินไป (ไม่เกิน {mb} MB)",
                           f"The photo is too large (max {mb} MB).")
    kind = next((t for magic, at, t in _MAGIC if data[at:at + len(magic)] == magic), None)
    if kind == "image/webp" and not data.startswith(b"RIFF"):
        kind = None
    bad_type = _photo_error("photo.type", "รองรับเฉพาะไฟล์รูปภาพ JPEG, PNG หรือ WebP",
                            "Only JPEG, PNG or WebP images are accepted.")
    if kind is None:
        raise bad_type
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != _PIL_FORMAT[kind] or image.width * image.height > MAX_PIXELS:
                raise bad_type
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise bad_type from None
    return kind


@dataclass(frozen=True)
class UnitSummary:
    unit_code: str
    reports: int
    latest: date | None


class PublicityStore:
    def __init__(self, db: Database[Doc]) -> None:
        self.db = db
        self.reports = db["publicity_reports"]
        self.photos = db["publicity_photos"]

    def ensure_indexes(self) -> None:
        self.reports.create_index([("province_code", ASCENDING), ("unit_code", ASCENDING)], name="by_province_unit")

    def add(self, *, unit_code: str, place: str, put_up_on: date, photo: bytes, content_type: str,
            officer_sub: str, now: datetime) -> str:
        report_id, photo_id = f"p-{uuid.uuid4().hex}", f"ph-{uuid.uuid4().hex}"
        report = {"_id": report_id, "unit_code": unit_code, "province_code": unit_code[:2], "place": place,
                  "put_up_on": put_up_on.isoformat(), "photo_id": photo_id, "officer_sub": officer_sub,
                  "created_at": now}
        photo_doc = {"_id": photo_id, "unit_code": unit_code, "content_type": content_type, "size": len(photo),
                     "data": Binary(photo)}

        def write(session: ClientSession) -> None:
            self.photos.insert_one(photo_doc, session=session)
            self.reports.insert_one(report, session=session)

        with self.db.client.start_session() as session:
            session.with_transaction(write)
        return report_id

    def of_unit(self, unit_code: str) -> list[Doc]:
        return list(self.reports.find({"unit_code": unit_code}).sort("put_up_on", DESCENDING).limit(200))

    def by_unit_in(self, province_code: str) -> dict[str, UnitSummary]:
        found: dict[str, UnitSummary] = {}
        for doc in self.reports.find({"province_code": province_code}, {"unit_code": 1, "put_up_on": 1}):
            day = date.fromisoformat(doc["put_up_on"])
            seen = found.get(doc["unit_code"])
            latest = max(day, seen.latest) if seen and seen.latest else day
            found[doc["unit_code"]] = UnitSummary(doc["unit_code"], (seen.reports if seen else 0) + 1, latest)
        return found

    def photo(self, photo_id: str) -> Doc | None:
        return self.photos.find_one({"_id": photo_id})
