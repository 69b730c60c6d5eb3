"""The gateway in a real nameko container, answering real HTTP, with the services it calls replaced.

Mocking policy (as nameko-examples' gateway interface tests): the gateway's own composition is real
— its HTTP server and endpoints, the JSON error shape, security and CORS headers, the limits per
client address and the client reference they compute, the staff token rules — and what lies
outside it is replaced with nameko's `replace_dependencies`: the `catalog`, `registration` and
`notifications` RPC proxies and the `sign_ups` batcher become mocks. Staff tokens are checked
by the gateway's own authenticator, asking that same `catalog` mock who a token belongs to, as the
real one asks the catalog service. A test here fails when the gateway breaks, never because another
service did; the services themselves are tested in tests/integration and together in tests/e2e.
"""
import types
from unittest.mock import MagicMock, create_autospec

import pytest
import requests
from nameko.exceptions import deserialize, serialize
from nameko.testing.services import replace_dependencies

from services.catalog.service import CatalogService
from services.gateway.dependencies import _Authenticator
from services.gateway.service import GatewayService
from services.notifications.service import NotificationsService
from services.registration.service import RegistrationService

ADMIN_TOKEN = "bootstrap-token-of-at-least-32-characters"
STAFF_TOKEN = "kosketus-staff-token"
KOSKETUS = "Kosketus ry"
KOSKETUS_STAFF = {"id": "s-1", "name": "Liisa", "organizer": KOSKETUS, "admin": False,
                  "phone": "+358401110000", "email": None}
EVENT_ID = "5a81ab7d-7e93-4d0d-8990-00b3e12a29ec"
# The services' mocks take only the methods and arguments the real services' RPC takes, so a call
# the real service would refuse fails here too.
REPLACED = {
    "catalog": lambda: create_autospec(CatalogService, instance=True),
    "registration": lambda: create_autospec(RegistrationService, instance=True),
    "notifications": lambda: create_autospec(NotificationsService, instance=True),
    "sign_ups": MagicMock,
}


def staff(token=STAFF_TOKEN):
    """The headers of a staff call (KOSKETUS_STAFF's token unless another is given)."""
    return {"Authorization": f"Bearer {token}"}


def event(**changes):
    """An event as the catalog answers it."""
    return {"id": EVENT_ID, "title": {"fi": "Kosketus"}, "municipality": "Jyväskylä", "place": "Kaupungintalo",
            "starts_at": "2026-12-10T09:00:00+00:00", "ends_at": "2026-12-10T12:00:00+00:00",
            "capacity": 40, "waitlist_capacity": 10, "organizer": KOSKETUS, "status": "published",
            "summary_phone": "+358401234500", "summary_email": None, **changes}


def remote(error):
    """`error` as the gateway gets it back from an RPC call: serialised by the callee, deserialised
    by nameko (the project's errors are registered, so they keep their type, code and fields)."""
    return deserialize(serialize(error))


@pytest.fixture
def start_gateway(container_factory, config_for, web_config):
    """Start the gateway with `keep` (attribute names) left real and the rest of REPLACED mocked,
    config overridden by `settings`; returns the mocks by attribute name. The catalog mock knows
    KOSKETUS_STAFF's token and answers `event()` for any id; registration counts no seats taken."""
    def start(keep=(), **settings):
        config = config_for("gateway", WEB_SERVER_ADDRESS=web_config["WEB_SERVER_ADDRESS"],
                            STAFF_BOOTSTRAP_TOKEN=ADMIN_TOKEN, CLIENT_REF_SECRET="client-ref-secret", **settings)
        container = container_factory(GatewayService, config)
        mocks = {name: make() for name, make in REPLACED.items() if name not in keep}
        replace_dependencies(container, **mocks)
        catalog = mocks.get("catalog")
        if catalog is not None:
            catalog.authenticate.side_effect = lambda token: KOSKETUS_STAFF if token == STAFF_TOKEN else None
            catalog.get_event.side_effect = lambda event_id, **_: event(id=event_id)
            # StaffAuth's own object (bootstrap token, bearer parsing, cache), asking the mock
            replace_dependencies(container, auth=_Authenticator(catalog, ADMIN_TOKEN, {}))
        if "registration" in mocks:
            mocks["registration"].availability.return_value = {}
        container.start()
        return types.SimpleNamespace(**mocks)
    return start


class _Client(requests.Session):
    """requests, on the gateway's address (nameko's `web_session` needs an older werkzeug)."""

    def __init__(self, base_url):
        super().__init__()
        self.base_url = base_url

    def request(self, method, path, *args, **kwargs):
        kwargs.setdefault("timeout", 10)
        return super().request(method, self.base_url + path, *args, **kwargs)


@pytest.fixture
def client(web_config):
    """An HTTP client of the gateway started by `start_gateway` or `gateway`."""
    with _Client(f"http://{web_config['WEB_SERVER_ADDRESS']}") as session:
        yield session


@pytest.fixture
def gateway(start_gateway):
    """The gateway with every service it calls mocked (see the module's docstring)."""
    return start_gateway()
