"""What every provider call shares, SMS or email: it is timed and logged with its outcome, so an
operator can see how long Twilio or the SMTP server takes (LOG_LEVEL=DEBUG shows every call).

The provider's own part says what happened in our terms (errors.py); the caller (delivery.py)
decides what follows from it."""
import logging
import time

from services.notifications.providers.errors import DeliveryError

log = logging.getLogger(__name__)


class Client:
    """A provider: `name` says which in logs."""

    name = None

    def _timed(self, reference, call, *args):
        """`call(*args)`'s answer, the call timed and logged under the message's id `reference`."""
        started = time.monotonic()
        outcome = "failed on an unexpected error"  # our fault (a bug): delivery.py shows it
        try:
            answer = call(*args)
            outcome = "accepted"
            return answer
        except DeliveryError as exc:
            outcome = f"{type(exc).__name__} ({exc.code})"
            raise
        finally:
            log.debug("%s call took %.3f s: %s", self.name, time.monotonic() - started, outcome,
                      extra={"notification_id": reference})
