"""Entrypoints only: webhook subscriptions (/staff/webhooks) and statistics (/staff/stats).

Both call what the API's entrypoints call, scoped the same way: notifications' subscribe_webhook,
webhooks and unsubscribe_webhook (the URL rules are notifications'), and the statistics' answer of
GET /api/stats?per=month (GatewayService._counted). Every answer is `no-store`: the webhooks'
page shows a signing secret once, the statistics an organizer's figures."""
from werkzeug.wrappers import Response

from services.gateway import access
from services.gateway.pages import charts, stats_view, webhook_form
from services.gateway.pages.endpoint import page
from services.gateway.pages.rendering import NO_STORE
from services.gateway.pages.staff_session import signed_in
from shared.errors import NotFound, ValidationFailed

WEBHOOKS = "/staff/webhooks"
CONFIRMED = "yes"


class StaffReportPages:
    # --- webhook subscriptions ---------------------------------------------------------------

    @page("GET", WEBHOOKS)
    def webhooks_page(self, request):
        staff = signed_in(self, request)
        page_ = self.pages.page(request)
        return self._webhooks_page(page_, staff, unsubscribed="unsubscribed" in request.args)

    @page("POST", WEBHOOKS)
    def webhook_subscribed(self, request):
        """A new subscription; its secret is on this answer only (a redirect could not carry it
        without storing it somewhere)."""
        page_ = self.pages.page(request)
        page_.check_form()
        staff = signed_in(self, request)
        body = webhook_form.body(request.form, admin=access.scope(staff) is None)
        organizer = access.organizer_asked_for(staff, body.get("organizer"))
        try:
            made = self.notifications.subscribe_webhook(organizer, body, staff["id"])
        except ValidationFailed as exc:
            return self._webhooks_page(page_, staff, values=body, errors=webhook_form.errors(exc, page_._),
                                       status=422)
        return page_.render("webhooks_secret.html", status=201, cache=NO_STORE, staff=staff, webhook=made)

    @page("GET", f"{WEBHOOKS}/<string:webhook_id>/unsubscribe")
    def webhook_unsubscribe_page(self, request, webhook_id):
        """The confirmation step: nothing is unsubscribed by following a link."""
        staff = signed_in(self, request)
        page_ = self.pages.page(request)
        found = [w for w in self.notifications.webhooks(access.scope(staff)) if w["id"] == webhook_id]
        if not found:
            raise NotFound("No such webhook.", code="webhook_not_found")
        return page_.render("webhooks_unsubscribe.html", cache=NO_STORE, staff=staff, webhook=found[0])

    @page("POST", f"{WEBHOOKS}/<string:webhook_id>/unsubscribe")
    def webhook_unsubscribed(self, request, webhook_id):
        page_ = self.pages.page(request)
        page_.check_form()
        staff = signed_in(self, request)
        if request.form.get("confirm") != CONFIRMED:
            return page_.redirect(f"{WEBHOOKS}/{webhook_id}/unsubscribe")
        self.notifications.unsubscribe_webhook(webhook_id, access.scope(staff))
        return page_.redirect(f"{WEBHOOKS}?unsubscribed=1")

    def _webhooks_page(self, page_, staff, values=None, errors=None, status=200, unsubscribed=False):
        return page_.render("webhooks.html", status=status, cache=NO_STORE, staff=staff,
                            webhooks=self.notifications.webhooks(access.scope(staff)),
                            admin=access.scope(staff) is None, values=values or {}, errors=errors or {},
                            unsubscribed=unsubscribed)

    # --- statistics ----------------------------------------------------------------------------

    @page("GET", "/staff/stats")
    def stats_page(self, request):
        """Statistics per month of a period (default: the last 12 months): a table, a chart and
        the table as CSV (?format=csv)."""
        staff = signed_in(self, request)
        page_ = self.pages.page(request)
        period, errors, typed = stats_view.read_period(request.args, stats_view.today_in_helsinki(), page_._)
        organizer = access.organizer_asked_for(staff, (request.args.get("organizer") or "").strip() or None)
        municipality = (request.args.get("municipality") or "").strip() or None
        answer = None
        if not errors:
            try:
                answer = self._counted(period.api_from, period.api_to, municipality, organizer, "month")
            except ValidationFailed as exc:  # a year the API does not take (before 2000, after 2100)
                errors = {"from" if "from" in exc.fields else "to": page_._("Choose a month between 2000 and 2100.")}
        if answer is not None and request.args.get("format") == "csv":
            rows = stats_view.monthly_rows(answer, period, page_.lang)
            response = Response(stats_view.csv_bytes(rows, stats_view.totals(answer), page_._), mimetype="text/csv",
                                headers={"Content-Disposition":
                                         f'attachment; filename="{stats_view.csv_filename(period)}"'})
            return page_.finish(response, NO_STORE)
        return self._stats_page(page_, staff, period, typed, municipality, organizer, answer, errors)

    def _stats_page(self, page_, staff, period, typed, municipality, organizer, answer, errors):
        admin = access.scope(staff) is None
        # what the filters offer: the municipalities (and, for admins, organizers) of the period
        known = self.registration.stats(period.api_from, period.api_to, None, access.scope(staff))
        context = dict(
            staff=staff, admin=admin, errors=errors, period=period, municipality=municipality or "",
            organizer=organizer or "", municipalities=stats_view.choices(known, "municipality"),
            organizers=stats_view.choices(known, "organizer"),
            from_value=stats_view.field_value(typed["from"], period.first),
            to_value=stats_view.field_value(typed["to"], period.last),
            first_label=stats_view.month_label(period.first, page_.lang),
            last_label=stats_view.month_label(period.last, page_.lang),
            columns=stats_view.COLUMNS, rows=[], totals=None, chart=None, legend=[],
            csv_url=stats_view.csv_url(period, municipality, organizer if admin else None))
        if answer is not None:
            rows = stats_view.monthly_rows(answer, period, page_.lang)
            series = [(key, page_._(name)) for key, name in stats_view.CHART_SERIES]
            context.update(rows=rows, totals=stats_view.totals(answer), legend=charts.legend(series),
                           chart=charts.monthly_bars(
                               rows, series, title=page_._("Sign-ups, attended and walk-ins per month"),
                               description=page_._("From %(first)s to %(last)s. Each month has three bars in "
                                                   "this order: sign-ups, attended, walk-ins. The table below "
                                                   "has the same numbers.", first=context["first_label"],
                                                   last=context["last_label"])))
        return page_.render("stats.html", status=422 if errors else 200, cache=NO_STORE, **context)
