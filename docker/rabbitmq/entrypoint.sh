#!/bin/sh
# Renders definitions.json with the passwords from the environment, then starts RabbitMQ as the
# image does. A missing or weak password stops it here, with one line saying which.
set -eu
template=${YHDESSA_DEFINITIONS_TEMPLATE:-/etc/rabbitmq/yhdessa/definitions.json}
out=${YHDESSA_DEFINITIONS:-/tmp/yhdessa-definitions.json}  # rabbitmq.conf: load_definitions
cp "$template" "$out"
for name in ADMIN CATALOG REGISTRATION NOTIFICATIONS GATEWAY; do
    var="RABBITMQ_${name}_PASSWORD"
    value=$(printenv "$var" || true)
    # letters and digits only: they go into AMQP URLs and this file unescaped
    if ! printf '%s' "$value" | grep -Eq '^[A-Za-z0-9]{24,}$'; then
        echo "$var must be at least 24 letters and digits (docker/make-env.sh makes one)" >&2
        exit 1
    fi
    sed -i "s/@${var}@/${value}/" "$out"
done
chmod 600 "$out"
exec docker-entrypoint.sh "$@"
