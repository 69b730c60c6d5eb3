"""The webhook form: the body it makes for the API's subscribe_webhook, and notifications' refusals
(services/notifications/webhook_addresses.py decides them) said kindly beside the field.

The reasons are matched, never re-decided: an unknown one falls back to "check this". Texts are
marked with N_ and translated when the page is drawn."""
from services.gateway.pages.form_errors import kindly


def N_(text):
    return text


# (field, a piece of the API's message or reason, our text); the first match wins
BY_FIELD = (
    ("url", "public address", N_("This address does not lead to a public server on the internet. Give the "
                                 "address of your receiving service, like https://example.org/yhdessa.")),
    ("url", "credentials", N_("Leave the user name and password out of the address: check the signature "
                              "of each message instead.")),
    ("url", "", N_("Write the whole address, starting with https://, like https://example.org/yhdessa.")),
    ("organizer", "", N_("Write the organizer whose events are sent there.")),
)
FIELDS = ("url", "organizer")


def body(form, admin):
    """The API's request body from the form: `url`, and the organizer when an admin names one."""
    found = {"url": (form.get("url") or "").strip()}
    if admin and (form.get("organizer") or "").strip():
        found["organizer"] = form["organizer"].strip()
    return found


def errors(exc, translate):
    """{field: text} for a ValidationFailed of subscribing."""
    found = {}
    for path in exc.fields or {"url": ""}:
        field = str(path).split(".")[0]
        if field in found:
            continue
        said = f"{exc.message} {exc.fields.get(path, '')}".lower()
        text, _ = kindly(BY_FIELD, field, said)
        found[field if field in FIELDS else "url"] = translate(text)
    return found
