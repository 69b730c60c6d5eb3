"""How many processes of each service `make run` (and `make bench`) starts (services/copies.py):
SERVICE_COPIES when set, else from the core count; gateway copies only where they share their
limits per client address."""
import os

import pytest

from services.copies import defaults, shared_secrets, wanted

SHARED_LIMITS = {"RATE_LIMIT_STORAGE_URL": "redis://127.0.0.1:6379"}


def test_unset_the_copies_follow_the_core_count():
    assert wanted(SHARED_LIMITS, cores=2) == {"catalog": 1, "registration": 1, "notifications": 1, "gateway": 1}
    assert wanted(SHARED_LIMITS, cores=8) == {"catalog": 1, "registration": 2, "notifications": 4, "gateway": 4}
    assert wanted(SHARED_LIMITS, cores=None) == defaults(os.cpu_count())


def test_with_limits_counted_per_process_the_gateway_stays_one_by_default():
    assert wanted({}, cores=8)["gateway"] == 1
    assert wanted({"RATE_LIMITS": "off"}, cores=8)["gateway"] == 4


def test_service_copies_wins_and_names_only_those_it_changes():
    assert wanted({**SHARED_LIMITS, "SERVICE_COPIES": "gateway=3"}, cores=8) == \
        {"catalog": 1, "registration": 1, "notifications": 1, "gateway": 3}
    assert wanted({"SERVICE_COPIES": "1"}, cores=8) == dict.fromkeys(("catalog", "registration", "notifications",
                                                                       "gateway"), 1)


def test_gateway_copies_that_would_each_count_their_own_limits_are_refused_in_one_line():
    with pytest.raises(ValueError, match="RATE_LIMIT_STORAGE_URL=redis://") as refused:
        wanted({"SERVICE_COPIES": "gateway=2"}, cores=2)
    assert "\n" not in str(refused.value)
    assert wanted({"SERVICE_COPIES": "gateway=2", "RATE_LIMITS": "off"}, cores=2)["gateway"] == 2


def test_a_malformed_service_copies_says_so():
    with pytest.raises(ValueError, match="SERVICE_COPIES"):
        wanted({"SERVICE_COPIES": "gatway=2"}, cores=2)


def test_copies_get_one_random_secret_each_unless_set():
    made = shared_secrets({"SESSION_SECRET": "set-by-the-operator"})
    assert set(made) == {"CLIENT_REF_SECRET"} and len(made["CLIENT_REF_SECRET"]) == 64
    assert shared_secrets({"SESSION_SECRET": "a", "CLIENT_REF_SECRET": "b"}) == {}
