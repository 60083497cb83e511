"""The audit as one self-contained HTML page: totals, SVG charts, a sortable and filterable table.

The page makes no network request of any kind: its style and script are
inline, its charts are SVG drawn here, and a Content-Security-Policy forbids
every load (``default-src 'none'``). The script is allowed by its SHA-256
hash, not by ``'unsafe-inline'``, so even a value that escaped its escaping
could not run as script.

Every value read from a manifest is written through :func:`_e` (control
characters and bidi overrides shown as escapes, then HTML-escaped, quotes
included). No manifest value enters the script: the rows are rendered here
once, and the script only reorders and hides the ``<tr>`` elements that
exist, which keeps a 10,000-row audit usable (nothing is built in the
browser).

An unknown figure is a "—" whose ``title`` says why it is unknown (the
estimate's own detail when there is one), never a blank or a zero.
"""

from __future__ import annotations

import base64
import hashlib
import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from greengate.records.audit import (
    UNKNOWN,
    AuditError,
    AuditReport,
    AuditRow,
    HistoryPoint,
    Repository,
    RuleTally,
    Saving,
    Total,
)
from greengate.records.text import escape_controls

MAX_BARS = 12
"""Groups drawn per chart; the rest are summed in one line under it."""
CHARTED = (("owner", "owner"), ("region", "region"), ("accelerator", "accelerator"))
"""The dimensions drawn as emissions charts, with the word a chart's sentences use."""
TRAINING_WORKLOADS = ("training", "fine-tuning")
_TO, _TIMES, _MINUS = "\u2013", "\u00d7", "\u2212"
"""En dash of a range, multiplication and minus signs (escaped: they look like ASCII in code)."""

_KWH_LOW, _KWH_HIGH = "estimate.kWhPerYearLow", "estimate.kWhPerYearHigh"
_T_LOW, _T_HIGH = "estimate.tCO2ePerYearLow", "estimate.tCO2ePerYearHigh"
_TRAIN_KWH, _TRAIN_T = "estimate.trainingKWh", "estimate.trainingTCO2e"
_EXPLAIN = "`greengate explain FILE` lists the facts found"

_SCRIPT = """\
(function () {
  "use strict";
  var table = document.getElementById("deployments");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var texts = null;
  var query = document.getElementById("filter-text");
  var owner = document.getElementById("filter-owner");
  var provider = document.getElementById("filter-provider");
  var shown = document.getElementById("shown");
  var collator = new Intl.Collator(undefined, {numeric: true, sensitivity: "base"});

  function filter() {
    if (texts === null) {
      texts = rows.map(function (row) { return row.textContent.toLowerCase(); });
    }
    var q = query.value.trim().toLowerCase();
    var o = owner ? owner.value : "";
    var p = provider ? provider.value : "";
    var count = 0;
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      var show = (q === "" || texts[i].indexOf(q) !== -1) &&
        (o === "" || row.getAttribute("data-owner") === o) &&
        (p === "" || row.getAttribute("data-provider") === p);
      row.hidden = !show;
      if (show) { count++; }
    }
    shown.textContent = count === rows.length ?
      "all " + rows.length + " deployments shown" :
      count + " of " + rows.length + " deployments shown";
  }

  function keyOf(cell, numeric) {
    if (cell.classList.contains("u")) { return null; }
    if (numeric) { return parseFloat(cell.getAttribute("data-v")); }
    return cell.textContent;
  }

  function sortBy(header) {
    var column = header.cellIndex;
    var numeric = header.getAttribute("data-type") === "number";
    var descending = header.getAttribute("aria-sort") === "ascending";
    var keyed = rows.map(function (row, index) {
      return {row: row, index: index, key: keyOf(row.cells[column], numeric)};
    });
    keyed.sort(function (a, b) {
      if (a.key === null || b.key === null) {
        // Unknown figures go last, whichever the direction.
        if (a.key === b.key) { return a.index - b.index; }
        return a.key === null ? 1 : -1;
      }
      var order = numeric ? a.key - b.key : collator.compare(a.key, b.key);
      if (descending) { order = -order; }
      return order !== 0 ? order : a.index - b.index;
    });
    var heads = table.tHead.rows[0].cells;
    for (var i = 0; i < heads.length; i++) { heads[i].removeAttribute("aria-sort"); }
    header.setAttribute("aria-sort", descending ? "descending" : "ascending");
    var fragment = document.createDocumentFragment();
    rows = keyed.map(function (item) { fragment.appendChild(item.row); return item.row; });
    texts = null;
    body.appendChild(fragment);
  }

  Array.prototype.forEach.call(table.tHead.querySelectorAll("th button"), function (button) {
    button.addEventListener("click", function () { sortBy(button.parentNode); });
  });
  [query, owner, provider].forEach(function (control) {
    if (control) {
      control.addEventListener("input", filter);
      control.addEventListener("change", filter);
    }
  });
  document.getElementById("controls").hidden = false;
})();
"""

