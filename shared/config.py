"""Configuration from the environment (12-factor): every name has a local default.

The names are the ones in the design document; `service_config` turns them into the nameko
config dict a service container is started with, so tests can pass their own values.
"""
import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("YHDESSA_VAR_DIR", REPO_ROOT / "var"))

DEFAULTS = {
    # one broker, or a cluster's nodes separated by `;` (tried in turn, and again on a lost connection)
    "AMQP_URI": "amqp://guest:guest@localhost:5672/",
    # the services' durable queues: `classic` (one node) or `quorum` (replicated across a cluster)
    "QUEUE_TYPE": "classic",
    "CATALOG_DATABASE_URL": f"sqlite:///{VAR_DIR}/catalog.db",
    "REGISTRATION_DATABASE_URL": f"sqlite:///{VAR_DIR}/registration.db",
    "NOTIFICATIONS_DATABASE_URL": f"sqlite:///{VAR_DIR}/notifications.db",
    "GATEWAY_HOST": "127.0.0.1",
    "GATEWAY_PORT": "8000",
    "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
    "TWILIO_ACCOUNT_SID": "",
    "TWILIO_AUTH_TOKEN": "",
    "TWILIO_FROM": "",
    # a Messaging Service (MG…): SMS go from its pool of numbers instead of TWILIO_FROM alone, so
    # Twilio sends as many a second as the pool's numbers together (README, Configuration)
    "TWILIO_MESSAGING_SERVICE_SID": "",
    "TWILIO_API_URL": "https://api.twilio.com",
    "SMTP_HOST": "",
    "SMTP_PORT": "25",
    "SMTP_FROM": "Yhdessä <noreply@yhdessa.fi>",
    "SMTP_USER": "",
    "SMTP_PASSWORD": "",
    "SMTP_STARTTLS": "false",
    "STAFF_BOOTSTRAP_TOKEN": "",
    # origins (https://frontend.example, comma-separated) whose pages may call the public endpoints
    "CORS_ORIGINS": "",
    # Numbers with a +country code are accepted only from these regions (SMS-pumping fraud).
    "SMS_ALLOWED_REGIONS": "FI,AX",
    # reminders to confirmed registrants this many hours before an event starts (0: none), moved
    # earlier out of QUIET_HOURS ("21-08" Helsinki time; off or empty: none), when nothing is sent that
    # does not answer what a person just did
    "REMINDER_HOURS_BEFORE": "24",
    "QUIET_HOURS": "21-08",
    # at most this many replies an hour to one number texting us (an auto-responder must not
    # ping-pong with us)
    "INBOUND_REPLIES_PER_HOUR": "5",
    "PROVIDER_TIMEOUT_SECONDS": "10",
    # SMS a second handed to Twilio by every notifications process together; 0: no rate of our own
    # (Twilio queues what a sender cannot send at once: README, Configuration)
    "SMS_RATE_PER_SECOND": "0",
    # transient send failures: first retry after about SEND_RETRY_BASE_SECONDS, then doubling
    # (with jitter) up to SEND_RETRY_MAX_SECONDS apart, until SEND_GIVE_UP_HOURS after the message
    # was made or its event's end, whichever is first; then the message is `failed`
    "SEND_RETRY_BASE_SECONDS": "5",
    "SEND_RETRY_MAX_SECONDS": "300",
    "SEND_GIVE_UP_HOURS": "24",
    # a claimed message not handed to the provider this long after its SMS slot goes back to the
    # queue (its worker died); after hand-over the claim holds PROVIDER_TIMEOUT_SECONDS more
    "SEND_CLAIM_MARGIN_SECONDS": "60",
    # a failed event handler is retried after these delays (seconds), then dead-lettered
    "HANDLER_RETRY_DELAYS": "1,5,30,120,600",
    # names and contacts of registrants and their messages are blanked this many days after the event
    "RETENTION_DAYS": "30",
    # webhook POSTs: per-request time limit, and retries (doubling from 2 s, at most 30 min apart)
    "WEBHOOK_TIMEOUT_SECONDS": "5",
    "WEBHOOK_MAX_ATTEMPTS": "20",
    "WEBHOOK_RETRY_BASE_SECONDS": "2",
    # webhook URLs to loopback/private addresses, and plain http: for local tests only (SSRF)
    "WEBHOOK_ALLOW_PRIVATE": "false",
    # concurrent workers of a service process: one number for all, or per service (others 10).
    # The gateway holds a worker per open HTTP request, notifications one per message on its way
    # to Twilio: both mostly wait, so they take many (README, Performance).
    "MAX_WORKERS": "gateway=100,notifications=100",
    # processes of each service under `make run`, e.g. "notifications=2,gateway=2" (others 1);
    # empty: chosen from the machine's core count (services/copies.py)
    "SERVICE_COPIES": "",
    "LOG_LEVEL": "INFO",
    # Limits per client address (README, Security): `off` for load tests; counts kept in the
    # `limits` library's storage, `redis://host:6379` to share them between gateway copies.
    "RATE_LIMITS": "on",
    "RATE_LIMIT_STORAGE_URL": "memory://",
    # proxies whose X-Forwarded-For is believed: addresses or CIDR blocks, comma-separated
    "TRUSTED_PROXIES": "",
    "RATE_LIMIT_SIGNUPS": "10/minute;60/hour",
    # look-ups, cancels and erases by code, together: each one is a guess at a code
    "RATE_LIMIT_CODES": "20/minute;100/hour",
    # seats of one event one address may book in 30 days (staff tokens exempt); 0: no cap
    "SEATS_PER_ADDRESS_PER_EVENT": "10",
    # key of the hash that stands for a sign-up's address (`client_ref`); shared by gateway copies
    "CLIENT_REF_SECRET": "",
    # key that signs staff pages' session cookies; shared by gateway copies (empty: random per
    # process, so a restart signs everyone out)
    "SESSION_SECRET": "",
    # messages to one phone or email a Helsinki day caused by anonymous requests; 0: no cap
    "MESSAGES_PER_NUMBER_PER_DAY": "5",
    # SMS a Helsinki day caused by anonymous requests; past it they wait for the next day; 0: none
    "SMS_DAILY_BUDGET": "2000",
    # told by email (as well as an ERROR log line) when the SMS budget runs out
    "ADMIN_EMAIL": "",
    # shown on the accessibility statement and the privacy notice as where to send feedback (the
    # law asks for a channel); empty: ADMIN_EMAIL; both empty: the pages point to the organizers
    "ACCESSIBILITY_FEEDBACK_EMAIL": "",
    # how long the gateway waits for another service's answer; past it: 503, and nothing done
    "RPC_TIMEOUT_SECONDS": "15",
    # PostgreSQL: give up connecting, or on one statement, after this long (an outage then answers
    # 503 quickly instead of holding every worker)
    "DATABASE_CONNECT_TIMEOUT_SECONDS": "5",
    "DATABASE_STATEMENT_TIMEOUT_SECONDS": "30",
    # PostgreSQL connections one service process keeps open, and more it may open at a peak:
    # copies x (pool + overflow), summed over the services on one server, stay under its
    # max_connections (README, PostgreSQL for many copies)
    "DATABASE_POOL_SIZE": "10",
    "DATABASE_MAX_OVERFLOW": "20",
    # a handler failing because its database is away retries for as long as the outage lasts,
    # backing off up to this many seconds between tries (never dead-lettered for it)
    "HANDLER_OUTAGE_RETRY_MAX_SECONDS": "60",
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


# Names whose empty value means "none" rather than "the default" (QUIET_HOURS= : no quiet hours).
EMPTY_IS_A_VALUE = {"QUIET_HOURS"}


def setting(name, environ=None):
    """The value of one configuration name: the environment's, else the default (an empty one is
    the default too, except for EMPTY_IS_A_VALUE)."""
    environ = os.environ if environ is None else environ
    value = environ.get(name)
    if value is None or (value == "" and name not in EMPTY_IS_A_VALUE):
        return DEFAULTS[name]
    return value


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
