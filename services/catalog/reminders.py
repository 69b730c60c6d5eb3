"""When an event's confirmed registrants are reminded: its `reminder_at`.

By default REMINDER_HOURS_BEFORE before the start, moved earlier out of QUIET_HOURS
(shared/helsinki.reminder_time), and moved with the start. Staff may choose the time themselves
(it then stays where they put it; `reminder_chosen` remembers that), give null to go back to the
default, or turn reminders off with `"reminders": false` (`reminder_at` null).
"""
from dataclasses import dataclass
from typing import Optional

from shared.config import setting
from shared.errors import ValidationFailed
from shared.helsinki import parse_quiet_hours, reminder_time


@dataclass(frozen=True)
class ReminderPolicy:
    hours_before: int
    quiet: Optional[tuple]

    @classmethod
    def from_config(cls, config):
        """From the settings (a nameko config or shared.config's names); read once at start."""
        return cls(int(config["REMINDER_HOURS_BEFORE"]), parse_quiet_hours(config["QUIET_HOURS"]))

    @classmethod
    def from_settings(cls):
        return cls.from_config({name: setting(name) for name in ("REMINDER_HOURS_BEFORE", "QUIET_HOURS")})

    def default(self, starts_at):
        return reminder_time(starts_at, self.hours_before, self.quiet)


def settle(event, given, policy, before=None):
    """`event`'s `reminders`, `reminder_at` and `reminder_chosen` set from what staff `given` (the
    request's fields that were sent) and the event `before` the change (None for a new event)."""
    reminders = given.get("reminders")
    if reminders is None:  # not sent: as it was, or on when staff choose a time
        reminders = bool(given.get("reminder_at")) or (before["reminders"] if before else True)
    if not reminders and given.get("reminder_at"):
        raise ValidationFailed("A reminder time was given with reminders off.",
                               fields={"reminder_at": 'not with "reminders": false'})
    chosen = reminders and (given["reminder_at"] is not None if "reminder_at" in given
                            else bool(before and before["reminder_chosen"]))
    if not reminders:
        reminder_at = None
    elif chosen:
        reminder_at = given["reminder_at"] if "reminder_at" in given else before["reminder_at"]
    elif (before is None or before["reminder_at"] is None or given.keys() & {"reminders", "reminder_at"}
          or event["starts_at"] != before["starts_at"]):
        reminder_at = policy.default(event["starts_at"])
    else:  # nothing about it changed: it stays (even if the settings changed since)
        reminder_at = before["reminder_at"]
    if chosen and reminder_at >= event["starts_at"]:
        raise ValidationFailed("The reminder must go before the event starts.",
                               fields={"reminder_at": "must be before starts_at"})
    return {**event, "reminders": reminders, "reminder_at": reminder_at, "reminder_chosen": chosen}
