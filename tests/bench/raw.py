"""What this machine allows at most, measured in the same run as the system: RabbitMQ persistent
messages with publisher confirms (published, then consumed) and PostgreSQL single-row commits."""
import time
import uuid

import psycopg2
import requests
from kombu import Connection, Exchange, Queue
from sqlalchemy.engine import make_url

from tests.system import MANAGEMENT


def rabbitmq(count, amqp_base="amqp://guest:guest@127.0.0.1:5672/"):
    """(published per second, consumed per second) of `count` persistent, confirmed messages."""
    vhost = f"yhdessa-bench-raw-{uuid.uuid4().hex[:8]}"
    requests.put(f"{MANAGEMENT}/api/vhosts/{vhost}", timeout=10).raise_for_status()
    requests.put(f"{MANAGEMENT}/api/permissions/{vhost}/guest",
                 json={"configure": ".*", "write": ".*", "read": ".*"}, timeout=10).raise_for_status()
    try:
        exchange = Exchange("bench", type="direct", durable=True)
        queue = Queue("bench", exchange=exchange, routing_key="bench", durable=True)
        body = {"event_id": str(uuid.uuid4()), "type": "registration_confirmed", "data": {"x": "y" * 400}}
        with Connection(amqp_base + vhost, transport_options={"confirm_publish": True}) as connection:
            producer = connection.Producer(serializer="json")
            queue(connection.default_channel).declare()
            started = time.perf_counter()
            for _ in range(count):
                # a confirm that never comes must fail the bench, not hang it
                producer.publish(body, exchange=exchange, routing_key="bench", delivery_mode=2, confirm_timeout=30)
            published = count / (time.perf_counter() - started)
            received = 0
            started = time.perf_counter()

            def on_message(_body, message):
                nonlocal received
                message.ack()
                received += 1

            with connection.Consumer(queue, callbacks=[on_message], prefetch_count=200):
                while received < count:
                    connection.drain_events(timeout=10)
            consumed = count / (time.perf_counter() - started)
        return published, consumed
    finally:
        requests.delete(f"{MANAGEMENT}/api/vhosts/{vhost}", timeout=10)


def postgresql(url, count):
    """Single-row INSERT + COMMIT per second, one connection."""
    parsed = make_url(url)
    connection = psycopg2.connect(host=parsed.host, port=parsed.port, user=parsed.username, dbname=parsed.database)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_commits (id serial PRIMARY KEY, body text NOT NULL)")
    connection.commit()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for n in range(count):
            cursor.execute("INSERT INTO bench_commits (body) VALUES (%s)", (f"row {n}",))
            connection.commit()
    rate = count / (time.perf_counter() - started)
    connection.close()
    return rate
