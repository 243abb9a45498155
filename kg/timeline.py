"""Pair timelines: a country's (or a pair's) visits, meetings, instruments, partnership steps and
coded events on one time axis.

:func:`timeline_rows` reads the build's store (``kg/queries/timeline-facts.rq``) and keeps what
involves the country, or both countries of a pair:

* **visits** by the visitor's level — ``leader`` (head of state or government, monarch),
  ``minister`` or ``other`` — read from the person's ``bkg:role`` through the titles gazetteer
  (``data/gazetteer/titles.tsv``); for a pair, a visit of one country's person to the other;
* **meetings** both take part in; **agreements** both are party to, one row per stage of the
  instrument's life (``bkg:AgreementEvent``: Signed, EnteredIntoForce …), or one row with the
  agreement's own date when no stage is reported;
* **partnership status events** (``bkg:PartnershipStatus``) and **coded diplomatic events**
  (``bkg:DiplomaticEvent``, counted per year and PLOVER type in the drawing) when the build has
  those classes.

:func:`render_svg` draws them as deterministic inline SVG — one lane per kind, year ticks, a mark
per fact (a dot for a day, a bar over the month or year a coarser date covers), labels staggered so
that none overlaps another, a ``<title>`` tooltip with date, documents and passage;
:func:`render_html` wraps it in an offline page with a legend and the table;
:func:`rows_to_csv` writes the tidy table. Dates keep the precision the documents give; undated
facts are in the table only.

>>> visitor_level("内閣総理大臣"), visitor_level("副首相兼外務大臣"), visitor_level("衆議院議員")
('leader', 'minister', 'other')
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = [
    "CSV_COLUMNS",
    "LANES",
    "TimelineRow",
    "render_html",
    "render_png",
    "render_svg",
    "rows_to_csv",
    "timeline_rows",
    "visitor_level",
]

COUNTRY_BASE = "https://w3id.org/bilateral-kg/id/country/"
#: The columns of the tidy table, in order.
CSV_COLUMNS = ("date", "kind", "label", "level", "countries", "document", "passage", "iri")
#: Lanes of the drawing, top to bottom: key → (title, colour).
LANES = {
    "visit:leader": ("visits — leaders", "#1f5fa8"),
    "visit:minister": ("visits — ministers", "#4a90d9"),
    "visit:other": ("visits — others", "#8fb8e6"),
    "meeting": ("meetings", "#2e8b57"),
    "agreement": ("agreements", "#b5651d"),
    "partnership": ("partnership", "#8e44ad"),
    "event": ("coded events / year", "#555555"),
}
_LEADER_KINDS = {"head_of_state", "head_of_government", "royal"}
_MINISTER_KINDS = {"minister"}
_RANK = {"leader": 0, "minister": 1, "other": 2}
#: Stage marks of agreements: stage → a letter drawn in the mark.
_STAGE_LETTERS = {
    "Signed": "S", "Approved": "A", "Ratified": "R", "InstrumentsExchanged": "X",
    "EnteredIntoForce": "F", "Amended": "M", "Terminated": "T", "Adopted": "D", "": "·",
}


@dataclass(frozen=True)
class TimelineRow:
    """One fact (or stage of a fact) on the time axis."""

    date: str | None
    kind: str  # visit, meeting, agreement, partnership, event
    label: str
    level: str  # visit: leader/minister/other; agreement: stage; partnership: status; event: PLOVER type
    countries: str  # ISO3, space-separated, sorted
    document: str  # the source files, "; "-separated
    passage: str  # the first passage's IRI
    iri: str  # the fact's IRI (the stage's for agreement stages and partnership statuses)

    @property
    def lane(self) -> str:
        return f"visit:{self.level}" if self.kind == "visit" else self.kind


@lru_cache(maxsize=1)
def _titles() -> dict[str, str]:
    from extract.gazetteer import load_gazetteer

    return {t.title_ja: t.kind for t in load_gazetteer().titles}


def _title_level(part: str) -> str | None:
    kinds = _titles()
    kind = kinds.get(part)
    if kind is None:  # the longest title the role ends with (日本外務大臣 → 外務大臣)
        ends = [t for t in kinds if part.endswith(t)]
        kind = kinds[max(ends, key=lambda t: (len(t), t))] if ends else None
    if kind is None:
        return None
    return "leader" if kind in _LEADER_KINDS else "minister" if kind in _MINISTER_KINDS else "other"


def visitor_level(role: str | None) -> str:
    """``leader``, ``minister`` or ``other`` for a title of office as written; a double title
    (``副首相兼外務大臣``) counts by its highest part."""
    if not role:
        return "other"
    levels = [lv for part in re.split(r"兼|及び|・", role.strip()) if part
              for lv in (_title_level(part),) if lv]
    return min(levels, key=_RANK.__getitem__) if levels else "other"


def _iso3(iri: str | None) -> str:
    return (iri or "").rpartition("/")[2]


def timeline_rows(store: Any, a: str, b: str | None = None) -> list[TimelineRow]:
    """The timeline of country ``a`` (ISO3), or of the pair ``a``–``b``: date order (undated last),
    then kind, label, level."""
    from kg.queries import run_saved

    result = run_saved(store, "timeline-facts", {"country": a})
    names = [v.value for v in result.variables]
    rows: list[TimelineRow] = []
    for sol in result:
        r = {n: (sol[n].value if sol[n] is not None else None) for n in names}
        countries = sorted(set((r["countries"] or "").split()))
        kind = r["kind"] or ""
        if kind == "visit":
            who, to = r["visitorCountry"] or "", r["destination"] or ""
            if b is not None and {who, to} != {a, b}:
                continue
            level = visitor_level(r["role"])
        else:
            if b is not None and b not in countries:
                continue
            level = r["stage"] or ""
        rows.append(TimelineRow(
            date=r["date"], kind=kind, label=r["label"] or "", level=level,
            countries=" ".join(countries),
            document="; ".join(sorted(set(filter(None, (r["documents"] or "").split("; "))))),
            passage=r["passage"] or "", iri=r["step"] or r["fact"] or "",
        ))
    kinds = list(dict.fromkeys(k.partition(":")[0] for k in LANES))
    rows.sort(key=lambda x: (x.date is None, x.date or "", kinds.index(x.kind) if x.kind in kinds
                             else len(kinds), x.label, x.level, x.iri))
    return rows


# --- the tidy table ---------------------------------------------------------------------------


def rows_to_csv(rows: Sequence[TimelineRow]) -> str:
    """The rows as CSV (header, CRLF rows as the csv module writes them), each cell spreadsheet-safe."""
    from kg.store import spreadsheet_safe

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow([spreadsheet_safe(str(getattr(r, c) or "")) for c in CSV_COLUMNS])
    return buf.getvalue()


# --- the drawing ------------------------------------------------------------------------------


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _span(date: str) -> tuple[float, float] | None:
    """A date as the fraction of years it covers: a day, a month or a whole year."""
    m = re.fullmatch(r"(-?\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", date.strip())
    if not m:
        return None
    year = int(m[1])
    if m[2] is None:
        return float(year), year + 1.0
    month = int(m[2])
    if m[3] is None:
        return year + (month - 1) / 12, year + month / 12
    day = int(m[3])
    start = year + (month - 1) / 12 + (day - 1) / 372
    return start, start + 1 / 372


def _text_width(text: str, size: float) -> float:
    """The width of ``text`` in a CJK font: full width for wide characters, about half for others."""
    import unicodedata

    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.55 for ch in text)


def _short(text: str, limit: int = 16) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_FONT = 11
_LINE = 15
_LEFT = 170
_RIGHT = 40
_TOP = 40


def _tooltip(r: TimelineRow) -> str:
    parts = [r.label or r.kind, f"{r.date or 'undated'} — {r.kind}" + (f" ({r.level})" if r.level else "")]
    if r.countries:
        parts.append(r.countries)
    if r.document:
        parts.append(f"document: {r.document}")
    if r.passage:
        parts.append(f"passage: {r.passage}")
    return "\n".join(parts)


def render_svg(rows: Sequence[TimelineRow], title: str = "") -> str:
    """The timeline as a standalone SVG document (deterministic; all text escaped)."""
    dated = [(r, s) for r in rows if r.date for s in (_span(r.date),) if s is not None]
    lanes = [k for k in LANES if any(r.lane == k for r, _ in dated)]
    if dated:
        first = int(min(s[0] for _, s in dated))
        last = int(max(s[1] - 1e-9 for _, s in dated)) + 1
    else:
        first, last = 2000, 2001
    years = max(1, last - first)
    per_year = max(48.0, min(160.0, 1100.0 / years))
    width = _LEFT + years * per_year + _RIGHT

    def x(t: float) -> float:
        return round(_LEFT + (t - first) * per_year, 2)

    body: list[str] = []
    y = _TOP + 10
    lane_boxes: list[tuple[str, float, float]] = []
    for lane in lanes:
        name, colour = LANES[lane]
        items = sorted(((r, s) for r, s in dated if r.lane == lane),
                       key=lambda rs: (rs[1][0], rs[0].label, rs[0].level, rs[0].iri))
        top = y
        marks: list[str] = []
        if lane == "event":
            per: dict[int, Counter] = defaultdict(Counter)
            for r, s in items:
                per[int(s[0])][r.level or "?"] += 1
            peak = max(sum(c.values()) for c in per.values())
            height = 40
            for year in sorted(per):
                count = sum(per[year].values())
                bar = max(2.0, round(height * count / peak, 2))
                tip = f"{year}: {count} coded event(s)\n" + "\n".join(
                    f"{t}: {n}" for t, n in sorted(per[year].items()))
                marks.append(
                    f'<g class="mark event"><title>{_e(tip)}</title>'
                    f'<rect x="{x(year + 0.2)}" y="{round(top + 8 + height - bar, 2)}" '
                    f'width="{round(per_year * 0.6, 2)}" height="{bar}" fill="{colour}"/>'
                    f'<text x="{x(year + 0.5)}" y="{round(top + 4 + height - bar, 2)}" '
                    f'font-size="{_FONT}" text-anchor="middle">{count}</text></g>')
            lane_h = height + 16
        else:
            rows_end: list[float] = []  # right edge of the last label in each stagger row
            placed: list[tuple[TimelineRow, tuple[float, float], int, float]] = []
            for r, s in items:
                cx = x((s[0] + s[1]) / 2)
                text = _short(r.label or r.kind)
                w = _text_width(text, _FONT)
                left = cx - 4 if cx - 4 + w <= width - 4 else cx + 4 - w  # near the right edge: to the left
                row = next((i for i, end in enumerate(rows_end) if end + 6 <= left), None)
                if row is None:
                    row = len(rows_end)
                    rows_end.append(float("-inf"))
                rows_end[row] = left + w + 4
                placed.append((r, s, row, cx, left))
            depth = max(1, len(rows_end))
            lane_h = 22 + depth * _LINE
            # coarse dates (a year, a month) first, so that the marks of precise ones stay on top
            placed.sort(key=lambda p: (-(p[1][1] - p[1][0]), p[1][0], p[2]))
            for r, s, row, cx, left in placed:
                base = top + 14
                ty = top + 30 + row * _LINE
                text = _short(r.label or r.kind)
                x0, x1 = x(s[0]), x(s[1])
                if x1 - x0 > 6:  # a month or a year: the span the date covers
                    shape = (f'<rect x="{x0}" y="{base - 4}" width="{round(x1 - x0, 2)}" height="8" '
                             f'fill="{colour}" fill-opacity="0.35" stroke="{colour}"/>')
                else:
                    shape = f'<circle cx="{cx}" cy="{base}" r="5" fill="{colour}"/>'
                letter = ""
                if r.kind == "agreement":
                    letter = (f'<text x="{cx}" y="{base + 3.5}" font-size="9" text-anchor="middle" '
                              f'fill="#000">{_e(_STAGE_LETTERS.get(r.level, "?"))}</text>')
                body_text = (f'<line x1="{cx}" y1="{base + 5}" x2="{cx}" y2="{ty - 10}" '
                             f'stroke="#999" stroke-width="0.6"/>'
                             f'<text x="{round(left, 2)}" y="{ty}" font-size="{_FONT}">{_e(text)}</text>')
                marks.append(f'<g class="mark {_e(r.kind)}"><title>{_e(_tooltip(r))}</title>'
                             f"{shape}{letter}{body_text}</g>")
        lane_boxes.append((lane, top, lane_h))
        body.append(f'<g class="lane" data-lane="{_e(lane)}">'
                    f'<text x="10" y="{top + 18}" font-size="12" font-weight="bold" fill="{colour}">'
                    f"{_e(name)}</text>" + "".join(marks) + "</g>")
        y = top + lane_h + 8
    height = y + 30
    grid: list[str] = []
    step = 1 if years <= 30 else 5 if years <= 150 else 10
    for year in range(first, last + 1):
        if (year - first) % step and year != last:
            continue
        gx = x(year)
        grid.append(f'<line x1="{gx}" y1="{_TOP}" x2="{gx}" y2="{y}" stroke="#e2e2e2"/>'
                    f'<text x="{gx}" y="{_TOP - 6}" font-size="10" text-anchor="middle" fill="#444">{year}</text>'
                    f'<text x="{gx}" y="{y + 14}" font-size="10" text-anchor="middle" fill="#444">{year}</text>')
    for i, (lane, top, lane_h) in enumerate(lane_boxes):
        if i % 2:
            grid.insert(0, f'<rect x="0" y="{top - 4}" width="{round(width, 2)}" height="{lane_h + 8}" fill="#f7f7f7"/>')
    undated = sum(1 for r in rows if not r.date or _span(r.date) is None)
    note = (f'<text x="10" y="{height - 8}" font-size="10" fill="#666">{len(dated)} dated fact(s) drawn; '
            f"{undated} undated fact(s) in the table only</text>")
    head = f'<text x="10" y="16" font-size="14" font-weight="bold">{_e(title)}</text>' if title else ""
    if not lanes:
        body.append(f'<text x="{_LEFT}" y="{_TOP + 20}" font-size="12">no dated fact</text>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" id="timeline" width="{round(width, 2)}" '
        f'height="{round(height, 2)}" viewBox="0 0 {round(width, 2)} {round(height, 2)}" '
        f'font-family="Noto Sans CJK JP, Noto Sans JP, sans-serif" role="img">'
        f"<title>{_e(title or 'timeline')}</title>"
        f'<rect width="100%" height="100%" fill="#ffffff"/>'
        + "".join(grid) + head + "".join(body) + note + "</svg>\n"
    )


_CSS = """
body{font-family:"Noto Sans CJK JP","Noto Sans JP",sans-serif;margin:1.5em;color:#222}
h1{font-size:1.3em}.legend span{display:inline-block;margin:0 1.2em .3em 0}
.legend i{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:middle}
.chart{overflow-x:auto;border:1px solid #ddd}
table{border-collapse:collapse;margin-top:1.5em;font-size:.9em}td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}.meta{color:#555}
"""


def render_html(rows: Sequence[TimelineRow], title: str) -> str:
    """An offline page: heading, legend, the SVG timeline, and the table of every row (undated ones
    too). Loads nothing: no script, a Content-Security-Policy forbidding any fetch."""
    present = [k for k in LANES if any(r.lane == k for r in rows)]
    legend = "".join(f'<span><i style="background:{LANES[k][1]}"></i>{_e(LANES[k][0])}</span>'
                     for k in present)
    stages = " ".join(f"{letter} {stage}" for stage, letter in _STAGE_LETTERS.items() if stage)
    table = ["<table><tr>" + "".join(f"<th>{c}</th>" for c in CSV_COLUMNS[:-1]) + "</tr>"]
    for r in rows:
        table.append("<tr>" + "".join(f"<td>{_e(getattr(r, c) or '')}</td>" for c in CSV_COLUMNS[:-1])
                     + "</tr>")
    table.append("</table>")
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="ja"><head><meta charset="utf-8">',
        ("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">"),
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="legend">{legend}</p>',
        (f'<p class="meta">Agreement stages: {_e(stages)}; · an instrument with no reported stage. '
        "A dot is a day; a bar is the month or year a less precise date covers. "
        "Hover a mark for its date, documents and passage.</p>"),
        f'<div class="chart">{render_svg(rows, title)}</div>',
        *table,
        "</body></html>",
    ]) + "\n"


def render_png(page_html: str, chromium: str | None = None) -> bytes:
    """The timeline of an HTML page from :func:`render_html` as PNG, drawn by headless Chromium
    through Playwright (``/usr/bin/chromium`` when present, else Playwright's own). Network
    requests are refused."""
    import os
    import tempfile

    from playwright.sync_api import sync_playwright

    exe = chromium or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    with tempfile.TemporaryDirectory() as tmp:
        page_path = Path(tmp) / "timeline.html"
        page_path.write_text(page_html, encoding="utf-8")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=exe, args=args, headless=True)
            try:
                context = browser.new_context(viewport={"width": 1400, "height": 900},
                                              device_scale_factor=2)
                context.route("**/*", lambda route: route.continue_()
                              if route.request.url.startswith(("file:", "data:")) else route.abort())
                page = context.new_page()
                page.goto(page_path.as_uri())
                chart = page.locator("svg#timeline")
                wide = page.evaluate("() => document.querySelector('svg#timeline').width.baseVal.value")
                page.set_viewport_size({"width": int(wide) + 80, "height": 900})  # nothing clipped
                return chart.screenshot(type="png")
            finally:
                browser.close()
