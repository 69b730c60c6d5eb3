"""Email through SMTP, plain text with an HTML alternative (or the console, when SMTP is not set)."""
import smtplib
import socket
from email.message import EmailMessage
from email.utils import make_msgid

from services.notifications.providers.errors import (
    PermanentDeliveryError,
    TransientDeliveryError,
)
from shared.logs import mask_email


class SmtpEmail:
    name = "smtp"

    def __init__(self, host, port, sender, timeout, user=None, password=None, starttls=False):
        self.host, self.port, self.sender, self.timeout = host, int(port), sender, timeout
        self.user, self.password, self.starttls = user, password, starttls

    def send(self, to, subject, text, html, reference):
        """Send one email; returns its Message-ID."""
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message["Message-ID"] = make_msgid(idstring=reference, domain="yhdessa.fi")
        message.set_content(text)
        if html:
            message.add_alternative(html, subtype="html")
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reason = next(iter(exc.recipients.values()))
            self._raise(code, reason)
        except smtplib.SMTPResponseException as exc:
            self._raise(exc.smtp_code, exc.smtp_error)
        except (smtplib.SMTPException, OSError, socket.timeout) as exc:
            raise TransientDeliveryError(f"SMTP server unreachable: {exc}", code="connection")
        return message["Message-ID"]

    @staticmethod
    def _raise(code, reason):
        reason = reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
        error = TransientDeliveryError if 400 <= code < 500 else PermanentDeliveryError
        raise error(f"SMTP {code}: {reason}", code=str(code))


class ConsoleEmail:
    name = "console"

    def send(self, to, subject, text, html, reference):
        print(f"--- Email to {mask_email(to)}: {subject} ---\n{text}\n--- end of email ---", flush=True)
        return f"console-{reference}"
