"""The HTML audit: escaped, self-contained, every row and chart there, and working in real Chromium.

The reports are real audits (``run_audit`` on ``examples/`` and on the
corpus) plus one hand-made hostile report whose every string is markup. The
browser tests open the file in headless Chromium through Selenium
(Debian's ``chromium`` and ``chromium-driver``): they skip where neither
exists, and fail instead when ``CI`` is set, so CI cannot pass without them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from greengate.app.audit import AuditOptions, Part, assemble, run_audit
from greengate.cli import main
from greengate.records.audit import (
    UNKNOWN,
    Alternative,
    AuditError,
    AuditReport,
    AuditRow,
    Estimate,
    HistoryPoint,
    Repository,
    RuleTally,
    Total,
)
from greengate.reporters.audit import AuditFormat
from greengate.reporters.audit.html_audit import CSP, render

REPO = Path(__file__).resolve().parents[3]
CORPUS = REPO / "tests" / "data" / "corpus"
COLUMNS = {
    "name": 2,
    "owner": 3,
    "kwh": 12,
    "tco2e": 13,
}
"""Positions of the table's columns that the tests read."""
LOADS = ("src", "href", "srcset", "action", "formaction", "poster", "background", "xlink:href")
"""Attributes that make a browser fetch something."""


# --- reports ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def examples_report() -> AuditReport:
    """Audited as a user runs it from the repository's root (the screenshot shows the path)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        return run_audit(AuditOptions(paths=[Path("examples")]))[0]


@pytest.fixture(scope="module")
def corpus_report() -> AuditReport:
    return run_audit(AuditOptions(paths=[CORPUS]))[0]


SCRIPT = "<script>alert(1)</script>"
PWN = '<img src=x onerror="window.pwned=1">'


@pytest.fixture(scope="module")
def hostile_report() -> AuditReport:
    """Every string a manifest can set is markup, a quote, a control character or a URL."""
    how = {
        "estimate.kWhPerYearHigh": f"{PWN} x 2",
        "estimate.tCO2ePerYearHigh": "</script><script>window.pwned=1</script>",
    }
    rows = (
        AuditRow(
            repository="r&d <repo>",
            file=f"deploy/{PWN}.yaml",
            line=3,
            format="native",
            kind="AIDeployment",
            name=SCRIPT,
            owner='team "quoted" <b>',
            owner_source="label team",
            workload="inference",
            task="\x1b[31mchat\x07",
            model='"><svg onload="window.pwned=1">',
            parameters=7_000_000_000,
            provider="aws",
            region="\u202egnp.exe",
            grid_intensity=35.8,
            accelerator="nvidia-l4",
            count=1.0,
            replicas_min=1,
            replicas_max=2,
            failing=("GG201",),
            estimate=Estimate(
                kwh_year_low=500.0,
                kwh_year_high=1000.0,
                tco2e_year_low=0.02,
                tco2e_year_high=0.04,
                how=how,
            ),
            alternatives=(
                Alternative(
                    "region",
                    "eu-north-1",
                    f"move to {PWN}",
                    0.01,
                    0.03,
                    75.0,
                    '<a href="https://evil.example/">detail</a>',
                ),
            ),
        ),
        AuditRow(
            repository="r&d <repo>",
            file="deploy/url(https:__evil.example_x.css).yaml",
            line=9,
            format="kubernetes",
            kind="Deployment",
            name="@import url(https://evil.example/x.css);",
            owner="",
        ),
    )
    part = Part(
        Repository("r&d <repo>", "/srv/<repo>", ref="<b>main</b>", commit='"deadbeef'),
        rows,
        (AuditError("r&d <repo>", f"deploy/{PWN}.yaml", 1, "GG001", f"cannot read {SCRIPT}"),),
        (RuleTally("GG201", "low-carbon-region", f"Region {SCRIPT}", "high", passed=1, failed=1),),
    )
    report = assemble([part], notes=(f"note {SCRIPT}", "<style>body{background:url(//x)}</style>"))
    point = HistoryPoint(
        date=f"2026-01-01{PWN}",
        total=Total(key="all", deployments=2, tco2e_year_high=0.04, unestimated=1),
        drivers=((f"r:{SCRIPT}", 0.04),),
    )
    return replace(report, history=(point, replace(point, date="2026-02-01")), shard="1/2")


# --- reading the page ---------------------------------------------------------------------------


class Page(HTMLParser):
    """The tags, attributes, texts and table cells of a rendered page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.svgs: dict[str, str] = {}
        self._stack: list[str] = []
        self._table: str | None = None
        self._in_body = False
        self._svg: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append((tag, values))
        if tag == "table":
            self._table = values.get("id") or ""
            self.tables[self._table] = []
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body and self._table is not None:
            self.tables[self._table].append([])
        elif tag == "td" and self._in_body and self._table is not None:
            self.tables[self._table][-1].append("")
        elif tag == "svg":
            self._svg = values.get("id") or ""
            self.svgs[self._svg] = ""
        if tag not in ("wbr", "meta", "rect", "circle", "line", "polyline", "input", "br"):
            self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._stack and self._stack[-1] == tag:
            self._stack.pop()
        if tag == "table":
            self._table = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "svg":
            self._svg = None

    def handle_data(self, data: str) -> None:
        current = self._stack[-1] if self._stack else ""
        if current == "script":
            self.scripts.append(data)
        elif current == "style":
            self.styles.append(data)
        if self._svg is not None:
            self.svgs[self._svg] += data
        if self._in_body and self._table is not None and current == "td":
            self.tables[self._table][-1][-1] += data


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


