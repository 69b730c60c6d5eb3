"""The kinds of event on the bus, in one table: who publishes each, the data it carries, and who
hears of it — the registrant (with which template), the event's contact person, staff (the
activity stream and organizers' webhooks, with which fields).

Notifications' event handlers, its choice of template and its pacing, the activity stream and the
API document's enums (`ACTIVITY_TYPES`, `REGISTRANT_TEMPLATES`) are all read from here, so a new
kind is a row here and its template files.
"""
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping, Optional

from shared.contracts import (AttendanceMarked, CatalogEvent, Contract, EnrolmentEvent, MessageSent, RegistrationClosed,
                              RegistrationErased, RegistrationEvent, SmsReceived, StaffMessage, WalkInsRecorded)


@dataclass(frozen=True)
class Telling:
    """How a registrant hears of an event: the template (services/notifications/templates/
    <language>/<template>.j2), None when there is nobody to tell."""

    template: Optional[str]
    # Staff caused it (an event cancelled or changed), not an anonymous request: never paced.
    by_staff: bool = False
    # It answers what the person just did (signed up, cancelled, texted us): sent at once, ahead of
    # everything else. False: it may wait — held through QUIET_HOURS unless the event starts
    # before they end, and sent behind the immediate ones (reminders, promotions, fan-outs).
    immediate: bool = True


NOBODY = Telling(None)


@dataclass(frozen=True)
class Kind:
    """One kind of event on the bus: its row in the table."""

    name: str
    source: str  # the publishing service: the exchange `<source>.events`
    contract: type[Contract]
    about: str
    # what the registrant is told; None: the kind is not a message to them
    registrant: Optional[Telling] = None
    # a different telling for some values of the data's `reason`
    by_reason: Mapping[str, Telling] = field(default_factory=dict)
    # the template the event's contact person is told with (in Finnish: they are staff); such a
    # kind is a message to them alone
    contact_template: Optional[str] = None
    # what staff follow of it as it happens; () : staff do not follow it
    activity_fields: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "by_reason", MappingProxyType(dict(self.by_reason)))

    @property
    def notified(self):
        """Whether anybody hears of it through notifications: the registrant, the contact
        person or staff."""
        return bool(self.registrant or self.contact_template or self.activity_fields)


