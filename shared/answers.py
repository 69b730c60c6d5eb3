"""The answers of the HTTP API as they are: what each endpoint sends back, beside the request
bodies of shared/api.py. The gateway's OpenAPI document is generated from both
(services/gateway/openapi.py); the end-to-end tests hold every real answer to it.

The services build their answers as plain dicts; these models describe them and nothing
constructs them. Unknown fields are refused (additionalProperties: false), so an answer that grows
a field fails the tests until it is described here.
"""
from datetime import datetime
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, create_model

from shared.kinds import ACTIVITY_TYPES, REGISTRANT_TEMPLATES

Language = Literal["fi", "sv", "en"]
Channel = Literal["sms", "email"]


def _without_defaults(schema):
    """A field with a default here is one an answer may leave out, not one with a value assumed."""
    for field in schema.get("properties", {}).values():
        field.pop("default", None)


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, json_schema_extra=_without_defaults)


class ErrorDetail(Answer):
    code: str = Field(examples=["validation_error", "event_full"])
    message: str
    fields: dict[str, str] = Field(default=None, description="each bad field (dotted path) and why")


class Error(Answer):
    """Every error, whatever its status."""

    error: ErrorDetail


# --- events ----------------------------------------------------------------------------------

class Title(Answer):
    fi: str
    sv: Optional[str] = None
    en: Optional[str] = None


class Description(Answer):
    fi: str = None
    sv: str = None
    en: str = None


class Event(Answer):
    """An event as the catalog keeps it: the answer to creating, changing and cancelling one.
    `summary_phone`/`summary_email`: the contact person told the numbers when registration closes;
    `sms_code` what residents text to sign up; `reminder_at` when the confirmed are reminded."""

    id: str
    title: Title
    description: Description
    municipality: str
    place: str
    address: Optional[str]
    starts_at: datetime
    ends_at: datetime
    capacity: int
    waitlist_capacity: int
    max_group_size: int
    registration_opens_at: Optional[datetime]
    registration_closes_at: Optional[datetime]
    organizer: str
    summary_phone: Optional[str]
    summary_email: Optional[str]
    sms_code: Optional[str] = Field(examples=["AY17"], description="what residents text to sign up "
                                    "(\"AY17 Maija\"); made on publishing unless staff chose one")
    reminder_at: Optional[datetime] = Field(description="when confirmed registrants are reminded; "
                                            "null: no reminder")
    reminders: bool = Field(description="false: staff turned reminders off")
    status: Literal["published", "draft", "cancelled"]
    series_id: Optional[str] = Field(default=None, description="a session of a series (weekly group): its series")
    session_number: Optional[int] = Field(default=None, description="which session, 1-based in time order")
    session_count: Optional[int] = Field(default=None, description="of how many sessions")
    series_sms_code: Optional[str] = Field(default=None, description="a session's series' SMS code: residents "
                                           "enrol in the whole series with it (a session has no code of its own)")
    series_weekly: bool = Field(default=False, description="a session of a weekly series (its messages say "
                                                            "\"week 2/4\"; else \"session 2/4\")")


class EventWithSeats(Event):
    """An event as listed and read: with the seats and waiting-list places left. The contact
    person's details only for the event's own staff (and admins)."""

    summary_phone: Optional[str] = None
    summary_email: Optional[str] = None
    seats_left: int
    waitlist_left: int


# --- series (weekly groups) -------------------------------------------------------------------

class SeriesSchedule(Answer):
    """As staff gave it: weekly (`from`, `until`) or `dates`; `except`, `start_time`, `end_time`."""

    from_: str = Field(default=None, alias="from")
    until: str = None
    dates: list[str] = None
    except_: list[str] = Field(default=None, alias="except")
    start_time: str
    end_time: str


class SeriesSession(Answer):
    """One session of a series: an event of its own (`id`; GET /api/events/{id})."""

    id: str
    session_number: int
    starts_at: datetime
    ends_at: datetime
    place: str
    address: Optional[str]
    status: Literal["published", "draft", "cancelled"]


class SeriesSessionWithSeats(SeriesSession):
    seats_left: int
    waitlist_left: int