def deployments(page: Page) -> list[list[str]]:
    return page.tables["deployments"]


# --- pure Python -----------------------------------------------------------------------------------


def test_the_format_is_registered() -> None:
    assert AuditFormat("html").render(AuditReport()) == render(AuditReport())
    assert "no network request" in AuditFormat.HTML.description


def test_every_manifest_value_is_escaped(hostile_report: AuditReport) -> None:
    text = render(hostile_report)
    page = parse(text)
    tags = [tag for tag, _ in page.tags]
    assert tags.count("script") == 1
    assert tags.count("style") == 1
    assert {"img", "a", "b", "iframe"} & set(tags) == set()
    assert [t for t, attrs in page.tags if any(k.startswith("on") for k in attrs)] == []
    assert tags.count("svg") == len(page.svgs)
    row = deployments(page)[0]
    assert row[COLUMNS["name"]] == SCRIPT
    assert row[COLUMNS["owner"]] == 'team "quoted" <b>'
    assert row[1] == f"deploy/{PWN}.yaml:3"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert 'title="from label team"' in text
    assert "team &quot;quoted&quot; &lt;b&gt;" in text
    # Control characters and bidi overrides are shown as escapes, never sent to the page.
    assert "\\x1b[31mchat\\x07" in row
    assert "\\u202egnp.exe" in row[7]
    assert re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202e]", text) is None
    # The estimate's detail went into a title attribute, escaped there too.
    assert "&lt;/script&gt;&lt;script&gt;window.pwned=1&lt;/script&gt;" in text
    assert page.tables["error-table"] == [
        ["r&d <repo>", f"deploy/{PWN}.yaml:1", "GG001", f"cannot read {SCRIPT}"]
    ]


def test_nothing_is_loaded_from_anywhere(
    examples_report: AuditReport, corpus_report: AuditReport, hostile_report: AuditReport
) -> None:
    for report in (examples_report, corpus_report, hostile_report, AuditReport()):
        text = render(report)
        page = parse(text)
        assert [(t, a) for t, a in page.tags if set(a) & set(LOADS)] == []
        assert [t for t, _ in page.tags if t in ("link", "img", "iframe", "object", "embed")] == []
        for style in page.styles:
            assert "url(" not in style
            assert "@import" not in style
    for report in (examples_report, AuditReport()):
        assert re.search(r"https?:|//[\w.-]", render(report).replace("</", "")) is None


def test_the_csp_forbids_every_load_and_allows_only_its_own_script(
    examples_report: AuditReport,
) -> None:
    page = parse(render(examples_report))
    policy = next(
        a["content"]
        for t, a in page.tags
        if t == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy"
    )
    assert policy == CSP
    directives = dict(d.strip().split(" ", 1) for d in (policy or "").split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["img-src"] == "data:"
    assert "'unsafe-inline'" not in directives["script-src"]
    (script,) = page.scripts
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert directives["script-src"] == f"'sha256-{digest}'"


@pytest.mark.parametrize("which", ["examples", "corpus"])
def test_every_row_is_in_the_table(which: str, request: pytest.FixtureRequest) -> None:
    report: AuditReport = request.getfixturevalue(f"{which}_report")
    assert report.rows
    page = parse(render(report))
    rows = deployments(page)
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (row.repository, row.where, row.name) for row in report.rows
    ]
    assert all(len(r) == 15 for r in rows)
    assert [(e[1], e[2]) for e in page.tables.get("error-table", [])] == [
        (f"{e.file}:{e.line}", e.rule_id) for e in report.errors
    ]


