"""Where a webhook may go and how it is signed, as plain rules: every address that leads into our
own network is refused (IPv4-mapped IPv6 and the other IPv6 forms carrying one too), and the
signature is the Standard Webhooks one, checked with that project's own library."""
import base64
import datetime as dt
import socket

import pytest
import standardwebhooks

from services.notifications import webhook_rules
from services.notifications import webhook_addresses as addresses
from shared.errors import ValidationFailed

INSIDE = [
    "127.0.0.1", "127.8.9.10", "::1", "0.0.0.0", "::", "10.0.0.1", "172.16.5.4", "192.168.0.1",
    "169.254.169.254", "fe80::1", "fe80::1%eth0", "fc00::1", "fd12:3456::1", "100.64.0.1", "100.127.255.254",
    "192.0.0.8", "198.18.0.1", "192.0.2.1", "203.0.113.9", "240.0.0.1", "255.255.255.255", "224.0.0.251",
    "239.1.2.3", "ff02::1", "2001:db8::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:0.0.0.0",  # IPv4-mapped
    "2002:7f00:1::", "2002:a00:1::",  # 6to4 of 127.0.0.1 and 10.0.0.1
    "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe",  # NAT64 of 127.0.0.1 and 169.254.169.254
]
OUTSIDE = ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450:4010:c05::65",
           "::ffff:93.184.216.34"]


@pytest.mark.parametrize("address", INSIDE)
def test_addresses_inside_any_network_of_ours_are_not_public(address):
    assert not addresses.is_public(address)


@pytest.mark.parametrize("address", OUTSIDE)
def test_internet_addresses_are_public(address):
    assert addresses.is_public(address)


def resolver(*found):
    """A getaddrinfo that answers every name with `found`."""
    def getaddrinfo(host, port, proto=0):
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, proto, "", (a, port))
                for a in found]
    return getaddrinfo


def not_resolving(host, port, proto=0):
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


@pytest.mark.parametrize("url", ["ftp://example.org/x", "example.org/hook", "https://", "https:///path",
                                 "https://u:p@example.org/", "https://example.org:99999/", "https://[::1/",
                                 "http://example.org/hook"])
def test_a_webhook_url_must_be_an_absolute_https_url_with_a_host_and_no_credentials(url):
    with pytest.raises(ValidationFailed) as refused:
        addresses.check_url(url, getaddrinfo=resolver("93.184.216.34"))
    assert list(refused.value.fields) == ["url"]


@pytest.mark.parametrize("getaddrinfo", [resolver("127.0.0.1"), resolver("93.184.216.34", "10.0.0.7"),
                                         resolver("::ffff:127.0.0.1"), not_resolving, resolver()])
def test_a_name_that_resolves_inside_or_not_at_all_is_refused_with_one_message(getaddrinfo):
    with pytest.raises(ValidationFailed) as refused:
        addresses.check_url("https://hooks.example.org/yhdessa", getaddrinfo=getaddrinfo)
    assert list(refused.value.fields) == ["url"]
    assert refused.value.message == "The webhook URL must lead to a public address on the internet."


def test_a_public_https_url_is_taken_apart_for_connecting():
    url = "https://hooks.example.org:8443/in/yhdessa?org=7"
    assert addresses.check_url(url, getaddrinfo=resolver("93.184.216.34")) == url
    target = addresses.parse(url)
    assert (target.host, target.port, target.path, target.host_header) == (
        "hooks.example.org", 8443, "/in/yhdessa?org=7", "hooks.example.org:8443")
    assert addresses.parse("https://[2606:4700::1111]/").host_header == "[2606:4700::1111]"
    assert addresses.resolve(target, getaddrinfo=resolver("93.184.216.34", "2606:4700::1111")) == [
        "93.184.216.34", "2606:4700::1111"]


def test_allowing_private_addresses_lets_local_tests_use_http_on_loopback():
    url = "http://127.0.0.1:8081/hook"
    with pytest.raises(ValidationFailed):
        addresses.check_url(url, getaddrinfo=resolver("127.0.0.1"))
    assert addresses.check_url(url, allow_private=True, getaddrinfo=resolver("127.0.0.1")) == url


# --- signatures --------------------------------------------------------------------------------

def test_a_secret_is_whsec_and_32_random_bytes_in_base64():
    secret = webhook_rules.new_secret()
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:], validate=True)) == 32
    assert webhook_rules.new_secret() != secret


@pytest.mark.parametrize("secret", [webhook_rules.new_secret(), "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                                    # one of the first release: url-safe base64
                                    "whsec_Zm9v-YmFy_YmF6LWZvby1iYXItYmF6LWZvby1iYXI"])
def test_signatures_verify_with_the_standard_webhooks_library(secret):
    body = '{"id": "e-1", "name": "Äijälä"}'.encode()
    headers = webhook_rules.signature_headers(secret, "e-1", 1764300000, body)
    assert headers["webhook-id"] == "e-1" and headers["webhook-timestamp"] == "1764300000"
    sent_at = dt.datetime.fromtimestamp(1764300000, dt.timezone.utc)
    signed = standardwebhooks.Webhook(secret).sign("e-1", sent_at, body.decode())
    assert headers["webhook-signature"] == signed
    other = webhook_rules.signature_headers(secret, "e-1", 1764300001, body)
    assert other["webhook-signature"] != headers["webhook-signature"]  # the time is signed too