class Series(Answer):
    """A series as the catalog keeps it: the answer to creating and changing one. Its fields are its
    sessions' (each session may have its own place and time); `sms_code` enrols in every session."""

    id: str
    title: Title
    description: Description
    municipality: str
    place: str
    address: Optional[str]
    capacity: int
    waitlist_capacity: int
    max_group_size: int
    registration_opens_at: Optional[datetime]
    organizer: str
    summary_phone: Optional[str]
    summary_email: Optional[str]
    sms_code: Optional[str] = Field(examples=["NV47"], description="what residents text to enrol; made on "
                                    "publishing unless staff chose one")
    reminders: bool
    schedule: SeriesSchedule
    session_count: int
    status: Literal["published", "draft", "cancelled"]
    sessions: list[SeriesSession]


class SeriesWithSeats(Series):
    """A series as read: each session with its seats and waiting places left. The contact person's
    details only for its own staff (and admins)."""

    summary_phone: Optional[str] = None
    summary_email: Optional[str] = None
    sessions: list[SeriesSessionWithSeats]


# --- registrations ---------------------------------------------------------------------------

SignUpStatus = Literal["confirmed", "waitlisted"]
RegistrationStatus = Literal["confirmed", "waitlisted", "cancelled"]


class SignUpAnswer(Answer):
    """A new sign-up (201); also the answer when the phone or email is registered already (a code
    that opens nothing; the real details go to that phone or address)."""

    id: str
    event_id: str
    status: SignUpStatus
    seats: int
    waitlist_position: Optional[int]
    cancel_code: str = Field(examples=["K7MX-4PRA"], description="short, for phone and door use")
    token: Optional[str] = Field(examples=["q3J9xW2kLm8vN4pR7sT1uQ"],
                                 description="128 random bits for links (PUBLIC_BASE_URL/r/{token}); shown in "
                                             "this answer only (null on a retry with the same Idempotency-Key)")


class RepeatedSignUp(Answer):
    """200: a retry with the same Idempotency-Key (the first answer again, token null), or a staff
    sign-up of someone already registered (without the code: it went to that person)."""

    id: str
    event_id: str
    status: RegistrationStatus
    seats: int
    waitlist_position: Optional[int]
    cancel_code: str = None
    token: Optional[str] = None
    already_registered: Literal[True]


class EventSnapshot(Answer):
    """The event a registration is for, as registration last heard of it."""

    id: str
    title: Title
    municipality: str
    place: str
    address: Optional[str]
    starts_at: datetime
    ends_at: datetime
    organizer: str
    series_id: Optional[str] = Field(default=None, description="a session of a series (weekly group): its series")
    session_number: Optional[int] = Field(default=None, description="which session, from 1")
    session_count: Optional[int] = Field(default=None, description="of how many")
    series_weekly: bool = Field(default=False, description="the series meets weekly (else on a list of dates)")


class RegistrationFields(Answer):
    id: str
    event_id: str
    status: RegistrationStatus
    seats: int
    waitlist_position: Optional[int]
    cancel_code: str
    name: Optional[str] = Field(description="null once erased or past retention")
    phone: Optional[str] = Field(description="masked (+358*******67) in the holder's answers")
    email: Optional[str] = Field(description="masked (m***@example.fi) in the holder's answers")
    language: Language
    channel: Channel
    created_at: datetime
    cancelled_at: Optional[datetime]
    attended: bool
    attended_at: Optional[datetime]
    assisted_by: Optional[str] = Field(description="the staff member who signed the resident up")
    consent_at: Optional[datetime] = Field(description="an assisted sign-up: when the resident agreed to it")


class Registration(RegistrationFields):
    """One registration with its event: the holder's view (phone and email masked) and the answer
    to a check-in."""

    event: EventSnapshot