def test_unknown_figures_say_why(examples_report: AuditReport) -> None:
    text = render(examples_report)
    unknown = next(r for r in examples_report.rows if not r.accelerator)
    rows = [line for line in text.splitlines() if line.startswith("<tr data-owner=")]  # the table's
    html_row = next(line for line in rows if f">{unknown.name}</td>" in line)
    cells = re.findall(r"<td([^>]*)>(.*?)</td>", html_row)
    kwh_attrs, kwh_text = cells[COLUMNS["kwh"]]
    assert kwh_text == "\u2014"
    assert 'class="u n"' in kwh_attrs
    assert "lacks hardware.accelerator, hardware.count" in kwh_attrs
    tco2e_attrs, tco2e_text = cells[COLUMNS["tco2e"]]
    assert (tco2e_text, "kWh / year" in tco2e_attrs) == ("\u2014", True)
    # A known figure carries its value for sorting and its detail for checking by hand.
    known = next(r for r in examples_report.rows if r.estimate.tco2e_year_high is not None)
    known_row = next(line for line in rows if f">{known.name}</td>" in line)
    attrs, _ = re.findall(r"<td([^>]*)>(.*?)</td>", known_row)[COLUMNS["tco2e"]]
    assert f'data-v="{known.estimate.tco2e_year_high!r}"' in attrs
    assert "gCO2e/kWh / 1e6" in attrs


def test_charts_have_titles_descriptions_labels_and_values(examples_report: AuditReport) -> None:
    text = render(examples_report)
    page = parse(text)
    charts = {"chart-owner", "chart-region", "chart-accelerator", "chart-rules"}
    assert set(page.svgs) == charts | ({"chart-savings"} if examples_report.top_savings else set())
    for ident in page.svgs:
        attrs = next(a for t, a in page.tags if t == "svg" and a.get("id") == ident)
        assert attrs["role"] == "img"
        assert attrs["aria-label"]
        assert f'<desc id="{ident}-d">' in text
    for group in examples_report.totals["owner"]:
        assert group.key in page.svgs["chart-owner"]
    for rule in examples_report.rules:
        assert rule.rule_id in page.svgs["chart-rules"]
    assert examples_report.top_savings  # the examples have greener choices
    for saving in examples_report.top_savings:
        assert saving.name in page.svgs["chart-savings"]
    assert "No alternatives computed." not in text
    assert "No alternatives computed." in render(replace(examples_report, top_savings=()))
    assert "chart-history" not in text


def test_savings_and_history_are_drawn_when_there_are_some(hostile_report: AuditReport) -> None:
    page = parse(render(hostile_report))
    assert {"chart-savings", "chart-history"} <= set(page.svgs)
    assert page.tables["savings-table"][0][3] == f"move to {PWN}"
    assert [r[0] for r in page.tables["history-table"]] == [p.date for p in hostile_report.history]


def test_an_empty_report_renders() -> None:
    text = render(AuditReport())
    page = parse(text)
    assert "No deployment was found." in text
    assert "deployments" not in page.tables
    assert "Every manifest was read" in text
    assert text.endswith("</html>\n")


