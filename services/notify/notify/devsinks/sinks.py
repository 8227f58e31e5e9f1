"""Loopback providers that are real servers: an SMTP server (aiosmtpd), and one HTTP server that is both a
Thai-style SMS gateway (``POST /sms/send``, basic auth, form fields) and a LINE-shaped push endpoint
(``POST /v2/bot/message/push``, honouring ``X-Line-Retry-Key``). ``GET /`` lists what would have been sent;
``POST /control`` tells a channel to fail (``channel=sms&status=503``; ``status=0`` heals it).

Run alone with ``python -m notify.devsinks``; ``make run`` starts them with the other services.
"""

from __future__ import annotations

import base64
import html
import json
import threading
import time
from dataclasses import asdict, dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class Received:
    channel: str
    to: str
    text: str
    ref: str
    subject: str = ""
    html: str = ""
    at: float = field(default_factory=time.time)


class Outbox:
    """Everything the sinks accepted, in order; thread-safe."""

    def __init__(self) -> None:
        self.items: list[Received] = []
        self.failing: dict[str, int] = {}  # channel -> HTTP status to answer instead of accepting
        self.lock = threading.Lock()

    def add(self, item: Received) -> None:
        with self.lock:
            self.items.append(item)

    def of(self, channel: str) -> list[Received]:
        with self.lock:
            return [i for i in self.items if i.channel == channel]

    def refs(self, channel: str) -> list[str]:
        return [i.ref for i in self.of(channel)]


class _SmtpHandler:
    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        if self.outbox.failing.get("email"):
            return "451 4.3.0 told to fail"
        mail = message_from_bytes(envelope.original_content or b"", policy=policy.default)
        assert isinstance(mail, EmailMessage)
        text_part, html_part = mail.get_body(("plain",)), mail.get_body(("html",))
        for rcpt in envelope.rcpt_tos:
            self.outbox.add(Received(
                "email", rcpt, text_part.get_content() if text_part else "", str(mail["Message-ID"] or ""),
                subject=str(mail["Subject"] or ""), html=html_part.get_content() if html_part else ""))
        return "250 OK"


class _HttpHandler(BaseHTTPRequestHandler):
    server: _SinkServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _reply(self, status: int, body: bytes, content_type: str = "application/json",
               headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_GET(self) -> None:
        outbox = self.server.outbox
        if self.path.startswith("/sent.json"):
            self._reply(200, json.dumps([asdict(i) for i in outbox.items], ensure_ascii=False).encode())
            return
        rows = "".join(
            f"<tr><td>{html.escape(i.channel)}</td><td>{html.escape(i.to)}</td><td>{html.escape(i.subject)}</td>"
            f"<td>{html.escape(i.text)}</td><td>{html.escape(i.ref)}</td></tr>" for i in reversed(outbox.items))
        page = ("<!doctype html><html lang='th'><meta charset='utf-8'><title>ข้อความที่จะถูกส่ง</title>"
                "<h1>ข้อความที่จะถูกส่ง (dev sinks)</h1><p>failing: "
                f"{html.escape(json.dumps(outbox.failing))}</p><table border='1'><tr><th>ช่องทาง</th><th>ถึง</th>"
                f"<th>หัวเรื่อง</th><th>ข้อความ</th><th>ref</th></tr>{rows}</table></html>")
        self._reply(200, page.encode(), "text/html; charset=utf-8")

    def do_POST(self) -> None:
        outbox, body = self.server.outbox, self._body()
        if self.path == "/control":
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            outbox.failing[form["channel"]] = int(form.get("status", "0"))
            self._reply(204, b"")
        elif self.path == "/sms/send":
            self._sms(outbox, body)
        elif self.path == "/v2/bot/message/push":
            self._line(outbox, body)
        else:
            self._reply(404, b'{"error":"not found"}')

    def _sms(self, outbox: Outbox, body: bytes) -> None:
        expected = "Basic " + base64.b64encode(self.server.sms_credentials.encode()).decode()
        if self.headers.get("Authorization") != expected:
            self._reply(401, b'{"error":"unauthorized"}')
            return
        if status := outbox.failing.get("sms"):
            self._reply(status, b'{"error":"told to fail"}')
            return
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if not form.get("msisdn", "").isdigit() or not form.get("message"):
            self._reply(400, b'{"error":"msisdn and message required"}')
            return
        outbox.add(Received("sms", form["msisdn"], form["message"], form.get("ref", "")))
        self._reply(200, json.dumps({"id": f"gw-{len(outbox.items)}", "status": "queued"}).encode())

    def _line(self, outbox: Outbox, body: bytes) -> None:
        if not (self.headers.get("Authorization") or "").startswith("Bearer "):
            self._reply(401, b'{"message":"Authentication failed"}')
            return
        if status := outbox.failing.get("line"):
            self._reply(status, b'{"message":"told to fail"}')
            return
        key = self.headers.get("X-Line-Retry-Key") or ""
        with self.server.keys_lock:
            seen = key in self.server.line_keys
            self.server.line_keys.add(key)
        if seen:  # as LINE does: the same retry key is accepted once
            self._reply(409, b'{"message":"The retry key is already accepted"}',
                        headers={"x-line-accepted-request-id": key})
            return
        push = json.loads(body)
        outbox.add(Received("line", push["to"], push["messages"][0]["text"], key))
        self._reply(200, b"{}", headers={"x-line-request-id": key})


class _SinkServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, outbox: Outbox, sms_credentials: str) -> None:
        super().__init__(("127.0.0.1", port), _HttpHandler)
        self.outbox, self.sms_credentials = outbox, sms_credentials
        self.line_keys: set[str] = set()
        self.keys_lock = threading.Lock()


class Sinks:
    """Both servers, started on loopback; ``http_port``/``smtp_port`` 0 picks free ports."""

    def __init__(self, *, http_port: int = 0, smtp_port: int = 0, sms_user: str = "notify",
                 sms_password: str = "dev-sms-password") -> None:  # noqa: S107 - a loopback test sink
        self.outbox = Outbox()
        self.http = _SinkServer(http_port, self.outbox, f"{sms_user}:{sms_password}")
        self.smtp = Controller(_SmtpHandler(self.outbox), hostname="127.0.0.1", port=smtp_port or _free_port())
        self._thread = threading.Thread(target=self.http.serve_forever, name="notify-sinks", daemon=True)

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http.server_address[1]}"

    @property
    def smtp_port(self) -> int:
        return int(self.smtp.port)

    def start(self) -> Sinks:
        self._thread.start()
        self.smtp.start()
        return self

    def stop(self) -> None:
        self.smtp.stop()
        self.http.shutdown()
        self.http.server_close()

    def fail(self, channel: str, status: int) -> None:
        self.outbox.failing[channel] = status


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