_SCRIPT_HASH = base64.b64encode(hashlib.sha256(_SCRIPT.encode("utf-8")).digest()).decode("ascii")
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; "
    f"script-src 'sha256-{_SCRIPT_HASH}'; img-src data:; base-uri 'none'; form-action 'none'"
)
"""The page's Content-Security-Policy: no load from anywhere, only this module's script."""

_STYLE = """\
:root { color-scheme: light dark; --ink: #1b1f23; --muted: #57606a; --line: #d0d7de;
  --bar: #2f7d4f; --bar2: #3b6ea8; --paper: #fff; --band: #f6f8fa; }
@media (prefers-color-scheme: dark) {
  :root { --ink: #e6edf3; --muted: #9da7b1; --line: #3d444d; --bar: #4fb477; --bar2: #6d9fd8;
    --paper: #0d1117; --band: #161b22; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1600px; padding: 1rem 1.5rem; color: var(--ink);
  background: var(--paper); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { margin: 0 0 .25rem; font-size: 1.6rem; }
h2 { margin: 1.8rem 0 .6rem; font-size: 1.2rem; border-bottom: 1px solid var(--line); }
h3 { margin: 1rem 0 .3rem; font-size: 1rem; }
.muted, caption { color: var(--muted); }
caption { text-align: left; padding: .2rem 0; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
dl.cards { display: flex; flex-wrap: wrap; gap: .6rem; margin: 0; }
dl.cards div { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .8rem;
  min-width: 11rem; background: var(--band); }
dl.cards dt { color: var(--muted); font-size: .85rem; }
dl.cards dd { margin: 0; font-size: 1.15rem; font-weight: 600; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem 2rem; }
figure { margin: 0; flex: 1 1 600px; max-width: 680px; }
figcaption { font-weight: 600; }
svg { width: 100%; height: auto; font: 12px system-ui, sans-serif; }
svg text { fill: var(--ink); }
svg .bar { fill: var(--bar); }
svg .rate { fill: var(--bar2); }
svg .track { fill: var(--band); stroke: var(--line); }
svg .axis { stroke: var(--muted); stroke-width: 1; }
svg .line { fill: none; stroke: var(--bar2); stroke-width: 2; }
svg .dot { fill: var(--bar2); }
.wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
#deployments { table-layout: fixed; min-width: 1200px; }
#deployments td { overflow-wrap: anywhere; }
#deployments th { overflow-wrap: anywhere; font-size: 12px; }
th, td { border-bottom: 1px solid var(--line); padding: .25rem .35rem; text-align: left;
  vertical-align: top; }
thead th { background: var(--band); vertical-align: bottom; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.n { white-space: nowrap; }
td.u { color: var(--muted); cursor: help; }
th button { font: inherit; font-weight: 600; color: inherit; background: none; border: 0;
  padding: 0; cursor: pointer; }
th button::after { content: " \\2195"; color: var(--muted); }
th[aria-sort="ascending"] button::after { content: " \\2191"; color: var(--ink); }
th[aria-sort="descending"] button::after { content: " \\2193"; color: var(--ink); }
#controls { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center;
  margin: .4rem 0 .6rem; }
#controls[hidden] { display: none; }
#controls input, #controls select { font: inherit; padding: .2rem .4rem; }
#controls input { min-width: 18rem; }
ul.notes { margin: .3rem 0; padding-left: 1.2rem; }
@media print {
  @page { size: landscape; margin: 1cm; }
  body { max-width: none; padding: 0; font-size: 9pt; color: #000; background: #fff; }
  #controls, .screen-only { display: none !important; }
  th button { pointer-events: none; }
  th button::after { content: none; }
  .wrap { overflow: visible; }
  table { font-size: 7pt; }
  thead { display: table-header-group; }
  tr, figure { break-inside: avoid; }
  tr[hidden] { display: table-row; }
}
"""


