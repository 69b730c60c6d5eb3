"""The data of each event on the bus: what its consumers can rely on.

One pydantic model per shape; `shared/kinds.py` says which kind carries which. Consumers ignore
fields they do not know, so a field may be added without breaking them.
"""
from typing import Literal, Optional

from pydantic import AwareDatetime, BaseModel, ConfigDict


class Contract(BaseModel):
    """Every event's data: fields a consumer does not know are ignored."""

    model_config = ConfigDict(extra="ignore")


class EventSnapshot(Contract):
    """What a message about a registration needs to say about its event."""

    id: str
    title: dict[str, str]
    municipality: str
    place: str
    address: Optional[str] = None
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    # who runs the event: decides which organizer's webhooks and statistics it belongs to
    organizer: Optional[str] = None
    # a session of a weekly group (a series): which one of how many ("week 2/4" in messages)
    series_id: Optional[str] = None
    session_number: Optional[int] = None
    session_count: Optional[int] = None
    # the series meets weekly (schedule from..until): messages say "viikko 2/4"; False, a list of
    # dates: "kerta 2/4"
    series_weekly: bool = False


class CatalogEvent(EventSnapshot):
    """`event_published`, `event_updated`, `event_cancelled`: the whole event as catalog has it."""

    capacity: int
    waitlist_capacity: int = 0
    max_group_size: int = 5
    registration_opens_at: Optional[AwareDatetime] = None
    registration_closes_at: Optional[AwareDatetime] = None
    organizer: str  # required of catalog events
    summary_phone: Optional[str] = None
    summary_email: Optional[str] = None
    # what residents text to sign up ("YO17 Maija"); unique among events not yet over
    sms_code: Optional[str] = None
    # when confirmed registrants are reminded (None: no reminder); `reminders` False: staff turned them off
    reminder_at: Optional[AwareDatetime] = None
    reminders: bool = True
    # a session's series' SMS code (sessions have no `sms_code` of their own: one enrols in the series)
    series_sms_code: Optional[str] = None
    status: Literal["published", "draft", "cancelled"]
    # on event_updated: the names of the fields that changed
    changed: list[str] = []


class Registrant(Contract):
    """What every message to a registrant rests on: who they are, where their messages go, and the
    event (of an enrolment: its first session listed)."""

    status: Literal["confirmed", "waitlisted", "cancelled"]
    name: Optional[str] = None
    phone: Optional[str] = None
    email: Optional[str] = None
    language: Literal["fi", "sv", "en"] = "fi"
    channel: Literal["sms", "email"]
    seats: int
    cancel_code: str
    # cancelled: `by_registrant`, `by_staff`, `event_cancelled` or `erased` (the registrant erased
    # their data: the event then carries no name or contact, nobody is messaged)
    reason: Optional[str] = None
    # the staff member who signed the resident up on their behalf, if one did
    assisted_by: Optional[str] = None
    # the link token (PUBLIC_BASE_URL/r/<token>): only in the events of its making, as it is
    # stored only hashed afterwards
    token: Optional[str] = None
    event: EventSnapshot


class RegistrationEvent(Registrant):
    """Every `registration_*` event: one registrant, their contact data and the event snapshot."""

    registration_id: str
    waitlist_position: Optional[int] = None
    # registration_event_changed: which of the event's fields changed
    changed: list[str] = []
    # a session's registration made by enrolling in a series
    enrolment_id: Optional[str] = None
    # True: the registrant hears of this through the enrolment's one message (enrolment_*), not
    # of each session; staff's activity stream and webhooks still get it
    told_with_enrolment: bool = False


class SessionPlace(Contract):
    """One session of an enrolment: whether there is a seat in it for the enrolled."""

    event_id: str
    session_number: int
    starts_at: AwareDatetime
    status: Literal["confirmed", "waitlisted", "cancelled"]
    waitlist_position: Optional[int] = None


class EnrolmentEvent(Registrant):
    """`enrolment_confirmed`, `enrolment_cancelled`: someone enrolled in a series (every session
    not yet started) or cancelled all of it — one message for the whole series. `event` is the
    snapshot of the first session listed; `sessions` the sessions it covers, in order."""

    enrolment_id: str
    series_id: str
    sessions: list[SessionPlace] = []


class StaffMember(Contract):
    id: str
    name: str


class StaffMessage(RegistrationEvent):
    """`event_message`: staff's message to everyone coming, as one registrant gets it: their
    contact and the event's snapshot, with the text as staff wrote it. `urgent`: sent at once,
    quiet hours or not (shared.kinds.immediate)."""

    message_id: str
    text: str
    urgent: bool = False


class MessageSent(Contract):
    """`event_message_sent`: staff sent a message to everyone coming; what the activity stream
    shows of it (once for the event, not per registrant)."""

    message_id: str
    text: str
    recipients: int
    include_waitlist: bool = False
    urgent: bool = False
    sent_at: AwareDatetime
    sent_by: StaffMember
    event: EventSnapshot


class AttendanceMarked(Contract):
    """`attendance_marked`: staff marked a registrant as there (`attended`) or took it back."""

    registration_id: str
    name: Optional[str] = None
    seats: int
    attended: bool
    marked_at: AwareDatetime
    marked_by: StaffMember
    event: EventSnapshot


class WalkInsRecorded(Contract):
    """`walk_ins_recorded`: an anonymous headcount of people who came without signing up."""

    walk_in_id: str
    count: int
    total: int
    recorded_at: AwareDatetime
    recorded_by: StaffMember
    event: EventSnapshot


class RegistrationClosed(Contract):
    """`registration_closed`: sign-ups are over; the event's contact person hears the numbers."""

    confirmed: int
    confirmed_seats: int
    waitlisted: int
    waitlisted_seats: int
    summary_phone: Optional[str] = None
    summary_email: Optional[str] = None
    event: EventSnapshot


class SmsReceived(Contract):
    """`sms_received`: a resident texted something that is no command; it reaches the organizer of
    their next event (whom they usually meant to write to)."""

    registration_id: str
    name: Optional[str] = None
    text: str
    received_at: AwareDatetime
    event: EventSnapshot


class RegistrationErased(Contract):
    """`registration_erased`: the registrant erased their data; every service forgets it."""

    registration_id: str
    event: EventSnapshot
