"""What the roster page says of each registration: its status, and each message's kind and
status, in staff's words. Texts are marked with N_ and translated when the page is drawn; a
message kind or status added later shows as its API name until it gets words here."""


def N_(text):
    return text


STATUS = {
    "confirmed": N_("Has a place"),
    "waitlisted": N_("Waiting"),
    "cancelled": N_("Cancelled"),
}

MESSAGE_KIND = {
    "confirmed": N_("Confirmation"),
    "waitlisted": N_("On the waiting list"),
    "promoted": N_("Got a place"),
    "cancelled": N_("Cancellation"),
    "event_cancelled": N_("Event cancelled"),
    "event_changed": N_("Event changed"),
    "repeated": N_("Signed up again"),
    "reminder": N_("Reminder"),
}

MESSAGE_STATUS = {
    "created": N_("waiting to be sent"),
    "sending": N_("being sent"),
    "sent": N_("sent"),
    "delivered": N_("delivered"),
    "undelivered": N_("not delivered"),
    "failed": N_("failed"),
    "capped": N_("not sent: too many today"),
    "stopped": N_("not sent: SMS stopped"),
}
# a message that did not reach its person: staff may need to tell them another way
NOT_REACHED = frozenset({"undelivered", "failed", "capped", "stopped"})


def _words(table, key, translate):
    return translate(table[key]) if key in table else key


def shown(registration, translate):
    """`registration` (a roster entry with messages) with the words its row shows."""
    return {
        **registration,
        "status_text": _words(STATUS, registration["status"], translate),
        "message_lines": [
            {"kind": _words(MESSAGE_KIND, m["template"], translate), "channel": m["channel"],
             "status": _words(MESSAGE_STATUS, m["status"], translate), "not_reached": m["status"] in NOT_REACHED}
            for m in registration.get("messages", ())
        ],
    }