class Message(Answer):
    """One message about a registration, without its text."""

    template: Literal[REGISTRANT_TEMPLATES] = Field(description="what it told the registrant")
    channel: Channel
    status: Literal["created", "sending", "sent", "delivered", "undelivered", "failed", "capped", "stopped"] = Field(
        description="capped: over MESSAGES_PER_NUMBER_PER_DAY, never sent; stopped: the number texted STOP, never sent")
    attempts: int
    error_code: Optional[str] = Field(description="the provider's code, or why held: messages_per_number_per_day, "
                                                  "sms_daily_budget (waits for the next day)")
    created_at: datetime
    sent_at: Optional[datetime]


class RosterEntry(RegistrationFields):
    """One sign-up on the event's roster (staff only)."""

    client_ref: Optional[str] = Field(description="the client the sign-up came from (a keyed hash of its address)")
    messages: list[Message] = Field(description="each message about the registration, oldest first")
    sms_stopped: bool = Field(description="its phone texted STOP (or opted out at the SMS provider): no SMS "
                                          "goes to it until it texts START")


class Erased(Answer):
    id: str
    erased: Literal[True]


class CancelledByClient(Answer):
    event_id: str
    client_ref: str
    cancelled: int
    registration_ids: list[str]


# --- a message to everyone coming -------------------------------------------------------------

class EventMessageSent(Answer):
    """Staff's message to everyone coming, recorded: each registrant gets it once on their channel
    (an SMS to a number that texted STOP is not sent). The same key again: this answer again."""

    id: str
    event_id: str
    text: str
    include_waitlist: bool
    urgent: bool
    sent_at: datetime
    recipients: int = Field(description="the registrants it goes to: `sms` + `email`")
    sms: int
    email: int
    segments: int = Field(description="SMS segments of the message as a Finnish registrant gets it")


# --- walk-ins --------------------------------------------------------------------------------

class WalkInsRecorded(Answer):
    event_id: str
    count: int
    total: int = Field(description="the headcount of walk-ins after this one")


class WalkInTally(Answer):
    count: int
    recorded_at: datetime


class WalkInHeadcount(Answer):
    event_id: str
    total: int
    counts: list[WalkInTally] = Field(description="each count recorded, oldest first")


# --- enrolments in a series (weekly groups) -------------------------------------------------

class EnrolledSession(Answer):
    """One session of an enrolment: a seat, a place on its waiting list, or cancelled."""

    event_id: str = Field(description="the session's event id")
    session_number: Optional[int]
    starts_at: datetime
    status: RegistrationStatus
    waitlist_position: Optional[int]


class EnrolmentAnswer(Answer):
    """POST /api/series/{series_id}/registrations: one enrolment, every session not yet started."""

    id: str
    series_id: str
    status: SignUpStatus = Field(description="of the first session: confirmed, or waitlisted")
    seats: int
    cancel_code: str = Field(default=None, examples=["K7MX-4PRA"], description="one code for every session")
    token: Optional[str] = Field(default=None, description="the link token (/r/{token}); shown this once")
    sessions: list[EnrolledSession]
    already_registered: Literal[True] = Field(default=None, description="a retry with the same Idempotency-Key, "
                                                                        "or (staff tokens only) already enrolled")


class EnrolmentSession(EnrolledSession):
    ends_at: datetime
    place: str
    address: Optional[str]
    event_status: Literal["published", "draft", "cancelled"] = Field(description="the session's own state")
    attended: bool


class Enrolment(Answer):
    """An enrolment as its holder sees it (phone and email masked)."""

    id: str
    series_id: str
    status: RegistrationStatus = Field(description="cancelled, else that of the next session not over")
    seats: int
    cancel_code: str
    name: Optional[str] = Field(description="null once erased or past retention")
    phone: Optional[str] = Field(description="masked (+358*******67)")
    email: Optional[str] = Field(description="masked (m***@example.fi)")
    language: Language
    channel: Channel
    created_at: datetime
    cancelled_at: Optional[datetime]
    assisted_by: Optional[str]
    consent_at: Optional[datetime]
    sessions: list[EnrolmentSession]
    event: Optional[EventSnapshot] = Field(description="the first session")


class SessionCounts(Answer):
    event_id: str
    session_number: Optional[int]
    starts_at: datetime
    status: Literal["published", "draft", "cancelled"]
    confirmed: int
    waitlisted: int
    attended: int
    walk_ins: int


