"""The statistics chart (services/gateway/pages/charts.py) and the month rows it is drawn from
(stats_view.py): a bar per month and series with its number as text, series told apart by
position and fill, an accessible name and summary, nothing a strict CSP would drop."""
import datetime
import re
import xml.etree.ElementTree as ET

from services.gateway.pages import charts, stats_view

SVG = "{http://www.w3.org/2000/svg}"
SERIES = [("sign_ups", "Sign-ups"), ("attended", "Attended"), ("walk_ins", "Walk-ins")]


def rows(*values):
    return [{"key": f"2026-{n + 1:02}", "label": f"Month {n + 1}", "sign_ups": s, "attended": a, "walk_ins": w}
            for n, (s, a, w) in enumerate(values)]


def drawn(*values, **kwargs):
    return ET.fromstring(str(charts.monthly_bars(rows(*values), SERIES, "Per month", "The table has the numbers.",
                                                 **kwargs)))


def bars(svg, month):
    [group] = [g for g in svg.iter(f"{SVG}g") if g.get("data-month") == month]
    return [(bar.get("data-series"), bar.find(f"{SVG}rect"), bar.find(f"{SVG}text").text)
            for bar in group.iter(f"{SVG}g") if bar.get("class") == "bar"]


def width(rect):
    return float(rect.get("width").rstrip("%"))


def test_each_month_has_a_bar_per_series_in_the_same_order_with_its_number_as_text():
    svg = drawn((12, 9, 3), (0, 0, 0), (40, 30, 5))
    months = [g.get("data-month") for g in svg.iter(f"{SVG}g") if g.get("data-month")]
    assert months == ["2026-01", "2026-02", "2026-03"]
    assert [(series, number) for series, _rect, number in bars(svg, "2026-03")] == [
        ("sign_ups", "40"), ("attended", "30"), ("walk_ins", "5")]
    assert [number for _s, _r, number in bars(svg, "2026-02")] == ["0", "0", "0"]
    month_names = [t.text for g in svg.iter(f"{SVG}g") if g.get("data-month") for t in g.findall(f"{SVG}text")]
    assert month_names == ["Month 1", "Month 2", "Month 3"]


def test_bars_are_as_long_as_their_numbers_say_and_the_longest_leaves_room_for_its_number():
    svg = drawn((10, 5, 0), (20, 0, 1))
    longest = width(bars(svg, "2026-02")[0][1])
    assert longest == charts.LONGEST_BAR * 100
    assert width(bars(svg, "2026-01")[0][1]) == longest / 2
    assert width(bars(svg, "2026-01")[2][1]) == 0
    # each number stands just after its bar's end
    [(_s, rect, _n), *_] = bars(svg, "2026-01")
    text = [b for b in svg.iter(f"{SVG}g") if b.get("data-series") == "sign_ups"][0].find(f"{SVG}text")
    assert text.get("x") == rect.get("width") and float(text.get("dx")) > 0


def test_nothing_but_zeros_draws_empty_bars_without_dividing_by_zero():
    svg = drawn((0, 0, 0))
    assert [width(rect) for _s, rect, _n in bars(svg, "2026-01")] == [0, 0, 0]


def test_series_are_told_apart_by_fill_not_colour_alone_and_every_bar_is_outlined():
    svg = drawn((3, 2, 1))
    fills = [rect.get("fill") for _s, rect, _n in bars(svg, "2026-01")]
    assert len(set(fills)) == 3
    patterns = {p.get("id") for p in svg.iter(f"{SVG}pattern")}
    assert {fill[len("url(#"):-1] for fill in fills if fill.startswith("url(")} == patterns and len(patterns) == 2
    assert all(rect.get("stroke") == charts.INK for _s, rect, _n in bars(svg, "2026-01"))


def test_the_chart_is_an_image_named_by_its_title_and_summary():
    svg = drawn((1, 1, 1), prefix="stats")
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "stats-title stats-desc"
    assert svg.find(f"{SVG}title").get("id") == "stats-title" and svg.find(f"{SVG}title").text == "Per month"
    assert svg.find(f"{SVG}desc").text == "The table has the numbers."


def test_no_style_attribute_and_no_script_for_the_pages_csp():
    markup = str(charts.monthly_bars(rows((1, 2, 3)), SERIES, "t", "d")) + "".join(
        str(swatch) for swatch, _ in charts.legend(SERIES))
    assert "style=" not in markup and "<style" not in markup and "<script" not in markup
    assert not re.search(r"\son\w+=", markup)


def test_text_is_escaped():
    svg = charts.monthly_bars([{"key": "k", "label": "<b>&", "sign_ups": 1}], [("sign_ups", "<i>")], "<t>", "<d>")
    assert "<b>" not in str(svg) and "<i>" not in str(svg) and "&lt;t&gt;" in str(svg)


def test_the_legend_shows_each_series_fill_in_the_charts_order():
    items = charts.legend(SERIES)
    assert [name for _swatch, name in items] == ["Sign-ups", "Attended", "Walk-ins"]
    swatches = [ET.fromstring(str(swatch)) for swatch, _name in items]
    assert all(s.get("aria-hidden") == "true" for s in swatches)
    assert swatches[0].find(f"{SVG}rect").get("fill") == charts.BLUE
    assert [len(list(s.iter(f"{SVG}pattern"))) for s in swatches] == [0, 1, 1]


# --- the months of the page -----------------------------------------------------------------------

def test_the_default_period_is_the_last_twelve_months_this_one_included():
    period = stats_view.default_period(datetime.date(2026, 3, 15))
    assert (period.api_from, period.api_to) == ("2025-04-01", "2026-03-31")
    assert len(period.months()) == 12


def test_months_are_read_as_the_month_field_sends_them_and_as_finns_write_them():
    assert stats_view.parse_month("2026-10") == datetime.date(2026, 10, 1)
    assert stats_view.parse_month(" 10/2026 ") == stats_view.parse_month("10.2026") == datetime.date(2026, 10, 1)
    assert stats_view.parse_month("2026-13") is None and stats_view.parse_month("lokakuu") is None


def test_a_bad_or_backwards_period_is_an_error_beside_its_field():
    today = datetime.date(2026, 3, 15)
    _period, errors, _typed = stats_view.read_period({"from": "kesä", "to": ""}, today, str)
    assert list(errors) == ["from"]
    _period, errors, _typed = stats_view.read_period({"from": "2026-05", "to": "2026-02"}, today, str)
    assert list(errors) == ["to"]
    period, errors, _typed = stats_view.read_period({"from": "2025-12", "to": "2026-02"}, today, str)
    assert not errors and period.api_to == "2026-02-28" and len(period.months()) == 3


def test_the_apis_groups_are_summed_into_one_row_per_month_and_empty_months_are_zeros():
    period = stats_view.Period(datetime.date(2026, 9, 1), datetime.date(2026, 11, 1))
    group = lambda month, n: {"month": month, "municipality": "M", "organizer": "O", "sign_ups": n,  # noqa: E731
                              "messages": {"sms": n, "email": 1}}
    answer = {"groups": [group("2026-09", 2), group("2026-09", 3), group("2026-11", 4), group("2027-01", 9)]}
    found = stats_view.monthly_rows(answer, period, "fi")
    assert [(r["key"], r["label"], r["sign_ups"], r["sms"], r["email"]) for r in found] == [
        ("2026-09", "syyskuu 2026", 5, 5, 2), ("2026-10", "lokakuu 2026", 0, 0, 0),
        ("2026-11", "marraskuu 2026", 4, 4, 1)]
