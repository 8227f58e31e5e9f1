"""E-mail over SMTP: Thai subject and body, plain text with an HTML alternative, UTF-8 throughout."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate

from notify.channels.port import PermanentFailure, TemporaryFailure
from notify.messages.model import Channel, Message
from notify.messages.templates import Rendered


class SmtpProvider:
    channel = Channel.EMAIL

    def __init__(self, host: str, port: int, sender: str, *, username: str | None = None,
                 password: str | None = None, starttls: bool = False, timeout: float = 10.0,
                 name: str = "smtp") -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password, self.starttls, self.timeout, self.name = (
            username, password, starttls, timeout, name)

    def compose(self, message: Message, address: str, rendered: Rendered) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = address
        mail["Subject"] = rendered.subject or ""
        mail["Date"] = formatdate(localtime=False)
        # The message id as Message-ID: a retried send is recognisable downstream as the same message.
        mail["Message-ID"] = f"<{message.id}@notify.debt>"
        mail.set_content(rendered.text, charset="utf-8")
        if rendered.html:
            mail.add_alternative(rendered.html, subtype="html", charset="utf-8")
        return mail

    def send(self, message: Message, address: str, rendered: Rendered) -> str:
        mail = self.compose(message, address, rendered)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentFailure(f"smtp refused recipient: {exc.recipients}"[:200]) from None
        except smtplib.SMTPResponseException as exc:
            kind = PermanentFailure if 500 <= exc.smtp_code < 600 else TemporaryFailure
            raise kind(f"smtp {exc.smtp_code}") from None
        except (TimeoutError, OSError, smtplib.SMTPException) as exc:
            raise TemporaryFailure(f"smtp unreachable: {type(exc).__name__}") from None
        return str(mail["Message-ID"])