class SeriesTotals(Answer):
    sessions: int
    enrolled: int = Field(description="enrolments not cancelled")
    attended_total: int
    walk_ins_total: int
    came: dict[str, int] = Field(examples=[{"0": 1, "1": 3, "2": 5}],
                                 description="how many enrolments came how many times (no names: kept after retention)")


class SeriesStats(Answer):
    series_id: str
    sessions: list[SessionCounts]
    total: SeriesTotals


# --- what staff follow as it happens ---------------------------------------------------------

class StaffMember(Answer):
    id: str
    name: str


class ActivityEvent(Answer):
    id: str
    title: Optional[str] = Field(description="in Finnish")
    organizer: Optional[str]


class Activity(Answer):
    """One registration or attendance event as staff see it: the body of a webhook POST and the
    data of a Server-Sent Event. Names, never contacts or cancel codes. Which fields come depends
    on `type`."""

    id: str = Field(description="the bus event id: a repeat has the same one")
    type: Literal[ACTIVITY_TYPES]
    occurred_at: datetime
    event: ActivityEvent
    registration_id: str = None
    name: Optional[str] = None
    seats: int = None
    status: str = None
    waitlist_position: Optional[int] = None
    reason: Optional[str] = None
    assisted_by: Optional[str] = None
    attended: bool = None
    marked_at: datetime = None
    marked_by: StaffMember = None
    walk_in_id: str = None
    count: int = None
    total: int = None
    recorded_at: datetime = None
    recorded_by: StaffMember = None
    # event_message_sent: staff's message to everyone coming
    message_id: str = None
    text: str = None
    recipients: int = None
    include_waitlist: bool = None
    urgent: bool = None
    sent_at: datetime = None
    sent_by: StaffMember = None


# --- statistics ------------------------------------------------------------------------------

class MessageCounts(Answer):
    sms: int
    email: int


class Counts(Answer):
    events: int
    events_cancelled: int
    sign_ups: int
    seats_signed_up: int
    confirmed: int
    waitlisted: int
    cancellations: int
    attended: int
    attended_seats: int
    no_shows: int
    walk_ins: int
    messages: MessageCounts


# The groups summed: the same counts, each there only when some group had it (with no groups,
# only `messages`).
Totals = create_model("Totals", __base__=Counts, **{name: (int, None) for name in Counts.model_fields
                                                    if name != "messages"})


class StatsGroup(Counts):
    month: str = Field(default=None, examples=["2026-10"], description="with per=month only")
    municipality: str
    organizer: str


class Period(Answer):
    from_: Optional[str] = Field(alias="from")
    to: Optional[str]


class Stats(Answer):
    period: Period
    municipality: Optional[str]
    organizer: Optional[str]
    per: Optional[str]
    totals: Totals
    groups: list[StatsGroup]


# --- webhook subscriptions -------------------------------------------------------------------

class Webhook(Answer):
    """A subscription: the answer to unsubscribing."""

    id: str
    organizer: str
    url: str
    created_at: datetime


class NewWebhook(Webhook):
    secret: str = Field(description="in this answer only: keep it to check the signature of each POST")


class Deliveries(Answer):
    pending: int
    delivered: int
    failed: int


class WebhookWithDeliveries(Webhook):
    deliveries: Deliveries
    last_error: Optional[str] = Field(description="what went wrong last, while something still waits")


# --- health and this document ----------------------------------------------------------------

Reachable = Literal["ok", "unreachable"]


class CheckedServices(Answer):
    catalog: Reachable
    registration: Reachable
    notifications: Reachable


class DeliveryCounts(Answer):
    failed: int = Field(description="messages given up on")
    waiting: int = Field(description="messages not yet out")


class Health(Answer):
    status: Literal["ok", "unavailable"]
    broker: Literal["ok", "unknown"]
    services: CheckedServices
    messages: DeliveryCounts = Field(default=None, description="when notifications answered")


class OpenApiDocument(BaseModel):
    """This document."""

    model_config = ConfigDict(extra="allow")
    openapi: str
    info: dict
    paths: dict
    components: dict
