"""Configuration from the environment (12-factor): every name has a local default.

The names are the ones in the design document; `service_config` turns them into the nameko
config dict a service container is started with, so tests can pass their own values.
"""
import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("YHDESSA_VAR_DIR", REPO_ROOT / "var"))

DEFAULTS = {
    "AMQP_URI": "amqp://guest:guest@localhost:5672/",
    "CATALOG_DATABASE_URL": f"sqlite:///{VAR_DIR}/catalog.db",
    "REGISTRATION_DATABASE_URL": f"sqlite:///{VAR_DIR}/registration.db",
    "NOTIFICATIONS_DATABASE_URL": f"sqlite:///{VAR_DIR}/notifications.db",
    "GATEWAY_HOST": "127.0.0.1",
    "GATEWAY_PORT": "8000",
    "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
    "TWILIO_ACCOUNT_SID": "",
    "TWILIO_AUTH_TOKEN": "",
    "TWILIO_FROM": "",
    "TWILIO_API_URL": "https://api.twilio.com",
    "SMTP_HOST": "",
    "SMTP_PORT": "25",
    "SMTP_FROM": "Yhdessä <noreply@yhdessa.fi>",
    "SMTP_USER": "",
    "SMTP_PASSWORD": "",
    "SMTP_STARTTLS": "false",
    "STAFF_BOOTSTRAP_TOKEN": "",
    # Numbers with a +country code are accepted only from these regions (SMS-pumping fraud).
    "SMS_ALLOWED_REGIONS": "FI,AX,SE,NO,EE,RU",
    "PROVIDER_TIMEOUT_SECONDS": "10",
    # Twilio's limit for one long-code sender, shared by every notifications process; 0: no limit
    "SMS_RATE_PER_SECOND": "1",
    "SEND_MAX_ATTEMPTS": "5",
    # first retry after about this many seconds, then doubling (with jitter), at most 15 minutes
    "SEND_RETRY_BASE_SECONDS": "5",
    # a failed event handler is retried after these delays (seconds), then dead-lettered
    "HANDLER_RETRY_DELAYS": "1,5,30,120,600",
    # names and contacts of registrants and their messages are blanked this many days after the event
    "RETENTION_DAYS": "30",
    # webhook POSTs: per-request time limit, and retries (doubling from 2 s, at most 30 min apart)
    "WEBHOOK_TIMEOUT_SECONDS": "5",
    "WEBHOOK_MAX_ATTEMPTS": "20",
    "WEBHOOK_RETRY_BASE_SECONDS": "2",
    # concurrent workers of a service process: one number for all, or per service (others 10).
    # The gateway holds a worker per open HTTP request, notifications one per message on its way
    # to Twilio: both mostly wait, so they take many (README, Performance).
    "MAX_WORKERS": "gateway=100,notifications=100",
    # more than one process of a service under `make run`, e.g. "notifications=2" (not the gateway:
    # it owns the HTTP port)
    "SERVICE_COPIES": "",
    "LOG_LEVEL": "INFO",
    # the gateway's HTTP server (services/gateway/server.py): open connections at most (more wait
    # in the listen backlog), the backlog's depth, and how long a client may take to send its
    # request line and headers, its body (64 KiB at most), or the next request on a kept-alive
    # connection
    "HTTP_MAX_CONNECTIONS": "1000",
    "HTTP_LISTEN_BACKLOG": "1024",
    "HTTP_HEADER_TIMEOUT_SECONDS": "10",
    "HTTP_BODY_TIMEOUT_SECONDS": "15",
    "HTTP_IDLE_TIMEOUT_SECONDS": "30",
}

DATABASE_URL_NAMES = {
    "catalog": "CATALOG_DATABASE_URL",
    "registration": "REGISTRATION_DATABASE_URL",
    "notifications": "NOTIFICATIONS_DATABASE_URL",
}


def setting(name, environ=None):
    """The value of one configuration name: the environment's, else the default."""
    environ = os.environ if environ is None else environ
    value = environ.get(name)
    return DEFAULTS[name] if value in (None, "") else value


DEFAULT_MAX_WORKERS = 10
MIN_STAFF_BOOTSTRAP_TOKEN_LENGTH = 32


class ConfigurationError(Exception):
    """A setting the service must not start with; the message is one line saying what to do."""


def require_strong_staff_bootstrap_token(token):
    """STAFF_BOOTSTRAP_TOKEN is an admin's key: unset (no bootstrap token) or long and random.
    A short one (say, an example's `change-me`) is refused with ConfigurationError."""
    if token and len(token) < MIN_STAFF_BOOTSTRAP_TOKEN_LENGTH:
        raise ConfigurationError(
            f"STAFF_BOOTSTRAP_TOKEN is shorter than {MIN_STAFF_BOOTSTRAP_TOKEN_LENGTH} characters: "
            "set a random one (e.g. `openssl rand -hex 32`) or leave it unset")


def per_service(name, value, services):
    """{service: number} from "notifications=2,gateway=1" (only those named), or {service: n}
    for every service from a bare "n"; ValueError naming the setting when it is neither."""
    value = value.strip()
    if value.isdigit() and int(value) >= 1:
        return dict.fromkeys(services, int(value))
    numbers = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        service, _, number = item.partition("=")
        if service not in services or not number.isdigit() or int(number) < 1:
            raise ValueError(f"{name}: {item!r} is not <service>=<number>")
        numbers[service] = int(number)
    return numbers


def service_config(service_name, overrides=None, environ=None):
    """The nameko config dict for one service: every setting, plus the service's own database
    as DATABASE_URL and the web server address for the gateway."""
    config = {name: setting(name, environ) for name in DEFAULTS}
    config.update(overrides or {})
    if service_name in DATABASE_URL_NAMES:
        config.setdefault("DATABASE_URL", config[DATABASE_URL_NAMES[service_name]])
    config.setdefault("WEB_SERVER_ADDRESS", f"{config['GATEWAY_HOST']}:{config['GATEWAY_PORT']}")
    services = [*DATABASE_URL_NAMES, "gateway"]
    config["max_workers"] = per_service("MAX_WORKERS", config["MAX_WORKERS"], services).get(
        service_name, DEFAULT_MAX_WORKERS)
    return config