def render(report: AuditReport) -> str:
    title = ", ".join(r.name for r in report.repositories) or "no repository"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>greengate audit: {_e(title)}</title>",
        f"<style>\n{_STYLE}{_COLUMN_STYLE}\n</style>",
        "</head>",
        "<body>",
        *_header(report),
        "<main>",
        *_overall(report),
        *_emission_charts(report),
        *_rules(report.rules),
        *_savings(report.top_savings),
        *_history(report.history),
        *_inventory(report.rows),
        *_errors(report.errors),
        "</main>",
        f"<script>{_SCRIPT}</script>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(parts)


def _e(value: object) -> str:
    """A manifest value as HTML text or attribute: control characters shown, markup escaped."""
    return html.escape(escape_controls(value), quote=True)


def _path(value: str) -> str:
    """A file path as HTML text that may wrap after a slash (and nowhere else)."""
    return _e(value).replace("/", "/<wbr>")


# --- figures ---------------------------------------------------------------------------


def _num(value: float) -> str:
    """A figure at a readable precision: 26,981, 708.3, 4.07, 0.0153 (never 1e-05)."""
    if not math.isfinite(value):
        return "—"
    size = abs(value)
    if size >= 1000:
        return f"{value:,.0f}"
    if size >= 10:
        return f"{value:,.1f}".removesuffix(".0")
    if size == 0:
        return "0"
    digits = min(9, max(2, 2 - math.floor(math.log10(size))))
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _range(low: float | None, high: float | None) -> str:
    if low is None or high is None or _num(low) == _num(high):
        return _num(high if high is not None else low or 0.0)
    return f"{_num(low)}{_TO}{_num(high)}"


def _params(value: int) -> str:
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if value >= size:
            return f"{value / size:.3g}{suffix}"
    return str(value)


def _share(value: float) -> str:
    return f"{value * 100:.0f}%" if value >= 0.01 or value == 0 else "<1%"


# --- header and totals ----------------------------------------------------------------------


def _header(report: AuditReport) -> list[str]:
    out = ["<header>", "<h1>greengate audit</h1>"]
    facts = [f"greengate {_e(report.tool_version)}"]
    if report.shard:
        facts.append(f"shard {_e(report.shard)} of the repositories")
    out.append(f'<p class="muted">{" · ".join(facts)}</p>')
    if report.repositories:
        out += [
            "<table>",
            f"<caption>{_plural(len(report.repositories), 'repository', 'repositories')} audited</caption>",
            "<thead><tr><th>Repository</th><th>Path</th><th>Ref</th><th>Commit</th></tr></thead>",
            "<tbody>",
            *(_repository(r) for r in report.repositories),
            "</tbody>",
            "</table>",
        ]
    else:
        out.append("<p>No repository was audited.</p>")
    if report.notes:
        out += ['<ul class="notes">', *(f"<li>{_e(note)}</li>" for note in report.notes), "</ul>"]
    out.append("</header>")
    return out


def _repository(repository: Repository) -> str:
    ref = _e(repository.ref) if repository.ref else '<span class="muted">work tree</span>'
    if repository.commit:
        commit = f'<code title="{_e(repository.commit)}">{_e(repository.commit[:12])}</code>'
    else:
        commit = '<span class="muted">not a git commit</span>'
    return (
        f"<tr><td>{_e(repository.name)}</td><td>{_e(repository.path)}</td>"
        f"<td>{ref}</td><td>{commit}</td></tr>"
    )


def _overall(report: AuditReport) -> list[str]:
    total = report.overall
    estimated = total.deployments - total.unestimated
    cards = [
        ("Deployments", f"{total.deployments:,}"),
        ("Accelerators (at max replicas)", _num(total.accelerators)),
        (f"kWh / year (min{_TO}max replicas)", _range(total.kwh_year_low, total.kwh_year_high)),
        (
            f"tCO2e / year (min{_TO}max replicas)",
            _range(total.tco2e_year_low, total.tco2e_year_high),
        ),
        (
            "Training tCO2e (one run each)",
            f"{_num(total.training_tco2e)} ({_num(total.training_kwh)} kWh)",
        ),
        ("Not estimated", f"{total.unestimated:,}"),
        ("Errors", f"{len(report.errors):,}"),
    ]
    out = [
        '<section id="totals" aria-labelledby="totals-h">',
        '<h2 id="totals-h">Totals</h2>',
        '<dl class="cards">',
        *(f"<div><dt>{name}</dt><dd>{value}</dd></div>" for name, value in cards),
        "</dl>",
    ]
    if total.unestimated:
        out.append(
            f"<p>{_plural(total.unestimated, 'deployment has', 'deployments have')} no estimate "
            f"and {'is' if total.unestimated == 1 else 'are'} not in the figures above "
            f"({estimated:,} of {total.deployments:,} are); the table says what each one lacks.</p>"
        )
    out.append("</section>")
    return out


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


