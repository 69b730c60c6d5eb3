"""Where an organizer's webhook may be POSTed: https, to a host whose every address is public.

An organizer chooses the URL, and our servers connect to it from inside the municipality's
network: without these rules a webhook reaches loopback, private and cloud-metadata addresses
(server-side request forgery). The rules run when a subscription is made AND before each
connection, and the connection goes to the address checked here (see providers/webhook.py), so a
name that resolves elsewhere a moment later (DNS rebinding) changes nothing.

`allow_private` (WEBHOOK_ALLOW_PRIVATE, local tests only) lifts both rules: http and any address.
"""
import ipaddress
import socket
import urllib.parse
from dataclasses import dataclass

from shared.errors import ValidationFailed

# Not reachable from the internet, though some Python versions call parts of them global; and the
# IPv6 forms that tunnel to an IPv4 address (6to4, Teredo, NAT64), which could tunnel to ours.
NOT_GLOBAL = [ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "198.18.0.0/15", "240.0.0.0/4",
    "2002::/16", "2001::/32", "64:ff9b::/96", "64:ff9b:1::/48")]
URL_HINT = "a public https URL, like https://example.org/yhdessa"


class RefusedAddress(Exception):
    """The host does not resolve, or resolves to an address we do not connect to."""


@dataclass(frozen=True)
class Target:
    """A webhook URL taken apart: what to connect to and what to say in the request."""

    scheme: str
    host: str  # the name as written (sent as Host and as the TLS server name)
    port: int
    path: str  # path and query, at least "/"

    @property
    def host_header(self):
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def is_public(address):
    """Whether we may connect to `address` (a string or ipaddress object): globally routable
    unicast; an IPv4-mapped IPv6 address is judged as the IPv4 address it is."""
    ip = ipaddress.ip_address(address.split("%", 1)[0]) if isinstance(address, str) else address
    if ip.version == 6 and ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d is a.b.c.d itself
        return is_public(ip.ipv4_mapped)
    if any(ip in network for network in NOT_GLOBAL if network.version == ip.version):
        return False
    return ip.is_global and not (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_reserved
                                 or ip.is_multicast or ip.is_unspecified)


def parse(url, allow_private=False):
    """The Target of `url`, or ValidationFailed naming `url`: an absolute https URL (http too when
    private addresses are allowed) with a host and no credentials."""
    try:
        parsed = urllib.parse.urlsplit(url)
        port = parsed.port
    except ValueError:  # a port that is not a number, a broken [IPv6] literal
        raise ValidationFailed("The webhook URL is not a valid URL.", fields={"url": URL_HINT})
    schemes = ("https", "http") if allow_private else ("https",)
    if parsed.scheme not in schemes or not parsed.hostname:
        raise ValidationFailed("The webhook URL must be an absolute https URL.", fields={"url": URL_HINT})
    if parsed.username or parsed.password:
        raise ValidationFailed("Put no credentials in the URL: check the signature instead.",
                               fields={"url": "no user:password@ part"})
    path = parsed.path or "/"
    if parsed.query:
        path += "?" + parsed.query
    return Target(parsed.scheme, parsed.hostname, port or (443 if parsed.scheme == "https" else 80), path)


def resolve(target, allow_private=False, getaddrinfo=socket.getaddrinfo):
    """The addresses of the target's host, or RefusedAddress when it resolves to none or to any
    we do not connect to (one bad address is enough: the resolver chooses which one we get)."""
    try:
        found = getaddrinfo(target.host, target.port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise RefusedAddress(f"{target.host} does not resolve: {exc}") from None
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    if not addresses:
        raise RefusedAddress(f"{target.host} has no address")
    refused = [a for a in addresses if not is_public(a)]
    if refused and not allow_private:
        raise RefusedAddress(f"{target.host} resolves to {', '.join(refused)}, not a public address")
    return addresses


def check_url(url, allow_private=False, getaddrinfo=socket.getaddrinfo):
    """The URL if a subscription may use it, else ValidationFailed naming `url`. One message for a
    name that does not resolve and one that resolves inside: the answer maps nothing."""
    target = parse(url, allow_private)
    try:
        resolve(target, allow_private, getaddrinfo)
    except RefusedAddress:
        raise ValidationFailed("The webhook URL must lead to a public address on the internet.",
                               fields={"url": URL_HINT})
    return url
