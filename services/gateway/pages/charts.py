"""Bar charts drawn on the server as inline SVG: no script, and readable without colour.

One group of horizontal bars per month, one bar per series, always in the same order (position)
and each with a fill of its own (solid, hatched, dotted: pattern), its number written as text at
its end. The series' names are in a text legend beside the chart (`legend`), and the chart is a
`role="img"` whose <title> and <desc> say what it shows; the page's table is its text alternative.

Each month's name stands on a line of its own above its bars. Lengths across the chart are
percentages of its width, so the text stays at its real size on a
360 px phone and on a laptop alike (a scaled viewBox would shrink it). Only SVG attributes are used,
never a style attribute: the pages' Content-Security-Policy (style-src 'self') would drop those."""
from markupsafe import Markup, escape

INK = "#1a1a1a"
BLUE = "#0b4f9c"
# (id, the <pattern> inside <defs>, or None for a solid fill): every fill keeps at least 3:1
# against white (WCAG 1.4.11), and the bars are outlined in ink as well
FILLS = (
    ("solid", None),
    ("hatched", '<pattern id="{id}" width="6" height="6" patternUnits="userSpaceOnUse" '
                'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
                f'<rect width="3" height="6" fill="{INK}"/></pattern>'),
    ("dotted", '<pattern id="{id}" width="6" height="6" patternUnits="userSpaceOnUse">'
               '<rect width="6" height="6" fill="#ffffff"/>'
               f'<circle cx="3" cy="3" r="1.6" fill="{INK}"/></pattern>'),
)
LABEL_HEIGHT = 26  # the month's name, on a line of its own above its bars (any length fits)
BAR_HEIGHT = 20
BAR_GAP = 4
GROUP_GAP = 14
FONT_SIZE = 16
# the longest bar, as a share of the width: the rest is room for its number
LONGEST_BAR = 0.8


def _fill(index, prefix):
    name, pattern = FILLS[index % len(FILLS)]
    return BLUE if pattern is None else f"url(#{prefix}-{name})"


def _defs(prefix, indexes):
    """<defs> with the patterns of the series at `indexes` (a solid fill needs none)."""
    patterns = [FILLS[i % len(FILLS)][1].format(id=f"{prefix}-{FILLS[i % len(FILLS)][0]}")
                for i in indexes if FILLS[i % len(FILLS)][1]]
    return f"<defs>{''.join(patterns)}</defs>" if patterns else ""


def _bar_width(value, largest):
    """The bar's length as a share of the chart's width."""
    return 0 if largest <= 0 else LONGEST_BAR * value / largest


def monthly_bars(rows, series, title, description, prefix="chart"):
    """An SVG element: for each row ({"label", "key", <series key>: number}) a group of bars,
    one per (key, name) in `series`. `title` and `description` are the chart's accessible name
    and summary; `prefix` keeps its ids unique on the page."""
    largest = max((row[key] for row in rows for key, _name in series), default=0)
    group_height = LABEL_HEIGHT + len(series) * (BAR_HEIGHT + BAR_GAP)
    height = max(1, len(rows) * (group_height + GROUP_GAP) - GROUP_GAP)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="100%" height="{height}" '
             f'aria-labelledby="{prefix}-title {prefix}-desc" font-size="{FONT_SIZE}" fill="{INK}">',
             f'<title id="{prefix}-title">{escape(title)}</title>',
             f'<desc id="{prefix}-desc">{escape(description)}</desc>',
             _defs(prefix, range(min(len(series), len(FILLS))))]
    for n, row in enumerate(rows):
        top = n * (group_height + GROUP_GAP)
        parts.append(f'<g class="month" data-month="{escape(row["key"])}" transform="translate(0,{top})">')
        parts.append(f'<text x="0" y="{LABEL_HEIGHT / 2}" dominant-baseline="central" font-weight="bold">'
                     f'{escape(row["label"])}</text>')
        for i, (key, name) in enumerate(series):
            y = LABEL_HEIGHT + i * (BAR_HEIGHT + BAR_GAP)
            share = _bar_width(row[key], largest)
            parts.append(f'<g class="bar" data-series="{escape(key)}">'
                         f'<rect x="0" y="{y}" width="{share:.2%}" height="{BAR_HEIGHT}" fill="{_fill(i, prefix)}" '
                         f'stroke="{INK}" stroke-width="1"><title>{escape(name)}: {row[key]}</title></rect>'
                         f'<text x="{share:.2%}" dx="6" y="{y + BAR_HEIGHT / 2}" dominant-baseline="central">'
                         f'{row[key]}</text></g>')
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def legend(series, prefix="legend"):
    """[(swatch SVG, name)] for a text legend: each series' fill, in the chart's order."""
    items = []
    for i, (_key, name) in enumerate(series):
        swatch = (f'<svg xmlns="http://www.w3.org/2000/svg" class="swatch" width="28" height="18" aria-hidden="true" '
                  f'focusable="false">{_defs(f"{prefix}{i}", [i])}'
                  f'<rect x="1" y="1" width="26" height="16" fill="{_fill(i, f"{prefix}{i}")}" stroke="{INK}"/></svg>')
        items.append((Markup(swatch), name))
    return items