# --- charts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Bar:
    label: str
    value: float
    text: str
    """The value as printed beside the bar."""
    note: str = ""
    """A longer description for the bar's tooltip."""


_WIDTH, _LABEL_W, _BAR_X, _BAR_W, _ROW = 680, 230, 238, 240, 22


def _bar_chart(
    ident: str, title: str, summary: str, bars: Sequence[_Bar], scale: float, css: str = "bar"
) -> str:
    """Horizontal bars with their labels and values written out, so no colour is needed to read them."""
    height = _ROW * len(bars) + 8
    desc = summary + " " + "; ".join(f"{b.label}: {b.text}" for b in bars) + "."
    out = [
        f'<svg id="{ident}" role="img" viewBox="0 0 {_WIDTH} {height}" width="{_WIDTH}" '
        f'height="{height}" aria-label="{_e(title)}" aria-describedby="{ident}-d">',
        f"<title>{_e(title)}</title>",
        f'<desc id="{ident}-d">{_e(desc)}</desc>',
    ]
    for i, bar in enumerate(bars):
        y = 4 + i * _ROW
        width = 0.0 if scale <= 0 else max(0.0, min(1.0, bar.value / scale)) * _BAR_W
        label = bar.label if len(bar.label) <= 34 else bar.label[:33] + "…"
        tip = f"{bar.label}: {bar.text}" + (f" ({bar.note})" if bar.note else "")
        out += [
            f"<g><title>{_e(tip)}</title>",
            f'<text x="{_LABEL_W}" y="{y + 13}" text-anchor="end">{_e(label)}</text>',
            f'<rect class="track" x="{_BAR_X}" y="{y + 2}" width="{_BAR_W}" height="14"/>',
            f'<rect class="{css}" x="{_BAR_X}" y="{y + 2}" width="{width:.1f}" height="14"/>',
            f'<text x="{_BAR_X + _BAR_W + 6}" y="{y + 13}">{_e(bar.text)}</text>',
            "</g>",
        ]
    out.append("</svg>")
    return "\n".join(out)


def _figure(caption: str, body: str, after: str = "") -> str:
    return f"<figure>\n<figcaption>{caption}</figcaption>\n{body}\n{after}</figure>"


def _emission_charts(report: AuditReport) -> list[str]:
    out = [
        '<section id="emissions" aria-labelledby="emissions-h">',
        '<h2 id="emissions-h">Emissions</h2>',
        '<p class="muted">High estimate of tCO2e per year (every deployment at its maximum '
        "replicas); the share is of the audit's high total. Deployments without an estimate are "
        "counted beside their group, never as zero.</p>",
        '<div class="charts">',
    ]
    for dimension, word in CHARTED:
        groups = report.totals.get(dimension, ())
        caption = f"tCO2e per year by {word}"
        if not groups:
            out.append(_figure(caption, "<p>No deployment.</p>"))
            continue
        shown, rest = groups[:MAX_BARS], groups[MAX_BARS:]
        bars = [_group_bar(t) for t in shown]
        scale = max((t.tco2e_year_high for t in shown), default=0.0)
        summary = f"High tCO2e per year of each {word}, largest first."
        after = ""
        if rest:
            rest_t = sum(t.tco2e_year_high for t in rest)
            after = (
                f'<p class="muted">and {_plural(len(rest), word, word + "s")} more: '
                f"{_num(rest_t)} tCO2e/year together (the table has every deployment).</p>\n"
            )
        chart = _bar_chart(f"chart-{dimension}", caption, summary, bars, scale)
        out.append(_figure(caption, chart, after))
    out += ["</div>", "</section>"]
    return out


