"""Request bodies of the HTTP API and the RPC calls behind it, validated where they enter.

The services validate with these models (so every frontend, not only the gateway, is held to
them); the gateway uses the same models to publish its OpenAPI document.
"""
from typing import Literal, Optional

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
)

from shared.config import setting
from shared.contacts import normalise_email, normalise_phone
from shared.errors import ValidationFailed, validation_failed


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
    fi: StrictStr = Field(min_length=1, max_length=2000)
    sv: Optional[StrictStr] = Field(default=None, max_length=2000)
    en: Optional[StrictStr] = Field(default=None, max_length=2000)


class OptionalTranslations(Body):
    fi: Optional[StrictStr] = Field(default=None, max_length=5000)
    sv: Optional[StrictStr] = Field(default=None, max_length=5000)
    en: Optional[StrictStr] = Field(default=None, max_length=5000)


class EventFields(Body):
    title: Optional[Translations] = None
    description: Optional[OptionalTranslations] = None
    municipality: Optional[StrictStr] = Field(default=None, min_length=1, max_length=100)
    place: Optional[StrictStr] = Field(default=None, min_length=1, max_length=200)
    address: Optional[StrictStr] = Field(default=None, max_length=200)
    starts_at: Optional[AwareDatetime] = None
    ends_at: Optional[AwareDatetime] = None
    capacity: Optional[StrictInt] = Field(default=None, ge=0, le=100000)
    waitlist_capacity: Optional[StrictInt] = Field(default=None, ge=0, le=100000)
    max_group_size: Optional[StrictInt] = Field(default=None, ge=1, le=100)
    registration_opens_at: Optional[AwareDatetime] = None
    registration_closes_at: Optional[AwareDatetime] = None
    organizer: Optional[StrictStr] = Field(default=None, min_length=1, max_length=200)
    # The event's contact person, told by SMS or email when registration closes how many are
    # coming and how many wait. Staff see these; the public event does not show them.
    summary_phone: Optional[StrictStr] = Field(default=None, max_length=40)
    summary_email: Optional[StrictStr] = Field(default=None, max_length=254)

    @field_validator("summary_phone")
    @classmethod
    def _phone(cls, value):
        if value is None:
            return None
        phone, reason = normalise_phone(value, setting("SMS_ALLOWED_REGIONS").split(","))
        if reason:
            raise ValueError(reason)
        return phone

    @field_validator("summary_email")
    @classmethod
    def _email(cls, value):
        if value is None:
            return None
        email, reason = normalise_email(value)
        if reason:
            raise ValueError(reason)
        return email


class EventChange(EventFields):
    """PATCH /api/events/{id}: any subset of the fields; `status` may publish a draft."""

    status: Optional[Literal["published", "draft"]] = None


class NewEvent(EventFields):
    """POST /api/events. Published at once unless `"status": "draft"`."""

    title: Translations
    description: OptionalTranslations = OptionalTranslations()
    municipality: StrictStr = Field(min_length=1, max_length=100)
    place: StrictStr = Field(min_length=1, max_length=200)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    capacity: StrictInt = Field(ge=0, le=100000)
    waitlist_capacity: StrictInt = Field(default=0, ge=0, le=100000)
    max_group_size: StrictInt = Field(default=5, ge=1, le=100)
    organizer: StrictStr = Field(min_length=1, max_length=200)
    status: Literal["published", "draft"] = "published"


class SignUp(Body):
    """POST /api/events/{id}/registrations. A phone number, an email address or both: the
    registration service checks that, and normalises them."""

    name: StrictStr = Field(min_length=1, max_length=100)
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
    organizer: Optional[StrictStr] = Field(default=None, min_length=1, max_length=200)



class ClientCancellation(Body):
    """POST /api/events/{id}/registrations/cancel-by-client: the client whose sign-ups to cancel
    (its `client_ref` as the roster shows it)."""

    client_ref: StrictStr = Field(min_length=1, max_length=64)
