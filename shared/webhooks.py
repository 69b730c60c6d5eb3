"""Where providers call us back, and what their reports mean to us."""

TWILIO_STATUS_PATH = "/webhooks/twilio/status"

# Twilio MessageStatus -> our notification status; the ones in between change nothing.
TWILIO_STATUSES = {"sent": "sent", "delivered": "delivered", "undelivered": "undelivered", "failed": "failed"}
