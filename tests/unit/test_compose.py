"""The compose deployment is safe to put on a public address: the proxy is the only way in, the
broker and database publish nothing, no default secrets, a RabbitMQ user per service. Read from
docker-compose.yml and docker/ as files (no Docker engine here)."""
import json
import os
import re
import subprocess

import yaml

from shared.config import REPO_ROOT

COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("catalog", "registration", "notifications", "gateway")
DEFINITIONS = REPO_ROOT / "docker" / "rabbitmq" / "definitions.json"
ENTRYPOINT = REPO_ROOT / "docker" / "rabbitmq" / "entrypoint.sh"


def published(service):
    return [str(port) for port in SERVICES[service].get("ports", [])]


def test_the_proxy_is_the_only_way_in():
    assert published("proxy") == ["${HTTP_PORT:-8000}:8080"]
    assert "gateway" in SERVICES["proxy"]["depends_on"]
    assert "server gateway:8000;" in (REPO_ROOT / "docker" / "nginx" / "nginx.conf").read_text()
    assert published("gateway") == []
    for name in SERVICES:
        if name != "proxy":  # anything else only on this host's loopback, if at all
            assert all(port.startswith("127.0.0.1:") for port in published(name)), (name, published(name))


def test_the_broker_and_the_database_publish_nothing_and_sit_on_an_internal_network():
    for name in ("rabbitmq", "postgres"):
        assert published(name) == [] and "expose" not in SERVICES[name]
        assert SERVICES[name]["networks"] == ["back"]
    assert COMPOSE["networks"]["back"]["internal"] is True


def test_the_gateway_believes_x_forwarded_for_from_the_proxy_only():
    proxy_address = SERVICES["proxy"]["networks"]["edge"]["ipv4_address"]
    assert SERVICES["gateway"]["environment"]["TRUSTED_PROXIES"] == proxy_address


def strings(node):
    if isinstance(node, dict):
        return [text for key, value in node.items() for text in [str(key), *strings(value)]]
    if isinstance(node, list):
        return [text for value in node for text in strings(value)]
    return [str(node)]


def test_no_default_secrets():
    values = strings(COMPOSE)
    assert not [value for value in values if "guest" in value or "change-me" in value]
    assert "POSTGRES_HOST_AUTH_METHOD" not in values
    assert not [value for value in values if re.search(r"PASSWORD:-", value)]  # required, never defaulted
    for name in APP_SERVICES:
        environment = SERVICES[name]["environment"]
        assert environment["STAFF_BOOTSTRAP_TOKEN"] == "${STAFF_BOOTSTRAP_TOKEN:-}"
        own_user = rf"amqp://{name}:\$\{{RABBITMQ_{name.upper()}_PASSWORD(:\?[^}}]*)?\}}@rabbitmq:5672/yhdessa"
        assert re.fullmatch(own_user, environment["AMQP_URI"]), environment["AMQP_URI"]
        assert "${POSTGRES_PASSWORD" in environment["CATALOG_DATABASE_URL"]


def test_rabbitmq_has_a_user_per_service_with_its_own_permissions_and_no_guest():
    definitions = json.loads(DEFINITIONS.read_text())
    users = {user["name"] for user in definitions["users"]}
    assert users == {"admin", *APP_SERVICES}
    permissions = {entry["user"]: entry for entry in definitions["permissions"]}
    assert set(permissions) == users
    for name in APP_SERVICES:
        configure = re.compile(permissions[name]["configure"])
        assert configure.fullmatch(f"rpc.reply-{name}-0f4c") and not configure.fullmatch(".*")
        others = [other for other in ("catalog", "registration", "notifications") if other != name]
        assert not any(configure.fullmatch(f"rpc-{other}") for other in others)  # nobody takes another's calls


def render(tmp_path, **passwords):
    environment = {"PATH": f"{tmp_path}:/usr/bin:/bin", "YHDESSA_DEFINITIONS_TEMPLATE": str(DEFINITIONS),
                   "YHDESSA_DEFINITIONS": str(tmp_path / "rendered.json"), **passwords}
    (tmp_path / "docker-entrypoint.sh").write_text("#!/bin/sh\necho started \"$@\"\n")
    os.chmod(tmp_path / "docker-entrypoint.sh", 0o755)
    return subprocess.run(["sh", str(ENTRYPOINT), "rabbitmq-server"], env=environment, capture_output=True,
                          text=True, timeout=30)


def strong_passwords():
    return {f"RABBITMQ_{name}_PASSWORD": f"{name.lower()}0123456789abcdefghijklmn"
            for name in ("ADMIN", "CATALOG", "REGISTRATION", "NOTIFICATIONS", "GATEWAY")}


def test_the_broker_starts_with_the_passwords_rendered_into_its_definitions(tmp_path):
    started = render(tmp_path, **strong_passwords())
    assert started.returncode == 0 and started.stdout == "started rabbitmq-server\n", started.stderr
    rendered = json.loads((tmp_path / "rendered.json").read_text())
    assert {user["name"]: user["password"] for user in rendered["users"]}["gateway"] == \
        "gateway0123456789abcdefghijklmn"


def test_the_broker_refuses_to_start_without_a_strong_password_for_every_user(tmp_path):
    for weak in ("", "guest", "short1", "has/slash0123456789abcdefghij"):
        started = render(tmp_path, **{**strong_passwords(), "RABBITMQ_NOTIFICATIONS_PASSWORD": weak})
        assert started.returncode != 0 and "started" not in started.stdout
        assert started.stderr.strip().splitlines() == [
            "RABBITMQ_NOTIFICATIONS_PASSWORD must be at least 24 letters and digits (docker/make-env.sh makes one)"]


def test_the_proxy_has_the_gateways_limits():
    from services.gateway.server import MAX_BODY_BYTES
    from shared.config import DEFAULTS

    conf = (REPO_ROOT / "docker" / "nginx" / "nginx.conf").read_text()

    def directive(name):
        return [value for value in re.findall(rf"^\s*{name}\s+([^;]+);", conf, re.MULTILINE)]

    assert directive("client_max_body_size") == [f"{MAX_BODY_BYTES // 1024}k"]
    assert directive("client_header_timeout") == [f"{DEFAULTS['HTTP_HEADER_TIMEOUT_SECONDS']}s"]
    assert directive("client_body_timeout") == [f"{DEFAULTS['HTTP_BODY_TIMEOUT_SECONDS']}s"]
    # the server block's for clients; the upstream's shorter than the gateway's, so nginx lets go first
    server_idle, upstream_idle = sorted(int(value.rstrip("s")) for value in directive("keepalive_timeout"))[::-1]
    assert server_idle == int(DEFAULTS["HTTP_IDLE_TIMEOUT_SECONDS"]) > upstream_idle
    assert directive("proxy_set_header X-Forwarded-For") == ["$remote_addr"]
