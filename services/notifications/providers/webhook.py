"""POSTing a signed body to an organizer's webhook receiver, safely for us and for them.

Each POST resolves the host and checks every address (webhook_addresses), then connects to the
checked address itself while the hostname goes as Host, TLS server name and the name the
certificate must carry: what the resolver says a moment later does not matter (DNS rebinding).
A fresh connection per POST, so every connection is checked. Redirects are not followed, the
whole exchange has one time limit, and only the status line and headers of the answer are read.
What went wrong is logged for the operator; the organizer sees a generic text (errors that tell
"refused" from "answered 403" would map the ports of internal hosts).
"""
import logging
import socket
import ssl
import time
import urllib.parse

import certifi
import eventlet
import urllib3

from services.notifications import webhook_addresses as addresses
from services.notifications.providers.errors import TransientDeliveryError
from services.notifications.webhook_rules import signature_headers
from shared.errors import ValidationFailed

log = logging.getLogger(__name__)

NOT_DELIVERED = "not delivered"
USER_AGENT = "Yhdessa-Webhooks/2"


class WebhookClient:
    def __init__(self, timeout, allow_private=False, getaddrinfo=socket.getaddrinfo, ca_certs=None,
                 clock=time.time):
        """`timeout`: seconds for the whole exchange; `getaddrinfo`: the resolver (tests give their
        own); `ca_certs`: the bundle receivers' certificates are checked against (certifi's)."""
        self.timeout, self.allow_private = timeout, allow_private
        self.getaddrinfo, self.clock = getaddrinfo, clock
        self.ca_certs = ca_certs or certifi.where()

    def check_url(self, url):
        """The URL if a subscription may use it, else ValidationFailed naming `url`."""
        return addresses.check_url(url, self.allow_private, self.getaddrinfo)

    def post(self, url, secret, message_id, body):
        """POST `body` (bytes); TransientDeliveryError unless the receiver answers 2xx."""
        where = _host_of(url)  # never the whole URL in the log: its path may be the receiver's secret
        try:
            target = addresses.parse(url, self.allow_private)
            address = addresses.resolve(target, self.allow_private, self.getaddrinfo)[0]
        except (ValidationFailed, addresses.RefusedAddress) as exc:
            log.warning("webhook to %s not sent: %s", where, getattr(exc, "message", exc))
            raise TransientDeliveryError(NOT_DELIVERED, code="refused_address") from None
        headers = {"Host": target.host_header, "Content-Type": "application/json; charset=utf-8",
                   "User-Agent": USER_AGENT, **signature_headers(secret, message_id, self.clock(), body)}
        deadline = eventlet.Timeout(self.timeout)
        try:
            status = self._exchange(target, address, headers, body)
        except eventlet.Timeout as exc:
            if exc is not deadline:
                raise
            log.info("webhook to %s: no answer in %s s", where, self.timeout)
            raise TransientDeliveryError(NOT_DELIVERED, code="timeout") from None
        except (urllib3.exceptions.HTTPError, OSError, ssl.SSLError) as exc:
            log.info("webhook to %s at %s: %s", where, address, exc)
            raise TransientDeliveryError(NOT_DELIVERED, code="connection") from None
        finally:
            deadline.cancel()
        if not 200 <= status < 300:
            log.info("webhook to %s answered %s", where, status)
            # Only a receiver that proved its name with a public certificate earns its status code.
            said = f"{NOT_DELIVERED}: answered {status}" if target.scheme == "https" else NOT_DELIVERED
            raise TransientDeliveryError(said, code=str(status))

    def _exchange(self, target, address, headers, body):
        """The answer's status code, from a connection to `address` closed at once after it."""
        timeout = urllib3.Timeout(connect=self.timeout, read=self.timeout)
        if target.scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                address, target.port, timeout=timeout, maxsize=1, retries=False,
                cert_reqs="CERT_REQUIRED", ca_certs=self.ca_certs,
                server_hostname=target.host, assert_hostname=target.host)
        else:
            pool = urllib3.HTTPConnectionPool(address, target.port, timeout=timeout, maxsize=1, retries=False)
        try:
            # preload_content=False: the body of the answer is never read; closing the pool drops
            # the connection with whatever the receiver still wanted to send.
            response = pool.urlopen("POST", target.path, body=body, headers=headers, redirect=False,
                                    retries=False, assert_same_host=False, preload_content=False,
                                    release_conn=False)
            response.close()
            return response.status
        finally:
            pool.close()


def _host_of(url):
    try:
        return urllib.parse.urlsplit(url).netloc.rpartition("@")[2] or "?"
    except ValueError:
        return "?"
