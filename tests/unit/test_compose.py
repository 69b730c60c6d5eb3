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
BROKER_NODES = ("rabbitmq", "rabbitmq-2", "rabbitmq-3")


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
        # every node it lists (the cluster profile's too) is logged in to as the service itself
        own_user = rf"amqp://{name}:\$\{{RABBITMQ_{name.upper()}_PASSWORD(:\?[^}}]*)?\}}@(rabbitmq[-0-9]*):5672/yhdessa"
        nodes = [re.fullmatch(own_user, node) for node in environment["AMQP_URI"].split(";")]
        assert all(nodes) and [node.group(2) for node in nodes] == list(BROKER_NODES), environment["AMQP_URI"]
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


def test_the_cluster_profile_adds_two_nodes_that_join_the_first_and_the_services_use_quorum_queues():
    assert "profiles" not in SERVICES["rabbitmq"]
    cluster_conf = (REPO_ROOT / "docker" / "rabbitmq" / "cluster.conf").read_text()
    assert "cluster_formation.peer_discovery_backend = classic_config" in cluster_conf
    listed = re.findall(r"^cluster_formation\.classic_config\.nodes\.\d+ = rabbit@(\S+)$", cluster_conf, re.MULTILINE)
    assert listed == [SERVICES[name]["hostname"] for name in BROKER_NODES] == list(BROKER_NODES)
    for name in BROKER_NODES[1:]:
        node = SERVICES[name]
        assert node["profiles"] == ["cluster"] and node["image"] == SERVICES["rabbitmq"]["image"]
        assert published(name) == [] and node["networks"] == ["back"]  # as locked down as the first
        assert node["entrypoint"] == SERVICES["rabbitmq"]["entrypoint"]
        assert any(volume.endswith("/etc/rabbitmq/conf.d/30-cluster.conf:ro") for volume in node["volumes"])
        assert node["environment"]["RABBITMQ_ERLANG_COOKIE"].startswith("${RABBITMQ_ERLANG_COOKIE:?")
        assert node["depends_on"] == {"rabbitmq": {"condition": "service_healthy"}}
    made = subprocess.run(["sh", str(REPO_ROOT / "docker" / "make-env.sh")], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"^RABBITMQ_ERLANG_COOKIE=[0-9a-f]{48}$", made, re.MULTILINE)
    for name in APP_SERVICES:
        assert SERVICES[name]["environment"]["QUEUE_TYPE"] == "${QUEUE_TYPE:-quorum}"
        # a cluster starting up is waited for whole: a queue declared before a node joins has no replica there
        assert {SERVICES[name]["depends_on"][node].get("required", True) for node in BROKER_NODES[1:]} == {False}