_KINDS = (
    Kind("event_published", "catalog", CatalogEvent, "An event was published."),
    Kind("event_updated", "catalog", CatalogEvent, "An event changed; `changed` names the fields."),
    Kind("event_cancelled", "catalog", CatalogEvent, "An event was cancelled."),
    Kind("registration_confirmed", "registration", RegistrationEvent, "A sign-up got its seats.",
         registrant=Telling("confirmed"),
         activity_fields=("registration_id", "name", "seats", "status", "assisted_by")),
    Kind("registration_waitlisted", "registration", RegistrationEvent, "A sign-up joined the waiting list.",
         registrant=Telling("waitlisted"),
         activity_fields=("registration_id", "name", "seats", "status", "waitlist_position", "assisted_by")),
    Kind("registration_promoted", "registration", RegistrationEvent,
         "A waiting sign-up got its seats.", registrant=Telling("promoted", immediate=False),
         activity_fields=("registration_id", "name", "seats", "status")),
    Kind("registration_cancelled", "registration", RegistrationEvent,
         "A registration was cancelled; `reason` says by whom.", registrant=Telling("cancelled"),
         by_reason={"event_cancelled": Telling("event_cancelled", by_staff=True, immediate=False),
                    # an erasure's cancellation carries no contact: nobody to tell
                    "erased": NOBODY},
         activity_fields=("registration_id", "name", "seats", "status", "reason")),
    Kind("enrolment_confirmed", "registration", EnrolmentEvent,
         "Someone enrolled in a series (a weekly group) for every session not yet started; `sessions` "
         "says where they have a seat and where they wait. One message for the series: its sessions' "
         "own registration events carry `told_with_enrolment`.", registrant=Telling("enrolled")),
    Kind("enrolment_cancelled", "registration", EnrolmentEvent,
         "An enrolment was cancelled for every session left; `reason` says by whom.",
         registrant=Telling("enrolment_cancelled"), by_reason={"erased": NOBODY}),
    Kind("registration_event_changed", "registration", RegistrationEvent,
         "Its event's time or place changed; `changed` names the fields.",
         registrant=Telling("event_changed", by_staff=True, immediate=False)),
    Kind("registration_repeated", "registration", RegistrationEvent,
         "Someone signed up again with a registered phone or email: its registrant gets the details "
         "(the sign-up's answer told the caller nothing).", registrant=Telling("repeated")),
    Kind("registration_reminder", "registration", RegistrationEvent,
         "A confirmed registrant's reminder, at the event's `reminder_at` (once per registration).",
         registrant=Telling("reminder", by_staff=True, immediate=False)),
    Kind("event_message", "registration", StaffMessage,
         "Staff's message to everyone coming (and the waiting list, if asked): one per registrant. "
         "`urgent` goes at once, quiet hours or not.",
         registrant=Telling("staff_message", by_staff=True, immediate=False)),
    Kind("event_message_sent", "registration", MessageSent,
         "Staff sent a message to everyone coming: its text and how many it went to.",
         activity_fields=("message_id", "text", "recipients", "include_waitlist", "urgent", "sent_at", "sent_by")),
    Kind("sms_received", "registration", SmsReceived,
         "A resident texted something that is no command: for the organizer of their next event.",
         activity_fields=("registration_id", "name", "text", "received_at")),
    Kind("attendance_marked", "registration", AttendanceMarked,
         "Staff marked a registrant as there, or took it back.",
         activity_fields=("registration_id", "name", "seats", "attended", "marked_at", "marked_by")),
    Kind("walk_ins_recorded", "registration", WalkInsRecorded, "People came in without signing up.",
         activity_fields=("walk_in_id", "count", "total", "recorded_at", "recorded_by")),
    Kind("registration_erased", "registration", RegistrationErased,
         "The registrant erased their data: every service forgets it."),
    Kind("registration_closed", "registration", RegistrationClosed,
         "Sign-ups are over: the event's contact person hears the numbers.", contact_template="summary"),
)

KINDS = MappingProxyType({kind.name: kind for kind in _KINDS})

DATA_CONTRACTS = MappingProxyType({kind.name: kind.contract for kind in _KINDS})

# What staff follow as it happens (the activity stream and webhooks).
ACTIVITY_TYPES = tuple(kind.name for kind in _KINDS if kind.activity_fields)

# Every template a registrant may be told with (the `template` of their messages).
REGISTRANT_TEMPLATES = tuple(dict.fromkeys(
    telling.template for kind in _KINDS if kind.registrant
    for telling in (kind.registrant, *kind.by_reason.values()) if telling.template))


def published_by(source):
    """The kinds `source` publishes (registration keeps its copy of catalog's), in table order."""
    return tuple(kind for kind in _KINDS if kind.source == source)


def notified():
    """The kinds somebody hears of through notifications, in table order."""
    return tuple(kind for kind in _KINDS if kind.notified)


def immediate(event_type, reason=None, urgent=False):
    """Whether a message of this kind (and reason) goes at once, ahead of the rest and through
    QUIET_HOURS: it answers what the person just did (see Telling), or staff marked it `urgent`
    (the bus is late tonight); the contact person's summary never does."""
    kind = KINDS[event_type]
    if kind.contact_template:
        return False
    return urgent or telling(event_type, reason).immediate


def telling(event_type, reason=None):
    """How the registrant hears of an event of `event_type` with this `reason` (`NOBODY`: not at all)."""
    kind = KINDS[event_type]
    return kind.by_reason.get(reason, kind.registrant or NOBODY)