def _group_bar(total: Total) -> _Bar:
    text = f"{_num(total.tco2e_year_high)} t ({_share(total.share)})"
    if total.unestimated:
        text += f", {total.unestimated:,} not estimated"
    note = (
        f"{_plural(total.deployments, 'deployment', 'deployments')}, "
        f"{_range(total.tco2e_year_low, total.tco2e_year_high)} tCO2e/year, "
        f"{_range(total.kwh_year_low, total.kwh_year_high)} kWh/year"
    )
    return _Bar(total.key, total.tco2e_year_high, text, note)


def _rules(rules: Sequence[RuleTally]) -> list[str]:
    out = [
        '<section id="rules" aria-labelledby="rules-h">',
        '<h2 id="rules-h">Policy pass rates</h2>',
    ]
    if not rules:
        return [*out, "<p>No rule was evaluated.</p>", "</section>"]
    bars = []
    for rule in rules:
        rate = rule.pass_rate
        others = [
            _plural(n, word, word)
            for n, word in ((rule.skipped, "skipped"), (rule.errors, "error"))
            if n
        ]
        if rate is None:
            text = "not judged" + (f": {', '.join(others)}" if others else "")
        else:
            text = f"{rate * 100:.0f}% ({rule.passed:,} of {rule.passed + rule.failed:,})"
            text += f", {', '.join(others)}" if others else ""
        note = f"{rule.policy}, {rule.severity}: {rule.failed:,} failing"
        bars.append(_Bar(f"{rule.rule_id} {rule.title}", rate or 0.0, text, note))
    caption = "Deployments that pass each rule"
    summary = (
        "Share of the deployments judged by each rule that pass it "
        "(waived and baseline failures count as failing; skipped ones are not judged)."
    )
    out += [
        _figure(caption, _bar_chart("chart-rules", caption, summary, bars, 1.0, "rate")),
        "</section>",
    ]
    return out


def _savings(savings: Sequence[Saving]) -> list[str]:
    out = [
        '<section id="savings" aria-labelledby="savings-h">',
        '<h2 id="savings-h">Top savings</h2>',
    ]
    if not savings:
        return [*out, "<p>No alternatives computed.</p>", "</section>"]
    bars = [
        _Bar(
            s.name,
            s.alternative.saving_tco2e_year,
            f"{_MINUS}{_num(s.alternative.saving_tco2e_year)} t/year "
            f"({_MINUS}{s.alternative.saving_percent:.0f}%)",
            s.alternative.summary,
        )
        for s in savings
    ]
    caption = f"The {len(savings)} changes that save the most tCO2e per year"
    summary = "Saving in tCO2e per year of each deployment's best alternative, largest first."
    scale = max(s.alternative.saving_tco2e_year for s in savings)
    out.append(_figure(caption, _bar_chart("chart-savings", caption, summary, bars, scale)))
    out += [
        '<div class="wrap"><table id="savings-table">',
        "<thead><tr><th>#</th><th>Deployment</th><th>Where</th><th>Change</th>"
        '<th class="n">Saving t/year</th><th class="n">Saving</th>'
        '<th class="n">t/year after</th></tr></thead>',
        "<tbody>",
    ]
    for rank, s in enumerate(savings, 1):
        a = s.alternative
        out.append(
            f'<tr><td class="n">{rank}</td><td>{_e(s.name)}</td>'
            f'<td class="where">{_e(s.repository)} {_path(s.file)}:{s.line}</td>'
            f'<td title="{_e(a.detail)}">{_e(a.summary)}</td>'
            f'<td class="n">{_num(a.saving_tco2e_year)}</td>'
            f'<td class="n">{a.saving_percent:.0f}%</td>'
            f'<td class="n">{_num(a.tco2e_year)}</td></tr>'
        )
    out += ["</tbody>", "</table></div>", "</section>"]
    return out


def _history(points: Sequence[HistoryPoint]) -> list[str]:
    if not points:
        return []
    caption = "tCO2e per year over time (high estimate)"
    out = [
        '<section id="history" aria-labelledby="history-h">',
        '<h2 id="history-h">History</h2>',
        _figure(caption, _line_chart(caption, points)),
        '<div class="wrap"><table id="history-table">',
        '<thead><tr><th>Date</th><th class="n">Deployments</th><th class="n">tCO2e/year</th>'
        '<th class="n">Not estimated</th><th>Changed most since the point before</th></tr></thead>',
        "<tbody>",
    ]
    for point in points:
        t = point.total
        drivers = ", ".join(f"{name} ({change:+.3g} t)" for name, change in point.drivers[:5])
        out.append(
            f'<tr><td>{_e(point.date)}</td><td class="n">{t.deployments:,}</td>'
            f'<td class="n">{_range(t.tco2e_year_low, t.tco2e_year_high)}</td>'
            f'<td class="n">{t.unestimated:,}</td><td>{_e(drivers) or "—"}</td></tr>'
        )
    out += ["</tbody>", "</table></div>", "</section>"]
    return out


