"""Where SMS and email providers call us back: one path per provider and kind of webhook, for the
gateway's route and for the address notifications gives the provider (Twilio's status_callback).
Providers are configured with these addresses, so a path never changes."""


def webhook_path(provider, kind):
    """/webhooks/twilio/status: the path of `provider`'s webhooks of `kind` ("status", "inbound")."""
    return f"/webhooks/{provider}/{kind}"