def test_the_cli_writes_it(
    examples_report: AuditReport, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    target = tmp_path / "audit.html"
    result = CliRunner().invoke(main, ["audit", "examples", "--format", "html", "-o", str(target)])
    assert (result.exit_code, result.stderr) == (0, "")
    rows = deployments(parse(target.read_text("utf-8")))
    assert [r[1] for r in rows] == [r.where for r in examples_report.rows]


# --- real Chromium --------------------------------------------------------------------------------


def _chromium() -> tuple[str, str] | None:
    names = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
    binary = next((found for name in names if (found := shutil.which(name))), None)
    driver = shutil.which("chromedriver")
    return (binary, driver) if binary and driver else None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    found = _chromium()
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:  # pragma: no cover - selenium is in the test extra
        found = None
    if found is None:
        why = "no Chromium with chromedriver (Debian: apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(f"{why}; CI must run the browser tests")
        pytest.skip(why)
    options = webdriver.ChromeOptions()
    options.binary_location = found[0]
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.add_argument("--window-size=1600,1200")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    # The driver's path is given, so Selenium Manager (which downloads drivers) never runs.
    driver = webdriver.Chrome(service=Service(found[1]), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def open_page(driver: Any, path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Load ``path``; return its console messages and the URL of every request it made."""
    driver.get_log("browser")
    driver.get_log("performance")
    driver.get(path.as_uri())
    driver.execute_script("return document.readyState")
    console = driver.get_log("browser")
    requests = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] in ("Network.requestWillBeSent", "Network.webSocketCreated"):
            requests.append(message["params"].get("request", message["params"])["url"])
    return console, requests


def problems(console: list[dict[str, Any]]) -> list[str]:
    return [e["message"] for e in console if e["level"] in ("SEVERE", "WARNING")]


def column(driver: Any, index: int) -> list[str | None]:
    """The sort value of a column, row by row as shown (None: unknown)."""
    return list(
        driver.execute_script(
            "var i = arguments[0];"
            "return Array.from(document.querySelectorAll('#deployments tbody tr')).map("
            "function (r) { var c = r.cells[i];"
            " return c.classList.contains('u') ? null : (c.getAttribute('data-v') || c.textContent); });",
            index,
        )
    )


def click_header(driver: Any, name: str) -> str:
    from selenium.webdriver.common.by import By

    header = driver.find_element(
        By.XPATH, f"//table[@id='deployments']//th[button[normalize-space()='{name}']]"
    )
    header.find_element(By.TAG_NAME, "button").click()
    return str(header.get_attribute("aria-sort"))


def visible_rows(driver: Any) -> int:
    return int(
        driver.execute_script(
            "return document.querySelectorAll('#deployments tbody tr:not([hidden])').length"
        )
    )


def write_page(report: AuditReport, folder: Path, name: str) -> Path:
    path = folder / name
    path.write_text(render(report), encoding="utf-8")
    return path


def check_sorting(driver: Any, report: AuditReport) -> None:
    """A numeric column sorts both ways with unknown figures last; aria-sort follows."""
    index = COLUMNS["tco2e"]
    assert click_header(driver, "tCO2e / year") == "ascending"
    values = column(driver, index)
    known = [float(v) for v in values if v is not None]
    expected = sorted(
        r.estimate.tco2e_year_high for r in report.rows if r.estimate.tco2e_year_high is not None
    )
    assert known == expected
    assert values == [*values[: len(known)], *[None] * (len(values) - len(known))]
    assert click_header(driver, "tCO2e / year") == "descending"
    values = column(driver, index)
    assert [float(v) for v in values if v is not None] == expected[::-1]
    assert values[len(known) :] == [None] * (len(values) - len(known))


def test_the_examples_audit_in_chromium(
    browser: Any, examples_report: AuditReport, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    path = write_page(examples_report, tmp_path, "examples.html")
    console, requests = open_page(browser, path)
    assert problems(console) == []
    assert requests == [path.as_uri()]
    charts = 4 + (1 if examples_report.top_savings else 0)  # the savings chart when there are some
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg[role=img]")) == charts
    assert browser.find_element(By.ID, "controls").is_displayed()  # the script ran under the CSP
    assert visible_rows(browser) == len(examples_report.rows)

    names = [r.name for r in examples_report.rows]
    assert click_header(browser, "Name") == "ascending"
    assert column(browser, COLUMNS["name"]) == sorted(names, key=str.casefold)
    assert click_header(browser, "Name") == "descending"
    assert column(browser, COLUMNS["name"]) == sorted(names, key=str.casefold, reverse=True)
    check_sorting(browser, examples_report)

    owner = max(examples_report.totals["owner"], key=lambda t: t.deployments).key
    expected = sum(1 for r in examples_report.rows if r.owner == owner)
    browser.find_element(By.ID, "filter-text").send_keys(owner)
    assert visible_rows(browser) == expected
    shown = browser.find_element(By.ID, "shown").text
    assert shown == f"{expected} of {len(examples_report.rows)} deployments shown"
    browser.find_element(By.ID, "filter-text").clear()
    browser.execute_script(
        "document.getElementById('filter-text').dispatchEvent(new Event('input'))"
    )
    assert visible_rows(browser) == len(examples_report.rows)
    Select(browser.find_element(By.ID, "filter-provider")).select_by_value("gcp")
    assert visible_rows(browser) == sum(1 for r in examples_report.rows if r.provider == "gcp")

    # Printed: no controls, and the whole table (filtered-out rows too, nothing scrolled away).
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert not browser.find_element(By.ID, "controls").is_displayed()
        printed = browser.execute_script(
            "return [Array.from(document.querySelectorAll('#deployments tbody tr')).filter("
            "function (r) { return getComputedStyle(r).display !== 'none'; }).length,"
            " getComputedStyle(document.querySelector('#inventory .wrap')).overflowX]"
        )
        assert printed == [len(examples_report.rows), "visible"]
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert problems(browser.get_log("browser")) == []


def test_screenshot_of_the_examples_audit(
    browser: Any, examples_report: AuditReport, tmp_path: Path
) -> None:
    """The README's picture: `GREENGATE_SCREENSHOT=docs/images/audit-report.png pytest ... -k screenshot`."""
    path = write_page(examples_report, tmp_path, "examples.html")
    open_page(browser, path)
    # Rows off screen are laid out only when scrolled to: lay them all out for the whole-page picture.
    height = browser.execute_script(
        "document.querySelectorAll('#deployments tbody tr').forEach("
        "function (r) { r.style.contentVisibility = 'visible'; });"
        "return document.documentElement.scrollHeight"
    )
    browser.set_window_size(1600, int(height) + 120)
    try:
        shot = tmp_path / "audit-report.png"
        assert browser.save_screenshot(str(shot))
    finally:
        browser.set_window_size(1600, 1200)
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 50_000  # a page with text and charts, not a blank one
    target = os.environ.get("GREENGATE_SCREENSHOT")
    if target:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        Path(target).write_bytes(data)


def test_a_hostile_audit_in_chromium(
    browser: Any, hostile_report: AuditReport, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    path = write_page(hostile_report, tmp_path, "hostile.html")
    console, requests = open_page(browser, path)
    assert problems(console) == []
    assert requests == [path.as_uri()]
    assert browser.execute_script("return window.pwned === undefined")
    assert browser.find_elements(By.CSS_SELECTOR, "img, iframe, a, #deployments b") == []
    cell = browser.find_element(By.CSS_SELECTOR, "#deployments tbody tr td:nth-child(3)")
    assert cell.text == SCRIPT
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg[role=img]")) == 6


def test_the_corpus_audit_in_chromium(
    browser: Any, corpus_report: AuditReport, tmp_path: Path
) -> None:
    path = write_page(corpus_report, tmp_path, "corpus.html")
    console, requests = open_page(browser, path)
    assert problems(console) == []
    assert requests == [path.as_uri()]
    assert visible_rows(browser) == len(corpus_report.rows)
    check_sorting(browser, corpus_report)


def test_ten_thousand_rows_stay_usable(
    browser: Any, corpus_report: AuditReport, tmp_path: Path
) -> None:
    """10,000 rows (the corpus's, repeated under new names): rendered once, sorted and filtered in place."""
    rows = [
        replace(row, name=f"{row.name}-{i}", line=row.line + i)
        for i in range(10_000 // len(corpus_report.rows) + 1)
        for row in corpus_report.rows
    ][:10_000]
    report = assemble(
        [
            Part(repository, tuple(r for r in rows if r.repository == repository.name), (), ())
            for repository in corpus_report.repositories
        ]
    )
    path = write_page(report, tmp_path, "large.html")
    assert path.stat().st_size < 2_500 * len(rows)
    console, requests = open_page(browser, path)
    assert problems(console) == []
    assert requests == [path.as_uri()]
    assert visible_rows(browser) == 10_000
    check_sorting(browser, report)
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    query = rows[-1].name
    # One input event, as a paste gives: typing would filter 10,000 rows once per key.
    browser.execute_script(
        "var e = document.getElementById('filter-text'); e.value = arguments[0];"
        "e.dispatchEvent(new Event('input'));",
        query,
    )
    wrong = browser.execute_script(
        "var q = arguments[0].toLowerCase();"
        "return Array.from(document.querySelectorAll('#deployments tbody tr')).filter("
        "function (r) { return r.hidden === r.textContent.toLowerCase().includes(q); }).length",
        query,
    )
    assert (wrong, visible_rows(browser) >= 1) == (0, True)
    browser.execute_script("document.getElementById('filter-text').value = ''")
    provider = max(report.totals["provider"], key=lambda t: t.deployments).key
    Select(browser.find_element(By.ID, "filter-provider")).select_by_value(provider)
    assert visible_rows(browser) == sum(1 for r in rows if (r.provider or UNKNOWN) == provider)