def _line_chart(title: str, points: Sequence[HistoryPoint]) -> str:
    width, height, left, right, top, bottom = _WIDTH, 240, 70, 20, 16, 40
    values = [p.total.tco2e_year_high for p in points]
    top_value = max(values) * 1.1 or 1.0
    span = max(1, len(points) - 1)

    def x(i: int) -> float:
        return left + (width - left - right) * (i / span if len(points) > 1 else 0.5)

    def y(v: float) -> float:
        return top + (height - top - bottom) * (1 - v / top_value)

    desc = "; ".join(f"{p.date}: {_num(v)} tCO2e/year" for p, v in zip(points, values, strict=True))
    coords = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
    every = max(1, math.ceil(len(points) / 8))
    out = [
        f'<svg id="chart-history" role="img" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" aria-label="{_e(title)}" aria-describedby="chart-history-d">',
        f"<title>{_e(title)}</title>",
        f'<desc id="chart-history-d">{_e(desc)}.</desc>',
        f'<line class="axis" x1="{left}" y1="{y(0):.1f}" x2="{width - right}" y2="{y(0):.1f}"/>',
        f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{y(0):.1f}"/>',
        f'<text x="{left - 6}" y="{y(0) + 4:.1f}" text-anchor="end">0</text>',
        f'<text x="{left - 6}" y="{y(max(values)) + 4:.1f}" text-anchor="end">'
        f"{_num(max(values))}</text>",
        f'<polyline class="line" points="{coords}"/>',
    ]
    for i, (point, value) in enumerate(zip(points, values, strict=True)):
        out.append(
            f"<g><title>{_e(point.date)}: {_num(value)} tCO2e/year</title>"
            f'<circle class="dot" cx="{x(i):.1f}" cy="{y(value):.1f}" r="4"/></g>'
        )
        if i % every == 0 or i == len(points) - 1:
            out.append(
                f'<text x="{x(i):.1f}" y="{height - bottom + 18}" text-anchor="middle">'
                f"{_e(point.date)}</text>"
            )
    out.append("</svg>")
    return "\n".join(out)


# --- the deployment table -------------------------------------------------------------------

_COLUMNS = (
    ("Repository", "text", "", 6),
    ("File:line", "text", "", 10),
    ("Name", "text", "", 8),
    ("Owner", "text", "", 6),
    ("Task", "text", "", 8),
    ("Model", "text", "", 8),
    ("Parameters", "number", "n", 6),
    ("Provider / region", "text", "", 7),
    ("Grid gCO2e/kWh", "number", "n", 6),
    (f"Accelerator {_TIMES} count", "text", "", 7),
    ("Replicas", "number", "n", 5),
    ("Failing rules", "number", "", 5),
    ("kWh / year", "number", "n", 7),
    ("tCO2e / year", "number", "n", 6),
    ("Training tCO2e", "number", "n", 5),
)
"""Header, sort type, class and width (in % of the table) of each column, in order.

The script sorts by the header's position.
"""
_COLUMN_STYLE = "\n".join(
    [
        *(
            f"#deployments col:nth-child({i}) {{ width: {width}%; }}"
            for i, (*_, width) in enumerate(_COLUMNS, 1)
        ),
        # On screen every row is a grid of the same columns, which the browser lays out on its
        # own and skips while it is off screen (content-visibility applies to no table row):
        # a 10,000-row table otherwise takes seconds to lay out after each sort. Print keeps
        # the table layout, with its header on every page.
        "@media screen {",
        "#deployments, #deployments caption, #deployments thead, #deployments tbody {",
        "  display: block; }",
        "#deployments tr { display: grid; border-bottom: 1px solid var(--line);",
        "  grid-template-columns: " + " ".join(f"{w}fr" for *_, w in _COLUMNS) + "; }",
        "#deployments tbody tr { content-visibility: auto; contain-intrinsic-size: auto 3em; }",
        "#deployments tr[hidden] { display: none; }",
        "#deployments th, #deployments td { border-bottom: 0; min-width: 0; }",
        "}",
    ]
)


