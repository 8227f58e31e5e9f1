"""Thai Jinja2 templates, one file per message and channel (``templates/<name>.<channel>.txt``; e-mail also
``<name>.email.html`` and ``<name>.subject.txt``). Rendering is pure, so any message can be previewed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from notify.messages.model import Channel

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
BANGKOK = ZoneInfo("Asia/Bangkok")
THAI_MONTHS = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม",
               "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")


def thai_date(value: str | date | datetime) -> str:
    """``2027-01-12T09:30:00+07:00`` → ``12 มกราคม 2570 เวลา 09:30 น.`` (Buddhist Era, Bangkok time)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        local = value.astimezone(BANGKOK)
        return f"{local.day} {THAI_MONTHS[local.month - 1]} {local.year + 543} เวลา {local:%H:%M} น."
    return f"{value.day} {THAI_MONTHS[value.month - 1]} {value.year + 543}"


def thai_period(value: str) -> str:
    """``2026-10`` → ``ตุลาคม 2569``."""
    year, month = (int(p) for p in value.split("-"))
    return f"{THAI_MONTHS[month - 1]} {year + 543}"


def baht(satang: int | None) -> str:
    if satang is None:
        return "-"
    return f"{satang // 100:,}.{satang % 100:02d} บาท"


@dataclass(frozen=True)
class Rendered:
    text: str
    subject: str | None = None
    html: str | None = None


class Templates:
    def __init__(self, directory: Path = TEMPLATES_DIR) -> None:
        self.env = Environment(loader=FileSystemLoader(directory), undefined=StrictUndefined,
                               autoescape=select_autoescape(["html"]), keep_trailing_newline=False)
        self.env.filters.update(thai_date=thai_date, thai_period=thai_period, baht=baht)

    def names(self) -> list[tuple[str, Channel]]:
        """Every (template, channel) that has a body, for previews and for a test that each renders."""
        found = []
        for name in self.env.list_templates(extensions=["txt"]):
            stem, _, _ = name.rpartition(".")
            template, _, channel = stem.rpartition(".")
            if channel in Channel.__members__.values():
                found.append((template, Channel(channel)))
        return sorted(found)

    def render(self, template: str, channel: Channel, context: dict[str, Any]) -> Rendered:
        text = self.env.get_template(f"{template}.{channel.value}.txt").render(context).strip()
        if channel is not Channel.EMAIL:
            return Rendered(text=text)
        subject = self.env.get_template(f"{template}.subject.txt").render(context).strip()
        html = self.env.get_template(f"{template}.email.html").render(context, subject=subject)
        return Rendered(text=text, subject=subject, html=html)
