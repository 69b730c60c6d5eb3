"""Settings given once for all services or per service (MAX_WORKERS, SERVICE_COPIES)."""
import pytest

from shared.config import service_config


def workers(service, value=None):
    return service_config(service, environ={} if value is None else {"MAX_WORKERS": value})["max_workers"]


def test_the_services_that_mostly_wait_get_many_workers_and_the_rest_ten():
    assert (workers("gateway"), workers("notifications"), workers("registration"), workers("catalog")) == \
        (100, 100, 10, 10)


def test_one_number_is_for_every_service_and_named_ones_for_those_named():
    assert workers("catalog", "20") == workers("gateway", "20") == 20
    assert (workers("registration", "registration=3"), workers("catalog", "registration=3")) == (3, 10)


@pytest.mark.parametrize("value", ["gateway=", "gatway=5", "notifications=0", "-1", "gateway=lots"])
def test_a_setting_that_is_neither_says_which_setting(value):
    with pytest.raises(ValueError, match="MAX_WORKERS"):
        workers("gateway", value)


def test_an_empty_quiet_hours_means_none_while_other_empty_settings_take_their_default():
    from shared.config import setting
    assert setting("QUIET_HOURS", {"QUIET_HOURS": ""}) == ""
    assert setting("QUIET_HOURS", {}) == "21-08"
    assert setting("SMS_ALLOWED_REGIONS", {"SMS_ALLOWED_REGIONS": ""}) == "FI,AX"