def _inventory(rows: Sequence[AuditRow]) -> list[str]:
    out = [
        '<section id="inventory" aria-labelledby="inventory-h">',
        '<h2 id="inventory-h">Deployments</h2>',
    ]
    if not rows:
        return [*out, "<p>No deployment was found.</p>", "</section>"]
    owners = sorted({r.owner or UNKNOWN for r in rows})
    providers = sorted({r.provider or UNKNOWN for r in rows})
    out += [
        '<div id="controls" hidden>',
        '<label>Filter <input id="filter-text" type="search" '
        'placeholder="any text in a row" aria-controls="deployments"></label>',
        _select("filter-owner", "Owner", "every owner", owners),
        _select("filter-provider", "Provider", "every provider", providers),
        f'<output id="shown" aria-live="polite" for="filter-text">all {len(rows)} deployments '
        "shown</output>",
        "</div>",
        '<p class="muted">Ranges run from the minimum to the maximum replicas; a range column '
        "sorts by its high figure, and unknown figures (—, hover for why) sort last.</p>",
        '<div class="wrap"><table id="deployments">',
        f"<caption>{_plural(len(rows), 'deployment', 'deployments')}</caption>",
        f"<colgroup>{'<col>' * len(_COLUMNS)}</colgroup>",
        "<thead><tr>",
        *(_head(name, kind, css) for name, kind, css, _ in _COLUMNS),
        "</tr></thead>",
        "<tbody>",
        *(_row(r) for r in rows),
        "</tbody>",
        "</table></div>",
        "</section>",
    ]
    return out


def _head(name: str, kind: str, css: str) -> str:
    attr = f' class="{css}"' if css else ""
    return f'<th scope="col" data-type="{kind}"{attr}><button type="button">{name}</button></th>'


def _select(ident: str, label: str, every: str, values: Iterable[str]) -> str:
    options = "".join(f'<option value="{_e(v)}">{_e(v)}</option>' for v in values)
    return (
        f'<label>{label} <select id="{ident}" aria-controls="deployments">'
        f'<option value="">{every}</option>{options}</select></label>'
    )


def _text(value: str, why: str, title: str = "", css: str = "") -> str:
    if not value:
        return _unknown(why, css)
    attrs = (f' class="{css}"' if css else "") + (f' title="{_e(title)}"' if title else "")
    return f"<td{attrs}>{_e(value)}</td>"


def _number(value: float | None, shown: str, why: str, title: str = "", css: str = "n") -> str:
    if value is None or not math.isfinite(value):
        return _unknown(why, css)
    attrs = (f' class="{css}"' if css else "") + (f' title="{_e(title)}"' if title else "")
    return f'<td{attrs} data-v="{value!r}">{_e(shown)}</td>'


def _unknown(why: str, css: str = "") -> str:
    return f'<td class="u{" " + css if css else ""}" title="{_e(why)}">—</td>'


def _row(row: AuditRow) -> str:
    e = row.estimate
    place = " ".join(v for v in (row.provider, row.region) if v)
    hardware = row.accelerator
    if hardware and row.count is not None:
        hardware += f" {_TIMES} {_num(row.count)}"
    cells = [
        _text(row.repository, "no repository name"),
        f'<td class="where">{_path(row.where)}</td>',
        _text(row.name, "no name", title=f"{row.format} {row.kind}".strip(), css="name"),
        _text(
            row.owner,
            "no owner: declare owner (metadata.owner), an owner or team label, or a CODEOWNERS entry",
            title=f"from {row.owner_source}" if row.owner_source else "",
        ),
        _text(row.task, "task not declared: declare task"),
        _text(row.model, "no model name declared"),
        _number(
            None if row.parameters is None else float(row.parameters),
            _params(row.parameters) if row.parameters is not None else "",
            "model size not known: declare model.parameters (or a model name the catalog knows)",
            title=f"{row.parameters:,} parameters" if row.parameters is not None else "",
        ),
        _text(
            place,
            "provider and region not known: declare cloud.provider and cloud.region",
            title="" if row.region else "region not known: declare cloud.region",
        ),
        _number(
            row.grid_intensity,
            _num(row.grid_intensity or 0.0),
            "grid intensity not known: declare cloud.region (or cloud.gridIntensity)",
        ),
        _text(
            hardware,
            "accelerator not known: declare hardware.accelerator (or an instance type the catalog knows)",
            title="" if row.count is not None else "no accelerator count declared",
        ),
        _replicas(row),
        _number(
            float(len(row.failing)),
            " ".join(row.failing) or "none",
            "",
            css="",
        ),
        _number(
            e.kwh_year_high,
            _range(e.kwh_year_low, e.kwh_year_high),
            _why_yearly(row, energy=True),
            title=_hows(e.how, _KWH_LOW, _KWH_HIGH),
        ),
        _number(
            e.tco2e_year_high,
            _range(e.tco2e_year_low, e.tco2e_year_high),
            _why_yearly(row, energy=False),
            title=_hows(e.how, _T_LOW, _T_HIGH),
        ),
        _number(
            e.training_tco2e,
            _num(e.training_tco2e or 0.0),
            _why_training(row),
            title=_hows(e.how, _TRAIN_KWH, _TRAIN_T),
        ),
    ]
    return (
        f'<tr data-owner="{_e(row.owner or UNKNOWN)}" data-provider="{_e(row.provider or UNKNOWN)}">'
        + "".join(cells)
        + "</tr>"
    )


