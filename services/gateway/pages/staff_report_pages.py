"""Entrypoints only: webhook subscriptions (/staff/webhooks) and statistics (/staff/stats)."""


class StaffReportPages:
    pass
