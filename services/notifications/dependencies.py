"""Notifications' dependencies: its storage, the SMS and email providers, webhook receivers,
registration (residents' texts act through it)."""
import logging

from nameko.constants import DEFAULT_MAX_WORKERS
from nameko.extensions import DependencyProvider

from services.notifications.delivery import SendPolicy
from services.notifications.pacing import Pacing, PacingPolicy, quiet_hours
from services.notifications.providers.mail import ConsoleEmail, SmtpEmail
from services.notifications.providers.sms import ConsoleSms
from services.notifications.providers.twilio import TwilioSms, TwilioWebhooks, status_callback_url
from services.notifications.providers.webhook import WebhookClient
from services.notifications.sms_rate import SlotBook
from services.notifications.storage import NotificationStore
from services.notifications.webhook_delivery import Dispatcher
from services.notifications.tables import processed_events
from shared.rpc import Service
from shared.storage import ServiceStorage

log = logging.getLogger(__name__)


class Notifications(ServiceStorage):
    store_class = NotificationStore
    inbox = processed_events
    group_commits = True

    def setup(self):
        super().setup()
        self.pacing = Pacing(PacingPolicy.from_config(self.container.config))
        policy = SendPolicy.from_config(self.container.config)
        self.claim_margin_seconds, self.sms_paced = policy.claim_margin_seconds, policy.sms_per_second > 0
        # this process's share of the SMS rate, booked in blocks, shared by all its workers
        self.slots = SlotBook(1.0 / policy.sms_per_second) if self.sms_paced else None
        self.quiet = quiet_hours(self.container.config)

    def get_dependency(self, worker_ctx):
        store = super().get_dependency(worker_ctx)
        store.pacing = self.pacing
        store.claim_margin_seconds = self.claim_margin_seconds
        store.quiet, store.sms_paced, store.slots = self.quiet, self.sms_paced, self.slots
        return store


class Registration(Service):
    """Registration over RPC, with the gateway's time limit and deadline (a text waits for the
    next try when registration does not answer)."""

    def __init__(self):
        super().__init__("registration")


class Channels:
    """Sends a stored message on its channel; `webhooks`: each provider's webhooks by its name
    (provider_callbacks.py)."""

    def __init__(self, sms, email, webhooks):
        self.sms, self.email, self.webhooks = sms, email, webhooks

    def send(self, notification):
        if notification["channel"] == "sms":
            return self.sms.send_sms(notification["recipient"], notification["body"], notification["id"])
        return self.email.send_email(notification["recipient"], notification["subject"], notification["body"],
                                     notification["html"], notification["id"], notification.get("calendar"))

    def find_sent(self, notification, known_refs=()):
        """The provider's id of this message if the provider has it, else None (reconciliation.py)."""
        provider = self.sms if notification["channel"] == "sms" else self.email
        return provider.find_sent(notification["recipient"], notification["body"], notification["handed_over_at"],
                                  known_refs)


class Providers(DependencyProvider):
    """Twilio and SMTP when configured; otherwise the console, said loudly at start-up. Twilio's
    webhooks are read whatever the sending setup: without TWILIO_AUTH_TOKEN none is accepted."""

    def setup(self):
        config = self.container.config
        timeout = float(config["PROVIDER_TIMEOUT_SECONDS"])
        pool = config["TWILIO_MESSAGING_SERVICE_SID"].strip()
        if config["TWILIO_ACCOUNT_SID"] and config["TWILIO_AUTH_TOKEN"] and (config["TWILIO_FROM"] or pool):
            sms = TwilioSms(config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"], config["TWILIO_FROM"],
                            config["TWILIO_API_URL"], timeout,
                            status_callback=status_callback_url(config["PUBLIC_BASE_URL"]),
                            connections=int(config.get("max_workers", DEFAULT_MAX_WORKERS)),
                            messaging_service_sid=pool or None)
        else:
            sms = ConsoleSms()
            log.warning("TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN and TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID not "
                        "set: SMS messages are PRINTED TO THE CONSOLE, NOT SENT")
        if config["SMTP_HOST"]:
            email = SmtpEmail(config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_FROM"], timeout,
                              config["SMTP_USER"] or None, config["SMTP_PASSWORD"] or None,
                              config["SMTP_STARTTLS"].lower() in ("1", "true", "yes"))
        else:
            email = ConsoleEmail()
            log.warning("SMTP_HOST not set: emails are PRINTED TO THE CONSOLE, NOT SENT")
        webhooks = TwilioWebhooks(config["TWILIO_AUTH_TOKEN"])
        self.channels = Channels(sms, email, {webhooks.name: webhooks})

    def get_dependency(self, worker_ctx):
        return self.channels


class WebhookReceivers(DependencyProvider):
    """HTTP to organizers' webhook receivers: which URLs may be subscribed, and a Dispatcher that
    delivers each subscription on a greenthread of its own (stopped with the service)."""

    def setup(self):
        config = self.container.config
        self.client = WebhookClient(float(config["WEBHOOK_TIMEOUT_SECONDS"]),
                                    allow_private=config["WEBHOOK_ALLOW_PRIVATE"].lower() in ("1", "true", "yes"))
        self.dispatcher = Dispatcher(self.client, self.container.spawn_managed_thread,
                                     int(config["WEBHOOK_MAX_ATTEMPTS"]), float(config["WEBHOOK_RETRY_BASE_SECONDS"]))

    def get_dependency(self, worker_ctx):
        return self.dispatcher
