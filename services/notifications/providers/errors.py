"""Provider failures in our own terms: try again later, or give up now and show why."""


class DeliveryError(Exception):
    def __init__(self, message, code=None):
        super().__init__(message)
        self.code = code


class TransientDeliveryError(DeliveryError):
    """Worth retrying with backoff: 5xx, 429, timeouts, refused connections, SMTP 4xx."""


class PermanentDeliveryError(DeliveryError):
    """Retrying cannot help: an invalid or opted-out number, an unroutable one, SMTP 5xx."""
