"""What the holder of a cancel code or link token is shown of a registration: everything but the
phone number and email address in full. A code or token may have been found, guessed or shared;
the contacts are what a stranger must not learn from it. Such answers are never cached."""
from shared.logs import mask_email, mask_phone

# The answer names a person: no browser, proxy or shared computer keeps a copy.
NO_STORE = {"Cache-Control": "no-store"}


def masked(registration):
    """`registration` with its phone and email masked as in our logs (+358*******67, m***@example.fi)."""
    if "phone" not in registration and "email" not in registration:
        return registration
    return {**registration, "phone": mask_phone(registration.get("phone")),
            "email": mask_email(registration.get("email"))}
