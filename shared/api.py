"""Request bodies of the HTTP API and the RPC calls behind it, validated where they enter.

The services validate with these models (so every frontend, not only the gateway, is held to
them); the gateway uses the same models to publish its OpenAPI document, with the answer models
beside these (shared/answers.py).
"""
from typing import Annotated, Literal, Optional

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
)

from shared import text
from shared.contacts import allowed_regions, normalise_email, normalise_phone
from shared.errors import ValidationFailed, validation_failed
from shared.helsinki import EARLIEST_YEAR, LATEST_YEAR  # the catalog narrows event times further (model.py)



def _text(rule, max_length, min_length=0):
    """A string field cleaned by one of shared/text.py's rules; its length checked again after
    NFC normalisation (rarely, NFC lengthens a text)."""
    def checked(value):
        value = rule(value)
        if len(value) > max_length:
            raise ValueError(f"at most {max_length} characters")
        if len(value) < min_length:
            raise ValueError(f"at least {min_length} characters")
        return value
    return Annotated[StrictStr, Field(min_length=min_length, max_length=max_length), AfterValidator(checked)]


def _plausible_year(moment):
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise ValueError(f"a time between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return moment


def one_line(max_length, min_length=0):
    """A one-line text field (like pydantic's constr): titles, places, organizers."""
    return _text(text.line, max_length, min_length)


def paragraphs(max_length):
    """A text field that may hold line breaks: descriptions."""
    return _text(text.paragraphs, max_length)


Moment = Annotated[AwareDatetime, AfterValidator(_plausible_year)]
# what residents text to sign up ("YO47 Maija"): stored upper-case, so any case is accepted
SmsCode = Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9]{2,12}$", examples=["AY17"],
                                     description="2-12 letters A-Z and digits, any case (stored upper-case); "
                                                 "unique among events not yet over (409 sms_code_taken)"),
                    AfterValidator(str.upper)]
PersonName = Annotated[StrictStr, Field(min_length=1, max_length=text.NAME_MAX_LENGTH,
                                        description="letters of any script, spaces and -'. only"),
                       AfterValidator(text.person_name)]


def parse_body(schema, data):
    """`data` (a request body) as `schema`, or ValidationFailed naming every bad field."""
    if not isinstance(data, dict):
        raise ValidationFailed("The body must be a JSON object.")
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise validation_failed(exc)


class Body(BaseModel):
    # Unknown fields are refused, so a typo ("capasity") is an error, not silently ignored.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Translations(Body):
    """A title: one line in each language (it goes into email subjects and SMS)."""
    fi: one_line(2000, min_length=1)
    sv: Optional[one_line(2000)] = None
    en: Optional[one_line(2000)] = None


class OptionalTranslations(Body):
    """A description: paragraphs in each language. A language given as null is removed."""
    fi: Optional[paragraphs(5000)] = None
    sv: Optional[paragraphs(5000)] = None
    en: Optional[paragraphs(5000)] = None


def _summary_phone(value):
    """The contact person's phone (an event's or a series'), normalised."""
    if value is None:
        return None
    phone, reason = normalise_phone(value, allowed_regions())
    if reason:
        raise ValueError(reason)
    return phone


def _summary_email(value):
    if value is None:
        return None
    email, reason = normalise_email(value)
    if reason:
        raise ValueError(reason)
    return email


