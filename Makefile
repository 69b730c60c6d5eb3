# Yhdessä: `make run` starts everything, `make test` runs the suite.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test test-long test-cluster soak preflight bench seed staff-token staff-tokens revoke-staff-token retention migrate dead-letters \
	replay-dead-letters install clean

$(STAMP): requirements.txt requirements-test.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is needed, found " + sys.version' 
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-test.txt
	@touch $@

install: $(STAMP)

## make run: every service and the gateway, against RabbitMQ at AMQP_URI
run: $(STAMP)
	$(PY) -m services.run

## make preflight: start (or say how to start) PostgreSQL, RabbitMQ and its management plugin for the tests
preflight: $(STAMP)
	@$(PY) -m tests.preflight

## make test: the whole suite (needs RabbitMQ with its management plugin, and PostgreSQL: preflight)
test: preflight
	$(PY) -m pytest -m "not long and not cluster" $(PYTEST_ARGS)

## make test-long: the fault and outage proofs that take minutes each, and the slowest waits (CI runs them after make test)
test-long: preflight
	$(PY) -m pytest -m "long and not cluster" $(PYTEST_ARGS) || [ $$? -eq 5 ]  # 5: none marked long yet

## make test-cluster: a three-node RabbitMQ cluster of the test's own loses a node while 1,000 sign up
## (quorum queues; nothing lost, nobody told twice; a few minutes; needs rabbitmq-server and PostgreSQL)
test-cluster: preflight
	$(PY) -m pytest -m cluster $(PYTEST_ARGS)

## make soak [SOAK_MINUTES=60]: a steady 100 sign-ups/s with a RabbitMQ restart and a notifications
## SIGKILL in it: nothing lost, nothing twice, memory over time (prints a table, writes var/soak/)
soak: preflight
	$(PY) -m tests.soak.run $(if $(SOAK_MINUTES),--minutes $(SOAK_MINUTES)) $(SOAK_ARGS)

## make bench [QUICK=1]: sign-up and notification throughput on PostgreSQL (prints a table, writes var/bench/)
bench: $(STAMP)
	$(PY) -m tests.bench.run $(if $(QUICK),--quick) $(BENCH_ARGS)

## make seed: demo events shaped after real ones, dated in the future (published when catalog runs)
seed: $(STAMP)
	$(PY) -m services.catalog.seed

## make staff-token NAME="Maija / Kosketus" ORGANIZER="Kosketus ry" [PHONE=...] [EMAIL=...] (or ADMIN=1):
## prints a new staff token once
staff-token: $(STAMP)
	$(PY) -m services.catalog.staff_tokens create "$(or $(NAME),staff)" \
		$(if $(ORGANIZER),--organizer "$(ORGANIZER)") $(if $(ADMIN),--admin) \
		$(if $(PHONE),--phone "$(PHONE)") $(if $(EMAIL),--email "$(EMAIL)")

## make staff-tokens: every staff token (without secrets); make revoke-staff-token ID=<id>
staff-tokens: $(STAMP)
	$(PY) -m services.catalog.staff_tokens list

revoke-staff-token: $(STAMP)
	$(PY) -m services.catalog.staff_tokens revoke "$(ID)"

## make retention: blank names and contacts RETENTION_DAYS after events end, now (also hourly in the services)
retention: $(STAMP)
	$(PY) -m services.retention

## make migrate: create or upgrade every service's database schema
migrate: $(STAMP)
	for s in catalog registration notifications; do $(PY) -m shared.migrations $$s upgrade || exit 1; done

## make dead-letters SERVICE=notifications: messages a service's handlers gave up on (personal data masked)
dead-letters: $(STAMP)
	$(PY) -m shared.dead_letters list $(or $(SERVICE),notifications)

## make replay-dead-letters SERVICE=notifications ID=<id> (or ALL=1): hand them back to their handler
replay-dead-letters: $(STAMP)
	$(PY) -m shared.dead_letters replay $(or $(SERVICE),notifications) $(if $(ALL),--all,$(ID))

clean:
	rm -rf $(VENV) var
