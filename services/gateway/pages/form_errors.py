"""The API's errors in plain words for a form: registration's validation (ValidationFailed's
`fields`, its reasons in the API's English) becomes a short text beside each field in the
reader's language, and the other refusals (full, closed, too many tries) a text at the top.

The reasons are matched, never re-decided here: registration says what is wrong, this module only
says it kindly. A reason we do not know falls back to a generic "check this" text, so a new rule in
registration shows up on the page at once, if less kindly. Texts are marked with N_ (extracted for
translation, translated when the page is drawn)."""
import re


def N_(text):
    return text


CHECK_THIS = N_("Please check this.")

# (field, a piece of the API's reason, our text); the first match wins
BY_FIELD = (
    ("name", "required", N_("Write your name.")),
    ("name", "at least 1 character", N_("Write your name.")),
    ("name", "must contain letters", N_("Write your name in letters.")),
    ("name", "at most", N_("The name is too long. Write a shorter name.")),
    ("name", "", N_("Use only letters, spaces and the marks - ' . in the name.")),
    ("phone", "give a phone number or an email address",
     N_("Give a phone number or an email address. We send your code there.")),
    ("phone", "are not accepted", N_("We cannot send text messages to this country. Give a Finnish mobile "
                                     "number or an email address.")),
    ("phone", "not a mobile number", N_("This is not a mobile number, so it cannot get text messages. Give a "
                                        "mobile number or an email address.")),
    ("phone", "", N_("Check the phone number. Write it like this: 040 123 4567.")),
    ("email", "", N_("Check the email address. Write it like this: name@example.fi.")),
    ("seats", "per sign-up", N_("You can sign up at most %(most)s people at a time.")),
    ("seats", "", N_("Write how many people are coming, as a number: 1 or more.")),
    ("language", "", N_("Choose a language.")),
    ("day", "", N_("Write the day like this: 17.10.2026.")),
)

# the API's error codes that are no field's fault: said at the top of the form
BY_CODE = {
    "event_full": N_("The event is full, and there is no room on the waiting list."),
    "registration_closed": N_("Registration for this event has closed."),
    "registration_not_open": N_("Registration for this event has not opened yet."),
    "event_cancelled": N_("This event has been cancelled."),
    "too_many_requests": N_("There have been too many sign-ups from this connection. Please wait a few "
                            "minutes and try again."),
    "idempotency_key_reused": N_("This form was already sent once. Load the page again to make a new "
                                 "sign-up."),
    "service_unavailable": N_("The service did not answer just now. Nothing was done. Please try again."),
}
SOMETHING_WRONG = N_("That did not work. Nothing was done. Please try again.")

_MOST = re.compile(r"at most (\d+)")


def kindly(table, field, reason):
    """(text, values): the text of the first row of `table` — (field or "*", a piece of the API's
    reason, our text) — matching the API's `reason` about `field`; CHECK_THIS when none does. Every
    form's table of reasons is read by this one function."""
    reason = str(reason).lower()
    for name, piece, text in table:
        if name not in ("*", field) or piece.lower() not in reason:
            continue
        if "%(most)s" not in text:
            return text, {}
        most = _MOST.search(reason)
        if most:
            return text, {"most": most.group(1)}
    return CHECK_THIS, {}


def field_message(field, reason):
    """(text, values) for the API's `reason` about the sign-up form's `field`."""
    return kindly(BY_FIELD, field, reason)


def for_fields(fields, translate):
    """{field: text in the reader's language} for ValidationFailed's `fields`; `translate` is
    page._. Nested paths ("seats.0") count as their field."""
    errors = {}
    for path, reason in (fields or {}).items():
        field = str(path).split(".")[0]
        if field not in errors:
            text, values = field_message(field, reason)
            errors[field] = translate(text, **values)
    return errors


def for_code(code, translate):
    """The text at the top of a form for an error that is no field's fault."""
    return translate(BY_CODE.get(code, SOMETHING_WRONG))
