#!/bin/sh
# Prints a .env for `docker compose up` with a fresh random secret for each setting that needs one:
#   sh docker/make-env.sh > .env && chmod 600 .env
# Keep it out of version control; Twilio's settings are added by hand.
set -eu
secret() { od -An -N24 -tx1 /dev/urandom | tr -d ' \n'; }
echo "STAFF_BOOTSTRAP_TOKEN=$(secret)"
echo "POSTGRES_PASSWORD=$(secret)"
echo "CLIENT_REF_SECRET=$(secret)"
echo "SESSION_SECRET=$(secret)"
for name in ADMIN CATALOG REGISTRATION NOTIFICATIONS GATEWAY; do
    echo "RABBITMQ_${name}_PASSWORD=$(secret)"
done
# shared by the RabbitMQ nodes of `docker compose --profile cluster`
echo "RABBITMQ_ERLANG_COOKIE=$(secret)"
