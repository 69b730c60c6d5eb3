"""Contact details: phone numbers to E.164 (Finland by default), emails checked and normalised,
and the channel a person is reached on."""
import phonenumbers
from email_validator import EmailNotValidError, validate_email
from phonenumbers import PhoneNumberType

from shared.config import setting

SMS_CAPABLE = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


def allowed_regions(config=None):
    """SMS_ALLOWED_REGIONS ("FI,AX") as a list of regions, from a service's config (or, None, the
    environment)."""
    value = config["SMS_ALLOWED_REGIONS"] if config is not None else setting("SMS_ALLOWED_REGIONS")
    return [region.strip().upper() for region in value.split(",") if region.strip()]


def normalise_phone(raw, allowed_regions):
    """(E.164 number, None) or (None, reason). `040 123 4567` -> `+358401234567`.

    Numbers from outside `allowed_regions` are refused (SMS-pumping fraud), and so are numbers
    that cannot receive an SMS."""
    try:
        number = phonenumbers.parse(raw, "FI")
    except phonenumbers.NumberParseException:
        return None, "is not a phone number"
    if not phonenumbers.is_valid_number(number):
        return None, "is not a valid phone number"
    region = phonenumbers.region_code_for_number(number)
    if region not in allowed_regions:
        return None, f"numbers from {region or 'that country'} are not accepted"
    if phonenumbers.number_type(number) not in SMS_CAPABLE:
        return None, "is not a mobile number, so it cannot receive text messages"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None


def normalise_email(raw):
    """(normalised address, None) or (None, reason)."""
    try:
        return validate_email(raw, check_deliverability=False).normalized, None
    except EmailNotValidError as exc:
        return None, str(exc)


def contact_details(signup, allowed_regions):
    """(phone, email, channel, errors) for a validated `SignUp`; errors maps field -> reason."""
    errors = {}
    phone = email = None
    if not signup.phone and not signup.email:
        errors["phone"] = "give a phone number or an email address"
        return None, None, None, errors
    if signup.phone:
        phone, reason = normalise_phone(signup.phone, allowed_regions)
        if reason:
            errors["phone"] = reason
    if signup.email:
        email, reason = normalise_email(signup.email)
        if reason:
            errors["email"] = reason
    channel = signup.channel or ("sms" if signup.phone else "email")
    if channel == "sms" and not signup.phone:
        errors.setdefault("channel", "sms needs a phone number")
    if channel == "email" and not signup.email:
        errors.setdefault("channel", "email needs an email address")
    return phone, email, channel, errors
