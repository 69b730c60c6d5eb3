"""The soak's memory verdict: a leak keeps growing and is caught; a step that then stays level (the
backlog caught up after a broker restart) is no leak."""
from tests.soak.memory import flat, trends


def run(values, every=5.0):
    return [{"t": n * every, "notifications 1": mb} for n, mb in enumerate(values)]


def verdict(values):
    return flat(trends(run(values))["notifications 1"])


def test_a_level_process_is_flat():
    assert verdict([113.6, 114.8, 115.1, 115.3] + [116.0] * 20)


def test_a_steady_leak_is_caught():
    assert not verdict([100 + n for n in range(24)])  # 1 MB every 5 s


def test_a_step_after_a_broker_restart_that_stays_level_is_no_leak():
    """The samples of a notifications process in a 3-minute soak (RabbitMQ restarted at 60 s)."""
    seen = [113.6, 114.8, 115.1, 115.3, 115.9, 115.9, 115.9, 116.0, 116.0, 116.4, 116.6, 116.6, 118.0, 121.8,
            124.7, 125.1, 125.3, 125.4, 125.4, 125.4, 125.3, 124.8, 124.8]
    assert verdict(seen)


def test_a_leak_that_starts_late_is_still_caught():
    assert not verdict([110.0] * 12 + [110 + 2 * n for n in range(1, 13)])
