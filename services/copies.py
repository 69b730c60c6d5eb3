"""How many processes of each service `make run` starts, and what copies of the gateway must share.

SERVICE_COPIES wins when set ("notifications=2", or "2" for every service; the others 1). Unset,
the numbers come from the machine's core count (`defaults`), chosen by `make bench` on the
development machine (README, Performance). `make bench` starts the same numbers.
"""
import logging
import os
import secrets

from shared.config import per_service, setting

log = logging.getLogger("services.run")

SERVICES = ("catalog", "registration", "notifications", "gateway")

# Secrets every gateway copy must hold alike: a session signed by one copy is read by another,
# and a sign-up's client_ref is the same whichever copy took it.
SHARED_SECRETS = ("SESSION_SECRET", "CLIENT_REF_SECRET")


def limits_per_process(environ=None):
    """True when the limits per client address are on and counted in each process's memory
    (RATE_LIMIT_STORAGE_URL memory://), so that gateway copies would each count their own."""
    on = setting("RATE_LIMITS", environ).strip().lower() not in ("off", "false", "0", "no")
    return on and setting("RATE_LIMIT_STORAGE_URL", environ).strip().startswith("memory://")


def defaults(cores, gateway_may_copy=True):
    """The copies of each service for a machine of `cores` cores. Notifications (the CPU-heaviest
    per sign-up, README Performance) and the gateway get one process per two cores; registration
    one per four; catalog, read little and cached by the gateway, one. The gateway stays at one
    while its limits count per process (`gateway_may_copy` False)."""
    cores = max(1, cores or 1)
    half = max(1, cores // 2)
    return {"catalog": 1, "registration": max(1, cores // 4), "notifications": half,
            "gateway": half if gateway_may_copy else 1}


def wanted(environ=None, cores=None):
    """{service: processes} for `make run`; ValueError with one line when SERVICE_COPIES is
    malformed or asks for gateway copies that would not share their limits."""
    cores = os.cpu_count() if cores is None else cores
    asked = setting("SERVICE_COPIES", environ).strip()
    if not asked:
        return defaults(cores, gateway_may_copy=not limits_per_process(environ))
    numbers = {**dict.fromkeys(SERVICES, 1), **per_service("SERVICE_COPIES", asked, SERVICES)}
    if numbers["gateway"] > 1 and limits_per_process(environ):
        raise ValueError("SERVICE_COPIES: gateway copies would each count the limits per client address "
                         "on their own (RATE_LIMIT_STORAGE_URL=memory://): set RATE_LIMIT_STORAGE_URL="
                         "redis://host:6379 so they share them, or RATE_LIMITS=off")
    return numbers


def shared_secrets(environ=None):
    """{name: value} to give every service process: a random value, the same for all copies of
    this run, for each of SHARED_SECRETS that is not set (a warning says so: the next run signs
    everyone out)."""
    made = {}
    for name in SHARED_SECRETS:
        if not setting(name, environ):
            made[name] = secrets.token_hex(32)
    if made:
        log.warning("%s not set: random for this run, shared by its gateway copies (staff are signed out "
                    "and client references change when make run starts again)", " and ".join(made))
    return made
