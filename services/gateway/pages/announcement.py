"""Staff's message to everyone coming, on the staff page: what the form sends (the API's
EventMessage body, whose rules registration applies), its errors in plain words, and the message
as a registrant reads it, with its SMS segments (shared/gsm.py). Texts are marked with N_ and
translated when the page is drawn."""
import uuid

from services.gateway.pages.form_errors import CHECK_THIS, N_
from shared import gsm

FIELDS = ("text",)
MAX_LENGTH = 300  # as shared.api.EventMessage's text: said in the hint, decided by registration
MAX_KEY_LENGTH = 200
# (a piece of the API's reason about `text`, our words); the first match wins
TEXT_REASONS = (
    ("at least 1", N_("Write the message.")),
    ("at most", N_("The message is too long. Write at most %(most)s characters.")),
    ("one paragraph", N_("Write the message as one paragraph, without empty lines.")),
    ("invisible", N_("The message has an invisible character (copied from somewhere?). Type it again.")),
    ("control", N_("The message has an invisible character (copied from somewhere?). Type it again.")),
)
KEY_REUSED = N_("This message was already sent with other words. Start a new message.")


def new_key():
    """The key a freshly drawn form carries: a double click or a reload sends the message once."""
    return str(uuid.uuid4())


def key(form):
    value = (form.get("key") or "").strip()
    return value if 0 < len(value) <= MAX_KEY_LENGTH else None


def values(form):
    """What the form is drawn with again: what was sent (a new form: empty, boxes unticked)."""
    return {"text": form.get("text") or "", "include_waitlist": form.get("include_waitlist") == "yes",
            "urgent": form.get("urgent") == "yes"}


def body(drawn):
    """The API's EventMessage body of what the form holds."""
    return {"text": drawn["text"], "include_waitlist": drawn["include_waitlist"], "urgent": drawn["urgent"]}


def errors_of(failure, translate):
    """{"text" or "form": words} for registration's ValidationFailed (`translate`: page._)."""
    if failure.code == "idempotency_key_reused":
        return {"form": translate(KEY_REUSED)}
    reason = str((failure.fields or {}).get("text", ""))
    for piece, words in TEXT_REASONS:
        if piece in reason:
            return {"text": translate(words, **({"most": MAX_LENGTH} if "%(most)s" in words else {}))}
    return {"text": translate(CHECK_THIS)}


def snapshot(event):
    """What a message says of its event, as registration's events carry it."""
    return {name: event[name] for name in ("id", "title", "municipality", "place", "address", "starts_at",
                                           "ends_at", "organizer")}


def preview(notifications, event, text, language="fi"):
    """The SMS a registrant reading `language` gets (notifications writes it) and its segments."""
    sms = notifications.preview_staff_message(snapshot(event), text, language)["text"]
    return {"text": sms, "segments": gsm.segments(sms)}