def _replicas(row: AuditRow) -> str:
    low, high = row.replicas_min, row.replicas_max
    if low is None and high is None:
        return _unknown("no replica count declared (replicas.min, replicas.max)", "n")
    top = high if high is not None else low
    assert top is not None
    shown = str(top) if low is None or high is None or low == high else f"{low}{_TO}{high}"
    return _number(float(top), shown, "")


def _hows(how: Mapping[str, str], *names: str) -> str:
    """The estimates' own details (inputs and formula), one line each."""
    return "\n".join(
        f"{name.removeprefix('estimate.')}: {how[name]}" for name in names if name in how
    )


def _why_yearly(row: AuditRow, *, energy: bool) -> str:
    """Why a yearly figure is unknown, in terms of the facts the estimate needs."""
    e = row.estimate
    if row.workload in TRAINING_WORKLOADS:
        return f"not estimated: a {row.workload} workload has no yearly serving figure (see Training tCO2e)"
    if e.kwh_year_high is None and not energy:
        return "not estimated: the yearly energy is not known (see kWh / year)"
    if energy:
        missing = [
            name
            for name, known in (
                ("hardware.accelerator", bool(row.accelerator)),
                ("hardware.count", row.count is not None),
            )
            if not known
        ]
        lacks = f"; lacks {', '.join(missing)}" if missing else f"; {_EXPLAIN}"
        return (
            "not estimated: needs hardware.accelerator, hardware.count and the accelerator's "
            f"power (catalog or hardware.powerWatts){lacks}"
        )
    return (
        "not estimated: the grid intensity is not known (declare cloud.region or "
        "cloud.gridIntensity); energy: " + _hows(e.how, _KWH_HIGH)
    )


def _why_training(row: AuditRow) -> str:
    e = row.estimate
    if row.workload not in TRAINING_WORKLOADS:
        return "not a training or fine-tuning workload"
    if e.training_kwh is None:
        return (
            "not estimated: training needs training.acceleratorHours and the accelerator's power "
            f"(catalog or hardware.powerWatts); {_EXPLAIN}"
        )
    return (
        "not estimated: the grid intensity is not known (declare cloud.region or "
        "cloud.gridIntensity); energy: " + _hows(e.how, _TRAIN_KWH)
    )


def _errors(errors: Sequence[AuditError]) -> list[str]:
    out = [
        '<section id="errors" aria-labelledby="errors-h">',
        '<h2 id="errors-h">Errors</h2>',
    ]
    if not errors:
        return [*out, "<p>Every manifest was read and every rule evaluated.</p>", "</section>"]
    out += [
        f"<p>{_plural(len(errors), 'manifest or rule', 'manifests or rules')} greengate could "
        "not read or evaluate; their deployments may be missing from the table.</p>",
        '<div class="wrap"><table id="error-table">',
        "<thead><tr><th>Repository</th><th>File:line</th><th>Rule</th><th>Message</th></tr></thead>",
        "<tbody>",
        *(
            f"<tr><td>{_e(err.repository)}</td>"
            f'<td class="where">{_path(err.file)}:{err.line}</td>'
            f"<td>{_e(err.rule_id)}</td><td>{_e(err.message)}</td></tr>"
            for err in errors
        ),
        "</tbody>",
        "</table></div>",
        "</section>",
    ]
    return out
