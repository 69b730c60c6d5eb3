"""Email through SMTP, plain text with an HTML alternative and maybe the event's calendar file
(or the console, when SMTP is not set).

SMTP cannot be asked what it delivered, so an email whose outcome is unknown (the connection lost
after the message was handed over) is sent again: at least once. Its Message-ID is the message's
own id, the same on every try, so mail systems that drop a repeated Message-ID show it once."""
import smtplib
import socket
from email.message import EmailMessage

from services.notifications.providers.client import Client
from services.notifications.providers.errors import (
    PermanentDeliveryError,
    TransientDeliveryError,
)
from shared.logs import mask_email

CALENDAR_FILENAME = "tapahtuma.ics"


def compose(sender, to, subject, text, html, reference, calendar=None):
    """The email, or PermanentDeliveryError when it cannot be written (a header with a line
    break, say): the same text would fail the same way on every try."""
    try:
        message = EmailMessage()
        message["From"] = sender
        message["To"] = to
        message["Subject"] = subject
        message["Message-ID"] = f"<{reference}@yhdessa.fi>"
        message.set_content(text)
        if html:
            message.add_alternative(html, subtype="html")
        if calendar:
            # as bytes in base64: the file's CRLF line ends and folded lines reach the calendar as
            # written; method=PUBLISH as RFC 6047 asks (it matches the file's METHOD)
            message.add_attachment(calendar.encode("utf-8"), maintype="text", subtype="calendar",
                                   filename=CALENDAR_FILENAME, params={"method": "PUBLISH", "charset": "utf-8"})
        return message
    except Exception as exc:
        raise PermanentDeliveryError(f"the email cannot be written: {type(exc).__name__}: {exc}",
                                     code="invalid_message") from exc


class EmailClient(Client):
    """Base of every email provider: a provider implements `try_send_email` and `find_sent`."""

    def send_email(self, to, subject, text, html, reference, calendar=None):
        """Send one email (`reference`: our message's id, its Message-ID; `calendar`: a calendar
        file to attach); returns the provider's id of it, or raises TransientDeliveryError or
        PermanentDeliveryError (errors.py)."""
        return self._timed(reference, self.try_send_email, to, subject, text, html, reference, calendar)

    def try_send_email(self, to, subject, text, html, reference, calendar=None):
        """The provider's own call, as `send_email` says."""
        raise NotImplementedError

    def find_sent(self, to, body, handed_over_at, known_refs=()):
        """None: an email whose outcome is unknown is sent again, with the same Message-ID (module
        docstring). A provider that can list what it sent says so here, as SmsClient.find_sent."""
        return None


class SmtpEmail(EmailClient):
    name = "smtp"

    def __init__(self, host, port, sender, timeout, user=None, password=None, starttls=False):
        self.host, self.port, self.sender, self.timeout = host, int(port), sender, timeout
        self.user, self.password, self.starttls = user, password, starttls

    def try_send_email(self, to, subject, text, html, reference, calendar=None):
        """Returns the email's Message-ID."""
        message = compose(self.sender, to, subject, text, html, reference, calendar)
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


class ConsoleEmail(EmailClient):
    name = "console"

    def try_send_email(self, to, subject, text, html, reference, calendar=None):
        print(f"--- Email to {mask_email(to)}: {subject} ---\n{text}\n--- end of email ---", flush=True)
        return f"console-{reference}"