class EventFields(Body):
    title: Optional[Translations] = None
    description: Optional[OptionalTranslations] = None
    municipality: Optional[one_line(100, min_length=1)] = None
    place: Optional[one_line(200, min_length=1)] = None
    address: Optional[one_line(200)] = None
    starts_at: Optional[Moment] = None
    ends_at: Optional[Moment] = None
    capacity: Optional[StrictInt] = Field(default=None, ge=0, le=100000)
    waitlist_capacity: Optional[StrictInt] = Field(default=None, ge=0, le=100000)
    max_group_size: Optional[StrictInt] = Field(default=None, ge=1, le=100)
    registration_opens_at: Optional[Moment] = None
    registration_closes_at: Optional[Moment] = None
    organizer: Optional[one_line(200, min_length=1)] = None
    # The event's contact person, told by SMS or email when registration closes how many are
    # coming and how many wait. Staff see these; the public event does not show them.
    summary_phone: Optional[StrictStr] = Field(default=None, max_length=40)
    summary_email: Optional[StrictStr] = Field(default=None, max_length=254)
    # Made on publishing when not chosen (services/catalog/sms_codes.py); null: make a new one.
    sms_code: Optional[SmsCode] = None
    # When confirmed registrants are reminded: by default REMINDER_HOURS_BEFORE before the start,
    # out of QUIET_HOURS, moving with the start; null: back to that default.
    reminder_at: Optional[Moment] = Field(default=None, description="before starts_at; null: the default time")
    reminders: Optional[StrictBool] = Field(default=None, description="false: no reminders (reminder_at null)")

    @field_validator("summary_phone")
    @classmethod
    def _phone(cls, value):
        return _summary_phone(value)

    @field_validator("summary_email")
    @classmethod
    def _email(cls, value):
        return _summary_email(value)


class EventChange(EventFields):
    """PATCH /api/events/{id}: any subset of the fields; `status` may publish a draft."""

    status: Optional[Literal["published", "draft"]] = None


class NewEvent(EventFields):
    """POST /api/events. Published at once unless `"status": "draft"`."""

    title: Translations
    description: OptionalTranslations = OptionalTranslations()
    municipality: one_line(100, min_length=1)
    place: one_line(200, min_length=1)
    starts_at: Moment
    ends_at: Moment
    capacity: StrictInt = Field(ge=0, le=100000)
    waitlist_capacity: StrictInt = Field(default=0, ge=0, le=100000)
    max_group_size: StrictInt = Field(default=5, ge=1, le=100)
    organizer: one_line(200, min_length=1)
    status: Literal["published", "draft"] = "published"


class Schedule(Body):
    """When a series meets, in Helsinki time: weekly on the weekday of `from`, from..until inclusive,
    or on the `dates` given; less the days in `except` (holidays). 1-60 sessions
    (services/catalog/schedule.py checks the days themselves)."""

    from_: Optional[StrictStr] = Field(default=None, alias="from", pattern=r"^\d{4}-\d{2}-\d{2}$",
                                       examples=["2026-09-05"], description="the first day (weekly)")
    until: Optional[StrictStr] = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$", examples=["2026-09-26"],
                                       description="the last day, inclusive (weekly)")
    dates: Optional[list[StrictStr]] = Field(default=None, max_length=120, description="the days, instead of weekly")
    except_: list[StrictStr] = Field(default=[], alias="except", max_length=120,
                                     description="days without a session (each a day of the series)")
    start_time: StrictStr = Field(pattern=r"^\d{1,2}:\d{2}$", examples=["17:00"], description="Helsinki time")
    end_time: StrictStr = Field(pattern=r"^\d{1,2}:\d{2}$", examples=["19:00"], description="the same day")

    def as_given(self):
        return self.model_dump(by_alias=True, exclude_unset=True)


class SeriesShared(Body):
    """The fields a series shares with every session (each session is an event: POST /api/events)."""

    title: Optional[Translations] = None
    description: Optional[OptionalTranslations] = None
    capacity: Optional[StrictInt] = Field(default=None, ge=0, le=100000, description="seats in each session")
    waitlist_capacity: Optional[StrictInt] = Field(default=None, ge=0, le=100000)
    max_group_size: Optional[StrictInt] = Field(default=None, ge=1, le=100)
    organizer: Optional[one_line(200, min_length=1)] = None
    summary_phone: Optional[StrictStr] = Field(default=None, max_length=40)
    summary_email: Optional[StrictStr] = Field(default=None, max_length=254)
    # the series' one code: `<code> [seats] <name>` enrols; sessions have none of their own
    sms_code: Optional[SmsCode] = None
    reminders: Optional[StrictBool] = Field(default=None, description="false: no reminders before sessions")

    @field_validator("summary_phone")
    @classmethod
    def _phone(cls, value):
        return _summary_phone(value)

    @field_validator("summary_email")
    @classmethod
    def _email(cls, value):
        return _summary_email(value)


