"""A sign-up as it enters the registration service: shape checked, contacts normalised."""
from dataclasses import dataclass
from typing import Optional

from pydantic import ValidationError

from services.registration.contacts import contact_details
from shared.api import SignUp
from shared.errors import ValidationFailed, validation_failed


@dataclass(frozen=True)
class NewRegistration:
    name: str
    phone: Optional[str]
    email: Optional[str]
    language: str
    channel: str
    seats: int

    @property
    def contact_key(self):
        """Who this is, for spotting the same person signing up twice."""
        return self.phone or (self.email or "").lower()


def parse(data, allowed_regions):
    """A NewRegistration, or ValidationFailed naming every bad field."""
    if not isinstance(data, dict):
        raise ValidationFailed("The body must be a JSON object.")
    try:
        signup = SignUp.model_validate(data)
    except ValidationError as exc:
        raise validation_failed(exc)
    phone, email, channel, errors = contact_details(signup, allowed_regions)
    if errors:
        raise ValidationFailed("The contact details are not usable.", fields=errors)
    return NewRegistration(signup.name, phone, email, signup.language, channel, signup.seats)
