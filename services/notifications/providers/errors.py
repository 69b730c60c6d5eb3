"""Provider failures in our own terms: try again later, give up now and show why, or find out
first whether the message went out."""


class DeliveryError(Exception):
    def __init__(self, message, code=None):
        super().__init__(message)
        self.code = code


class TransientDeliveryError(DeliveryError):
    """Not sent, worth retrying with backoff: 5xx, 429, a refused or failed connection, SMTP 4xx."""


class PermanentDeliveryError(DeliveryError):
    """Retrying cannot help: an invalid or opted-out number, an unroutable one (Twilio: only the
    codes in twilio.PERMANENT_CODES), SMTP 5xx."""


class OutcomeUnknownError(DeliveryError):
    """The request may have reached the provider and the answer was lost (a read timeout, a
    connection dropped after sending): sending again could send twice, so the message is
    reconciled against what the provider says it sent."""