class SeriesChange(SeriesShared):
    """PATCH /api/series/{id}: applied to the series and every session not yet started. A session's
    place or time: PATCH /api/events/{session id}."""

    status: Optional[Literal["published"]] = None


class NewSeries(SeriesShared):
    """POST /api/series: a weekly group (or any list of days); each session an event of its own.
    Published at once unless `"status": "draft"`."""

    title: Translations
    description: OptionalTranslations = OptionalTranslations()
    municipality: one_line(100, min_length=1)
    place: one_line(200, min_length=1)
    address: Optional[one_line(200)] = None
    capacity: StrictInt = Field(ge=0, le=100000, description="seats in each session")
    waitlist_capacity: StrictInt = Field(default=0, ge=0, le=100000)
    max_group_size: StrictInt = Field(default=5, ge=1, le=100)
    organizer: one_line(200, min_length=1)
    registration_opens_at: Optional[Moment] = None
    schedule: Schedule
    status: Literal["published", "draft"] = "published"


class SignUp(Body):
    """POST /api/events/{id}/registrations. A phone number, an email address or both: the
    registration service checks that, and normalises them."""

    # The only text a stranger chooses that a message carries: see shared/text.py.
    name: PersonName
    phone: Optional[StrictStr] = Field(default=None, max_length=40)
    email: Optional[StrictStr] = Field(default=None, max_length=254)
    language: Literal["fi", "sv", "en"] = "fi"
    seats: StrictInt = Field(default=1, ge=1, le=100)
    channel: Optional[Literal["sms", "email"]] = None
    # Assisted sign-up (a staff token on the request): the resident agreed to be signed up and
    # to have their name kept until the retention period ends. Required then; ignored otherwise.
    consent: Optional[bool] = None


class WalkIns(Body):
    """POST /api/events/{id}/walk-ins: people who came without signing up, counted, nothing else.
    A negative count corrects a miscount."""

    count: StrictInt = Field(ge=-1000, le=1000)


class WebhookSubscription(Body):
    """POST /api/webhooks: where an organizer's registration and attendance events are POSTed."""

    # https to a public address, checked by notifications when subscribing and before each POST
    # (services/notifications/webhook_addresses.py): it needs the resolver and WEBHOOK_ALLOW_PRIVATE
    url: StrictStr = Field(min_length=8, max_length=500,
                           description="An https URL whose host resolves to public addresses only.")
    # admin tokens name the organizer; an organizer's own staff subscribe for their organizer
    organizer: Optional[one_line(200, min_length=1)] = None


def _one_paragraph(value):
    """A text that may break lines but holds one paragraph (an SMS has no room for more)."""
    value = text.paragraphs(value)
    if "\n\n" in "\n".join(line.strip() for line in value.split("\n")):
        raise ValueError("one paragraph: no empty lines")
    return value


class EventMessage(Body):
    """POST /api/events/{id}/messages: a message to everyone coming, each registrant told once on
    their own channel (at the SMS rate, outside QUIET_HOURS unless `urgent`)."""

    text: _text(_one_paragraph, 300, min_length=1)
    include_waitlist: StrictBool = Field(default=False, description="the waiting list gets it too")
    urgent: StrictBool = Field(default=False, description="sent at once, even in the quiet hours (at night)")
    # the same key again sends nothing more (as the Idempotency-Key header, which wins)
    key: Optional[StrictStr] = Field(default=None, min_length=1, max_length=200)


class ClientCancellation(Body):
    """POST /api/events/{id}/registrations/cancel-by-client: the client whose sign-ups to cancel
    (its `client_ref` as the roster shows it)."""

    client_ref: StrictStr = Field(min_length=1, max_length=64)
