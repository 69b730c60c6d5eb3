"""What the holder of a cancel code or link token is shown of a registration: everything but the
phone number and email address in full. A code or token may have been found, guessed or shared;
the contacts are what a stranger must not learn from it. Such answers are never cached."""
from shared.logs import mask_email, mask_phone

# The answer names a person: no browser, proxy or shared computer keeps a copy.
NO_STORE = {"Cache-Control": "no-store"}


def signed_up(answer, made, shown):
    """(body, status, headers) of the API's answer to a sign-up or an enrolment: `answer` is
    registration's (`repeat_of`), `made` the registration or enrolment it holds, `shown(made,
    include_code)` its answer's shape. New: 201 with the code. A repeat of the same request (same
    Idempotency-Key and body) gets the first answer again; staff signing up someone already
    registered are told so, without the code, which was sent to that person: knowing someone's
    number must not let you cancel for them."""
    if answer["repeat_of"] is None:
        return shown(made), 201, NO_STORE
    return ({**shown(made, include_code=answer["repeat_of"] == "request"), "already_registered": True},
            200, NO_STORE)


def masked(registration):
    """`registration` with its phone and email masked as in our logs (+358*******67, m***@example.fi)."""
    if "phone" not in registration and "email" not in registration:
        return registration
    return {**registration, "phone": mask_phone(registration.get("phone")),
            "email": mask_email(registration.get("email"))}
