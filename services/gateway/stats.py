"""Statistics as the API answers them: registration's counts per municipality and organizer,
with notifications' message counts added and everything summed."""


def with_messages(groups, messages):
    """{"totals", "groups"}: `groups` from registration (each with its `event_ids`), and
    `messages` ({event id: {channel: n}}) from notifications."""
    totals = {"messages": {"sms": 0, "email": 0}}
    for group in groups:
        group["messages"] = {"sms": 0, "email": 0}
        for event_id in group.pop("event_ids"):
            for channel, n in messages.get(event_id, {}).items():
                group["messages"][channel] = group["messages"].get(channel, 0) + n
                totals["messages"][channel] = totals["messages"].get(channel, 0) + n
        for name, value in group.items():
            if isinstance(value, int):
                totals[name] = totals.get(name, 0) + value
    return {"totals": totals, "groups": groups}
