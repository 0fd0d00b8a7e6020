"""The HTML report: one self-contained file, every workload on it, data escaped, filters work."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import importlib.util
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup, escape

from auditor import config, demo, report_file, rules, scan, snapshot
from auditor.model import Status, Tier
from auditor.render import html, html_data, json_report
from auditor.report import Report

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Dialog

AS_OF = dt.date(2026, 11, 26)
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(1)</script>"
ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class _Tags(HTMLParser):
    """Every start tag of a page, with its attributes, in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser.tags


def _demo_report() -> Report:
    return scan.run(
        snapshot.load(demo.snapshot_path()),
        config.load(demo.config_path()),
        rules.load(),
        as_of=AS_OF,
    )


def _hostile_report() -> Report:
    """The demo estate, unconfigured, with markup in a workspace name, a tag and a scan error."""
    data: dict[str, Any] = json.loads(demo.snapshot_path().read_text())
    workspaces = [
        row
        for row in data["resources"]
        if row["type"].lower() == "microsoft.machinelearningservices/workspaces"
        and row["name"] == "mlw-sandbox-uksouth"
    ]
    assert workspaces, "the demo has no mlw-sandbox-uksouth workspace any more"
    workspaces[0]["name"] = f"mlw-sandbox-{IMG}"
    workspaces[0].setdefault("tags", {})["dr-workload"] = f"sandbox{SCRIPT}"
    storage_id = workspaces[0]["properties"]["storageAccount"].lower()
    storage = [row for row in data["resources"] if row["id"].lower() == storage_id]
    assert storage, "the demo's sandbox workspace has no storage account row any more"
    storage[0]["name"] = IMG  # a resource of the topology diagram
    data["errors"].append(
        {
            "source": "arm",
            "request": f"GET /subscriptions/{SCRIPT}/providers",
            "status": 403,
            "code": "AuthorizationFailed",
            "message": f"denied {IMG}",
        }
    )
    return scan.run(snapshot.validate(data, "test"), config.Config(), rules.load(), as_of=AS_OF)


@pytest.fixture(scope="module")
def demo_report() -> Report:
    return _demo_report()


@pytest.fixture(scope="module")
def demo_page(demo_report: Report) -> str:
    return html.render(demo_report).decode("utf-8")


@pytest.fixture(scope="module")
def hostile_report() -> Report:
    return _hostile_report()


@pytest.fixture(scope="module")
def hostile_page(hostile_report: Report) -> str:
    return html.render(hostile_report).decode("utf-8")


def test_templates_are_found() -> None:
    assert (html.templates_dir() / html.TEMPLATE).is_file()


def test_page_is_one_self_contained_file(demo_page: str) -> None:
    assert demo_page.startswith("<!DOCTYPE html>")
    assert 'src="http' not in demo_page
    assert "src='http" not in demo_page
    assert '<link rel="stylesheet"' not in demo_page
    assert "@import" not in demo_page
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", demo_page)
    for tag, attrs in _tags(demo_page):
        assert "src" not in attrs, f"<{tag}> loads {attrs['src']}"
        if tag == "link":
            assert attrs.get("rel") == "icon" and attrs.get("href") == "data:,", attrs
        href = attrs.get("href") or ""
        if tag != "a":
            assert not href.startswith(("http:", "https:", "//")), f"<{tag} href={href}>"


def test_script_is_pinned_by_the_content_security_policy(demo_page: str) -> None:
    scripts = re.findall(r"<script>(.*?)</script>", demo_page, re.DOTALL)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', demo_page)
    assert csp is not None
    assert f"script-src 'sha256-{digest}'" in csp.group(1)
    assert "default-src 'none'" in csp.group(1)


def test_header_shows_the_scan(demo_report: Report, demo_page: str) -> None:
    info = demo_report.scan
    for text in (info.source, info.cloud, info.collected_at, demo_report.generated_at):
        assert str(escape(text)) in demo_page
    for sub in info.scope["subscriptions"]:
        assert sub in demo_page
    assert "Complete" in demo_page
    assert "data-incomplete" not in demo_page


def test_every_workload_is_on_the_ladder(demo_report: Report, demo_page: str) -> None:
    assert demo_page.count("<tr data-ladder-row") == len(demo_report.workloads) > 0
    for result in demo_report.workloads:
        assert f">{escape(result.name)}</a>" in demo_page
        assert f'data-workload-card="{escape(result.name)}"' in demo_page


def test_every_finding_is_listed_blocking_first(demo_report: Report, demo_page: str) -> None:
    cards = [attrs for tag, attrs in _tags(demo_page) if "data-finding" in attrs]
    assert sorted(str(c["id"]) for c in cards) == sorted(f.id for f in demo_report.findings)
    blocking = [bool(c["data-blocks"]) for c in cards]
    assert any(blocking)
    assert blocking == sorted(blocking, reverse=True), "a non-blocking finding precedes a blocker"
    statuses = {c["data-status"] for c in cards}
    assert statuses <= {s.value for s in Status}


def test_evidence_is_json_text(demo_page: str) -> None:
    assert html.tojson_text({"b": [1, None], "a": "x"}) == '{"a": "x", "b": [1, null]}'
    assert not isinstance(html.tojson_text("<b>"), Markup)
    # an observed string is shown with its JSON quotes, escaped
    assert "&#34;uksouth&#34;" in demo_page


def test_markup_in_the_data_is_escaped(hostile_report: Report, hostile_page: str) -> None:
    names = [w.name for w in hostile_report.workloads]
    assert f"sandbox{SCRIPT}" in names, names
    assert IMG not in hostile_page
    assert SCRIPT not in hostile_page
    assert "&lt;img src=x onerror=alert(1)&gt;" in hostile_page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile_page
    tags = _tags(hostile_page)
    assert [t for t, _ in tags].count("script") == 1
    assert "img" not in [t for t, _ in tags]
    assert not any(name.startswith("on") for _, attrs in tags for name in attrs)


def test_incomplete_scan_shows_a_banner_with_the_errors(hostile_page: str) -> None:
    banner = re.search(r"<section[^>]*data-incomplete.*?</section>", hostile_page, re.DOTALL)
    assert banner is not None
    assert 'role="alert"' in banner.group(0)
    assert "AuthorizationFailed" in banner.group(0)
    assert "denied &lt;img src=x onerror=alert(1)&gt;" in banner.group(0)
    assert "Incomplete" in hostile_page


def _cards(page: str) -> dict[str, str]:
    """Each workload card's markup, by workload name (as escaped in the page)."""
    parts = re.split(r'(?=<article class="card workload)', page)
    cards = {}
    for part in parts[1:]:
        name = re.search(r'data-workload-card="([^"]*)"', part)
        assert name is not None
        cards[name.group(1)] = part[: part.index("</article>")]
    return cards


def test_every_workload_has_a_diagram_of_its_topology(demo_report: Report, demo_page: str) -> None:
    cards = _cards(demo_page)
    assert len(cards) == len(demo_report.workloads)
    for result in demo_report.workloads:
        card = cards[str(escape(result.name))]
        assert card.count('<svg class="topo"') == 1, result.name
        assert result.topology is not None
        boxes = re.findall(r'<(?:use|rect) class="bx ([^"]*)"', card)
        drawn = [b for b in boxes if "missing" not in b and "none" not in b]  # places, not nodes
        assert len(drawn) == len(result.topology.nodes)
        assert ("none" in " ".join(boxes)) == (result.workload.secondary is None)
        kinds = {n.kind.value for n in result.topology.nodes}
        assert {"workspace", "storage", "key_vault", "app_insights"} <= kinds
        for node in result.topology.nodes:
            assert f"k-{node.kind.value}" in " ".join(boxes)
            # each name is on its box, or (cut to fit) in the box's tooltip
            assert str(escape(node.name)) in card or node.name[:8] in card, node.name
        assert f'<text class="pr" x="165" y="38">{result.primary_region}</text>' in card
        if result.secondary_region:
            assert f">{result.secondary_region}</text>" in card
    sandbox = cards["mlw-sandbox-uksouth"]
    assert "No secondary workspace" in sandbox


def test_failing_links_are_marked_for_recsys(demo_report: Report, demo_page: str) -> None:
    card = _cards(demo_page)["recsys"]
    svg = card[card.index("<svg") : card.index("</svg>")]
    result = next(w for w in demo_report.workloads if w.name == "recsys")
    failing = {f.rule: f for f in result.findings if f.status is Status.FAIL}
    # the shared storage account and the registry without a replica are failing boxes
    storage = re.search(r'<use class="bx k-storage (bad)"[^>]*><title>([^<]*)</title>', svg)
    registry = re.search(r'<use class="bx k-registry (bad)"[^>]*><title>([^<]*)</title>', svg)
    assert storage and "strecsyswesteurope" in storage.group(2) and "DR-04" in storage.group(2)
    assert registry and "acrrecsys" in registry.group(2) and "DR-06" in registry.group(2)
    # where the secondary region should have a replica of the registry, an empty place says so
    assert '<use class="bx k-replica missing"' in svg and "no replica in northeurope" in svg
    # both workspaces' links to each are failing lines that name the rule
    lines = re.findall(r'<path class="e bad" d="[^"]*"><title>([^<]*)</title>', svg)
    assert sum("DR-04" in t for t in lines) == 2
    assert sum("DR-06" in t for t in lines) == 2
    # the list under the map links to the findings
    caption = card[card.index('<figcaption class="failing-links">') :]
    for rule in ("DR-04", "DR-06"):
        assert f'href="#{failing[rule].id}"' in caption
    # a ready workload's map has nothing failing
    ready = _cards(demo_page)["fraud-scoring"]
    assert " bad" not in ready[ready.index("<svg") : ready.index("</svg>")]


def test_markup_in_a_resource_name_is_text_in_the_diagram(hostile_page: str) -> None:
    card = next(c for n, c in _cards(hostile_page).items() if "sandbox" in n)
    svg = card[card.index("<svg") : card.index("</svg>")]
    assert "&lt;img src=x" in svg  # as text, in a label or its tooltip
    assert "<img" not in svg
    assert not re.search(r"<(?!/?(svg|title|desc|g|rect|text|use|path)\b)[a-z]", svg)


def _lazy_page(report: Report) -> str:
    return html.render(report, lazy=True, brief=True).decode("utf-8")


def _data_block(page: str) -> str:
    blocks = re.findall(
        r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S
    )
    assert len(blocks) == 1
    return str(blocks[0])


def test_a_large_report_carries_findings_and_cards_as_data(demo_report: Report) -> None:
    """No markup per finding or workload card: one JSON block, which the script makes the
    elements shown from; what a rule's findings share is written once per rule."""
    page = _lazy_page(demo_report)
    assert '<details class="card finding' not in page
    assert "<article" not in page
    data = json.loads(_data_block(page))
    rows = [row for group in data["groups"] for row in group]
    assert sorted(row[html_data.F_ID] for row in rows) == sorted(f.id for f in demo_report.findings)
    assert {card["name"] for card in data["cards"]} == {w.name for w in demo_report.workloads}
    assert all(card["map"]["boxes"] for card in data["cards"])
    # findings that hold are listed with their message but no evidence; failing ones keep it
    held = sum(
        1 for f in demo_report.findings if f.status.value in ("pass", "not_applicable", "manual")
    )
    assert sum(1 for row in rows if row[html_data.F_BODY] == 0) == held < len(rows)
    messages = {data["strings"][row[html_data.F_MESSAGE]] for row in rows}
    assert messages == {f.message for f in demo_report.findings}
    # what a rule's findings share is written once per rule
    assert page.count('<template id="guide-') == len({f.rule for f in demo_report.findings})
    assert len(data["guides"]) == len({f.rule for f in demo_report.findings})
    scripts = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in page


def test_markup_in_a_large_reports_data_stays_data(hostile_report: Report) -> None:
    """Names, tags and messages with markup are in the data block as \\u escapes: nothing
    in it can end the block or start an element."""
    page = html.render(hostile_report, lazy=True).decode("utf-8")
    block = _data_block(page)
    assert "<" not in block and ">" not in block
    assert IMG in block.replace("\\u003c", "<").replace("\\u003e", ">")
    data = json.loads(block)
    assert IMG in json.dumps(data["cards"]) and SCRIPT in json.dumps(data["cards"])
    assert IMG not in page and SCRIPT not in page


def _many(report: Report, copies: int) -> Report:
    """The report with its workloads (and their findings) repeated under other names."""
    doc = json_report.document(report)
    workloads, findings = [], []
    for k in range(copies):

        def fid(old: str, k: int = k) -> str:
            return old if k == 0 else f"F-{k:04x}{old[6:]}"

        renamed = {}
        for w in doc["workloads"]:
            name = w["name"] if k == 0 else f"{w['name']}-{k:02d}"
            renamed[w["name"]] = name
            copy = json.loads(json.dumps(w))
            copy["name"] = name
            for tier in copy["tiers"].values():
                tier["blocking_findings"] = [fid(i) for i in tier["blocking_findings"]]
            for mark in copy["topology"]["marks"]:
                mark["findings"] = [fid(i) for i in mark["findings"]]
            workloads.append(copy)
        for f in doc["findings"]:
            copy = dict(f, id=fid(f["id"]), workload=renamed[f["workload"]])
            findings.append(copy)
    doc["workloads"], doc["findings"] = workloads, findings
    doc["summary"]["workloads"] = len(workloads)
    return report_file.report_from_document(doc)


def test_a_report_saved_without_topology_still_renders(demo_report: Report) -> None:
    doc = json_report.document(demo_report)
    for workload in doc["workloads"]:
        del workload["topology"]
    rebuilt = report_file.report_from_document(doc)
    assert json_report.document(rebuilt) == doc
    page = html.render(rebuilt).decode("utf-8")
    assert '<svg class="topo"' not in page
    assert page.count('class="muted topology-none"') == len(demo_report.workloads)


# True when the first element a selector matches is where it was one animation frame before.
_SETTLED = """selector => new Promise(done => {
  const el = document.querySelector(selector);
  const before = JSON.stringify(el.getBoundingClientRect());
  requestAnimationFrame(() => requestAnimationFrame(
    () => done(JSON.stringify(el.getBoundingClientRect()) === before)));
})"""


class _Tab:
    """A browser tab on a report file that records console errors, dialogs and requests."""

    def __init__(self, browser: Browser, path: Path, width: int = 1280, height: int = 1800) -> None:
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("dialog", self._dialog)
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.goto(path.as_uri(), wait_until="load")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def _dialog(self, dialog: Dialog) -> None:
        self.problems.append(f"{dialog.type} dialog: {dialog.message}")
        dialog.dismiss()

    def visible(self) -> int:
        return self.page.locator("[data-finding]:visible").count()

    def press(self, selector: str) -> None:
        """Click a button of the sticky filter bar once it stands still. Scrolling to it moves
        a sticky bar (and a filtered page shrinks under it): on a loaded machine a plain click
        could land where the button was a frame before, on the page behind it."""
        button = self.page.locator(selector).first
        button.scroll_into_view_if_needed()
        self.page.wait_for_function(_SETTLED, arg=selector)
        button.click()

    def expect_visible(self, count: int) -> None:
        """Wait (up to 5 s) until exactly `count` findings are visible: filters apply after
        input events, so a count read at once can see the page mid-update."""
        from playwright.sync_api import expect

        expect(self.page.locator("[data-finding]:visible")).to_have_count(count, timeout=5000)

    def close(self) -> None:
        self.page.close()
        assert self.problems == []
        assert all(url.startswith(("file:", "data:")) for url in self.requests), self.requests


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("playwright is not installed (pip install playwright; no browser download)")
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def demo_file(tmp_path: Path, demo_page: str) -> Path:
    path = tmp_path / "report.html"
    path.write_text(demo_page, encoding="utf-8")
    return path


def test_browser_filters_change_the_visible_findings(
    browser: Browser, demo_file: Path, demo_report: Report
) -> None:
    findings = demo_report.findings
    tab = _Tab(browser, demo_file)
    page = tab.page
    tab.expect_visible(len(findings))

    fails = sum(1 for f in findings if f.status is Status.FAIL)
    page.select_option("[data-filter=status]", "fail")
    tab.expect_visible(fails)
    assert 0 < tab.visible() == fails < len(findings)
    assert page.text_content("[data-visible-count]") == f"{fails} of {len(findings)}"
    name = demo_report.workloads[0].name
    page.select_option("[data-filter=workload]", name)
    tab.expect_visible(sum(1 for f in findings if f.status is Status.FAIL and f.workload == name))

    tab.press(".filters [data-action=reset]")
    tab.expect_visible(len(findings))
    page.select_option("[data-filter=impact]", "hot/hot")
    tab.expect_visible(sum(1 for f in findings if f.blocks(Tier.HOT_HOT)))
    page.select_option("[data-filter=impact]", "target")
    tab.expect_visible(sum(len(w.target.blocking) for w in demo_report.workloads))
    page.select_option("[data-filter=impact]", "")
    page.select_option("[data-filter=severity]", "critical")
    tab.expect_visible(sum(1 for f in findings if f.severity.value == "critical"))
    page.select_option("[data-filter=severity]", "")
    page.fill("[data-filter=search]", "dr-09")  # a substring: DR-09-SHARED's findings too
    tab.expect_visible(sum(1 for f in findings if f.rule in ("DR-09", "DR-09-SHARED")))
    page.fill("[data-filter=search]", "no such finding anywhere")
    tab.expect_visible(0)
    assert page.locator("[data-no-results]").is_visible()

    # a link to a finding that the filters hide clears them and opens it
    tab.press(".filters [data-action=reset]")
    page.select_option("[data-filter=status]", "pass")
    chip = page.locator(".tiers-table a.chip.rule").first
    target = str(chip.get_attribute("href")).removeprefix("#")
    chip.click()
    assert page.locator(f"[id='{target}']").is_visible()
    assert page.evaluate("id => document.getElementById(id).open", target) is True

    tab.press(".filters [data-action=reset]")
    page.evaluate("window.scrollTo(0, 0)")
    artifacts = ROOT / "artifacts"
    artifacts.mkdir(exist_ok=True)
    page.screenshot(path=str(artifacts / "report.png"))
    tab.close()


def test_browser_print_and_narrow_layouts(browser: Browser, demo_file: Path) -> None:
    tab = _Tab(browser, demo_file)
    page = tab.page
    tab.press("[data-action=collapse]")
    assert not page.locator("[data-finding] .body").first.is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".filters").is_visible()
    assert page.locator("[data-finding] .body").first.is_visible()
    page.emulate_media(media="screen")

    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways in a narrow window ({width}px wide)"
    page.evaluate("window.scrollTo(0, 0)")
    artifacts = ROOT / "artifacts"
    artifacts.mkdir(exist_ok=True)
    page.screenshot(path=str(artifacts / "report-narrow.png"))
    tab.close()


@pytest.mark.parametrize("lazy", [False, True], ids=["small", "large"])
def test_browser_runs_no_markup_from_the_data(
    browser: Browser, tmp_path: Path, hostile_report: Report, hostile_page: str, lazy: bool
) -> None:
    """Markup in names, tags and messages stays text: in the page's markup, and in the
    elements a large report's script makes from its data."""
    path = tmp_path / "hostile.html"
    text = html.render(hostile_report, lazy=True).decode("utf-8") if lazy else hostile_page
    path.write_text(text, encoding="utf-8")
    tab = _Tab(browser, path)
    page = tab.page
    assert page.locator("[data-incomplete]").is_visible()
    # the storage account named like markup is a label (or its tooltip) in the diagram
    card = page.locator(f"[data-workload-card='sandbox{SCRIPT}']")
    card.locator("svg.topo").scroll_into_view_if_needed()
    assert card.locator("svg.topo").is_visible()
    texts = card.locator("svg.topo text, svg.topo title").all_text_contents()
    assert any(t.startswith("<img src=x") for t in texts), texts
    assert (
        page.evaluate("document.querySelectorAll('img, svg image, svg foreignObject').length") == 0
    )
    box = card.locator("svg.topo .bx.k-storage").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # its tooltip
    page.select_option("[data-filter=workload]", f"sandbox{SCRIPT}")
    assert tab.visible() > 0
    tab.press("[data-action=expand]")
    page.fill("[data-filter=search]", "<img")
    assert tab.visible() > 0
    assert (
        page.evaluate("document.querySelectorAll('img, svg image, svg foreignObject').length") == 0
    )
    tab.close()  # asserts that no alert() dialog opened and nothing logged an error


def test_browser_shows_a_diagram_per_workload(
    browser: Browser, demo_file: Path, demo_report: Report
) -> None:
    tab = _Tab(browser, demo_file)
    page = tab.page
    for result in demo_report.workloads:
        assert result.topology is not None
        card = page.locator(f"[data-workload-card='{result.name}']")
        svg = card.locator("svg.topo")
        svg.scroll_into_view_if_needed()
        assert svg.count() == 1 and svg.is_visible()
        box = svg.bounding_box()
        assert box is not None and box["width"] > 600 and box["height"] > 150
        boxes = svg.locator(".bx:not(.missing):not(.none)")
        assert boxes.count() == len(result.topology.nodes)
        assert svg.locator(".bx.k-workspace").count() == len(
            [n for n in result.topology.nodes if n.kind.value == "workspace"]
        )
    recsys = page.locator("[data-workload-card='recsys'] svg.topo")
    recsys.scroll_into_view_if_needed()
    assert recsys.locator(".bx.bad").count() >= 2
    assert recsys.locator("path.e.bad").count() >= 4
    artifacts = ROOT / "artifacts"
    artifacts.mkdir(exist_ok=True)
    page.locator("[data-workload-card='recsys'] figure").screenshot(
        path=str(artifacts / "topology.png")
    )
    # a failing box's rule chip under the map opens its finding
    chip = page.locator("[data-workload-card='recsys'] .failing-links a.chip").first
    target = str(chip.get_attribute("href")).removeprefix("#")
    chip.click()
    assert page.evaluate("id => document.getElementById(id).open", target) is True
    # in a narrow window the map is shown one region under the other, each at a readable size
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not recsys.is_visible()
    parts = page.locator("[data-workload-card='recsys'] svg.topo-part")
    assert parts.count() == 3  # primary region, what both share, secondary region
    for k in range(parts.count()):
        part = parts.nth(k)
        part.scroll_into_view_if_needed()
        box = part.bounding_box()
        assert box is not None and box["width"] >= 300 and box["height"] > 300
        # drawn at about the map's own scale (its 314-unit column across the window), so a
        # 13-unit label is about 13 px high
        assert box["width"] / 322 > 0.95
    artifacts = ROOT / "artifacts"
    page.locator("[data-workload-card='recsys'] .topo-stack").screenshot(
        path=str(artifacts / "topology-narrow.png")
    )
    tab.close()


def test_browser_large_report_mode(browser: Browser, tmp_path: Path, demo_report: Report) -> None:
    """The lazy page of a large report, on the demo: same filters, cards and bodies on demand."""
    path = tmp_path / "large.html"
    path.write_text(_lazy_page(demo_report), encoding="utf-8")
    findings = demo_report.findings
    tab = _Tab(browser, path)
    page = tab.page
    totals = page.eval_on_selector_all("[data-group]", "els => els.map(e => +e.dataset.total)")
    assert sum(totals) == len(findings)
    # each group shows its first 25 findings, and 125 more on request
    first = sum(min(t, 25) for t in totals)
    assert first < len(findings)
    tab.expect_visible(first)
    for _ in range(len([t for t in totals if t > 25])):
        tab.press("[data-more]:not([hidden]) [data-action=more]")
    tab.expect_visible(len(findings))
    fails = sum(1 for f in findings if f.status is Status.FAIL)
    page.select_option("[data-filter=status]", "fail")
    tab.expect_visible(fails)
    assert page.text_content("[data-visible-count]") == f"{fails} of {len(findings)}"
    page.fill("[data-filter=search]", "strecsys")
    assert 0 < tab.visible() < fails
    tab.press(".filters [data-action=reset]")
    tab.expect_visible(first)
    # a failing finding's body and its rule's part arrive when it is opened
    failing = page.locator("details[data-finding][data-status=fail]").first
    failing.locator("summary").click()
    failing.locator(".body .fb .message").wait_for()  # the toggle event comes after the click
    assert failing.locator(".body .gb").count() == 1
    assert failing.locator(".body table.evidence").count() == 1
    # one that holds is listed with its message, and opens on its rule's part only
    held = page.locator("details[data-finding][data-status=pass]").first
    assert held.locator(".brief-msg").is_visible()
    held.locator("summary").click()
    held.locator(".body .gb").wait_for()
    # each card's body, map included, is in place once scrolled to
    for result in demo_report.workloads:
        card = page.locator(f"[data-workload-card='{result.name}']")
        card.scroll_into_view_if_needed()
        page.wait_for_function(
            "name => document.querySelector(`[data-workload-card='${name}'] svg.topo`)",
            arg=result.name,
        )
        assert card.locator("svg.topo .bx").count() > 0
    # a link from a card to a finding the filters hide clears them and opens it
    page.select_option("[data-filter=status]", "pass")
    chip = page.locator(".tiers-table a.chip.rule").first
    target = str(chip.get_attribute("href")).removeprefix("#")
    chip.click()
    assert page.locator(f"[id='{target}']").is_visible()
    assert page.evaluate("id => document.getElementById(id).open", target) is True
    tab.close()


def test_browser_large_report_shows_cards_as_they_are_needed(
    browser: Browser, tmp_path: Path, demo_report: Report
) -> None:
    """A large report shows its workload cards a page of 25 at a time, and its ladder's first
    100 rows: the pager, a ladder link, reaching the ladder's end and printing bring the
    others in."""
    many = _many(demo_report, 15)
    assert len(many.workloads) == 105
    path = tmp_path / "many.html"
    text = html.render(many).decode("utf-8")  # lazy by its size
    assert text.count("<tr data-ladder-row") == 100
    path.write_text(text, encoding="utf-8")
    tab = _Tab(browser, path)
    page = tab.page
    page.wait_for_function("() => document.querySelectorAll('[data-workload-card]').length === 25")
    assert page.locator("#wl-1 svg.topo .bx").count() > 0
    pager = page.locator("[data-card-pager]").last
    assert pager.locator("[data-card-range]").text_content() == "Workloads 1\u201325 of 105"
    pager.locator("[data-action=cards-next]").click()
    assert pager.locator("[data-card-range]").text_content() == "Workloads 26\u201350 of 105"
    assert page.locator("[data-workload-card]").count() == 25
    assert page.locator("#wl-26").is_visible() and page.locator("#wl-1").count() == 0
    # the ladder's last rows come in as its end is reached, made like the first ones
    page.locator("tr[data-ladder-row]").last.scroll_into_view_if_needed()
    page.locator(".ladder a[href='#wl-103']").wait_for()
    assert page.locator("tr[data-ladder-row]").count() == 105
    row = page.locator("tr[data-ladder-row]").nth(102)
    first = page.locator("tr[data-ladder-row]").nth(102 % 7)
    assert row.locator("td.tier").count() == first.locator("td.tier").count() == 4
    assert row.locator(".verdict").count() == first.locator(".verdict").count()
    link = page.locator(".ladder a[href='#wl-103']")
    link.click()
    card = page.locator("#wl-103")
    assert card.is_visible()
    card.locator("svg.topo").wait_for()
    assert page.evaluate("location.hash") == "#wl-103"
    assert pager.locator("[data-card-range]").text_content() == "Workloads 101\u2013105 of 105"
    assert pager.locator("[data-action=cards-next]").is_disabled()
    page.select_option("[data-ladder=show]", "1")
    ready = sum(1 for w in many.workloads if w.target.ready)
    assert page.text_content("[data-ladder-count]") == f"{ready} of 105 workloads"
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator("[data-workload-card] svg.topo").count() == 105
    # on paper: every finding but those that hold (counted, not listed); the blockers open
    held = sum(
        1
        for f in many.findings
        if not any(f.blocks(t) for t in Tier) and f.status.value not in ("fail", "error", "manual")
    )
    tab.expect_visible(len(many.findings) - held)
    opened = page.evaluate("document.querySelectorAll('[data-finding][open]').length")
    assert opened == page.locator("[data-group=target] [data-finding]").count() > 0
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.evaluate("document.querySelectorAll('[data-finding][open]').length") == 0
    assert page.locator("[data-workload-card]").count() == 5  # the page the reader was on
    tab.close()


def test_browser_large_report_opens_at_the_card_or_finding_its_address_names(
    browser: Browser, tmp_path: Path, demo_report: Report
) -> None:
    """A link into a large report (#wl-N, #F-...) shows that card's page, or that finding,
    opened with its evidence, though neither is in the page until it is made from the data."""
    many = _many(demo_report, 15)
    path = tmp_path / "many.html"
    path.write_text(html.render(many).decode("utf-8"), encoding="utf-8")
    tab = _Tab(browser, path)
    page = tab.page

    def open_at(fragment: str) -> None:
        page.goto(f"{path.as_uri()}#{fragment}")
        page.reload(wait_until="load")  # the address is read when the page opens

    open_at("wl-103")
    card = page.locator("#wl-103")
    assert card.is_visible()
    in_order = html.overview(json_report.flat_document(many))["workloads"]
    assert card.locator("h3").text_content() == in_order[102]["name"]
    # the last finding that holds: past the first 25 of its group
    held = [
        f for f in many.findings if f.status is Status.PASS and not any(f.blocks(t) for t in Tier)
    ]
    open_at(held[-1].id)
    assert page.locator(f"[id='{held[-1].id}']").is_visible()
    assert page.evaluate("id => document.getElementById(id).open", held[-1].id) is True
    failing = next(f for f in many.findings if f.status is Status.FAIL)
    open_at(failing.id)
    opened = page.locator(f"[id='{failing.id}']")
    assert opened.locator(".body table.evidence").count() == 1
    assert opened.locator(".body .message").text_content() == failing.message
    tab.close()


def test_a_scan_incomplete_only_for_findings_in_error_says_so(demo_report: Report) -> None:
    """No read failed, but findings could not be evaluated: the banner says how many, and
    shows no empty table of collection errors."""
    errored = tuple(
        dataclasses.replace(f, status=Status.ERROR) if f.rule == "DR-09" else f
        for f in demo_report.findings
    )
    count = sum(1 for f in errored if f.status is Status.ERROR)
    scan_info = dataclasses.replace(demo_report.scan, error_findings=count)
    page = html.render(dataclasses.replace(demo_report, findings=errored, scan=scan_info))
    text = page.decode("utf-8")
    banner = re.search(r"<section[^>]*data-incomplete.*?</section>", text, re.DOTALL)
    assert banner is not None and "<table" not in banner.group(0)
    assert f"{count} findings could not be evaluated" in banner.group(0)
    assert f"Incomplete · 0 collection errors, {count} findings in error" in text


def _bottom(page: Any, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return float(box["y"] + box["height"])


def test_browser_first_screen_answers_the_meeting(
    browser: Browser, demo_file: Path, demo_report: Report
) -> None:
    """At 1440x900, without scrolling: how many are ready, which are not and what blocks
    them, and the rules that block the most workloads, each a link to its findings."""
    tab = _Tab(browser, demo_file, width=1440, height=900)
    page = tab.page
    ready = sum(1 for w in demo_report.workloads if w.target.ready)
    assert page.text_content("#h-verdict .big") == str(ready)
    not_ready = [w for w in demo_report.workloads if not w.target.ready]
    names = page.locator(".nr-list .nm").all_text_contents()
    assert sorted(names) == sorted(w.name for w in not_ready)
    for w in not_ready:
        chips = page.locator(f".nr-list li:has(a.nm:text-is('{w.name}')) .blockers a.chip")
        assert (
            chips.all_text_contents()[:6] == [f.rule for f in w.target.blocking][:6]
            or sorted(chips.all_text_contents()) == sorted({f.rule for f in w.target.blocking})[:6]
        )
    # the rules that block the most workloads, with how many each
    counts: dict[str, int] = {}
    for w in demo_report.workloads:
        for rule in {f.rule for f in w.target.blocking}:
            counts[rule] = counts.get(rule, 0) + 1
    top = page.locator(".top-rules li")
    first = top.first.locator(".rule").text_content()
    assert first is not None and counts[first] == max(counts.values())
    assert top.first.locator(".n").text_content() == f"{max(counts.values())} workloads"
    for selector in ("#h-verdict", ".nr-list", ".top-rules"):
        assert _bottom(page, selector) <= 900, f"{selector} is below the first screen"
    page.screenshot(path=str(ROOT / "artifacts" / "first-screen.png"))
    # a rule's link shows the findings that block a target for it
    top.first.locator("a").click()
    rule_findings = [f for w in demo_report.workloads for f in w.target.blocking if f.rule == first]
    tab.expect_visible(len(rule_findings))
    assert page.input_value("[data-filter=rule]") == first
    tab.close()


def test_browser_ladder_lists_not_ready_first_and_filters(
    browser: Browser, demo_file: Path, demo_report: Report
) -> None:
    tab = _Tab(browser, demo_file, width=1440, height=900)
    page = tab.page
    rows = page.locator("tr[data-ladder-row]")
    flags = [rows.nth(k).get_attribute("data-ready") for k in range(rows.count())]
    assert flags == sorted(flags), "a ready workload precedes a not-ready one"
    page.select_option("[data-ladder=show]", "1")
    visible = page.locator("tr[data-ladder-row]:visible td.wl a").all_text_contents()
    assert sorted(visible) == sorted(w.name for w in demo_report.workloads if w.target.ready)
    page.select_option("[data-ladder=show]", "")
    page.select_option("[data-ladder=sort]", "name")
    names = page.locator("tr[data-ladder-row] td.wl a").all_text_contents()
    assert names == sorted(w.name for w in demo_report.workloads)
    page.fill("[data-ladder=search]", "fraud")
    assert page.locator("tr[data-ladder-row]:visible").count() == 1
    assert (
        page.text_content("[data-ladder-count]") == f"1 of {len(demo_report.workloads)} workloads"
    )
    tab.close()


def test_incomplete_scan_is_one_line_above_the_verdict(
    browser: Browser, tmp_path: Path, hostile_page: str
) -> None:
    path = tmp_path / "hostile.html"
    path.write_text(hostile_page, encoding="utf-8")
    tab = _Tab(browser, path, width=1440, height=900)
    page = tab.page
    banner = page.locator("[data-incomplete]")
    box = banner.bounding_box()
    assert box is not None and box["height"] < 80, "the collection errors stand above the verdict"
    assert "readiness is unproven" in (banner.locator(".line").text_content() or "")
    assert "AuthorizationFailed 1" in (banner.locator(".line").text_content() or "")
    assert page.locator(".headline-card .unproven").is_visible()
    table = banner.locator("table")
    assert not table.is_visible()
    banner.locator("summary").click()
    assert table.is_visible()
    tab.close()


def test_the_map_tells_advisory_failures_from_blockers(demo_report: Report, demo_page: str) -> None:
    """churn-prediction is ready for its target: what fails on its map is advisory (amber,
    dotted), not red like a blocker."""
    result = next(w for w in demo_report.workloads if w.name == "churn-prediction")
    assert result.target.ready
    card = _cards(demo_page)["churn-prediction"]
    svg = card[card.index("<svg") : card.index("</svg>")]
    assert " bad" not in svg and " err" not in svg
    assert re.search(r'<use class="bx [^"]* adv"', svg)
    assert "Advisory failure" in svg or "(advisory)" in svg
    recsys = _cards(demo_page)["recsys"]
    assert '<a class="chip rule blocker"' in recsys and '<a class="chip rule adv"' in recsys


def test_browser_prints_the_demo_in_at_most_twelve_pages(
    browser: Browser, demo_file: Path, tmp_path: Path
) -> None:
    from pypdf import PdfReader

    tab = _Tab(browser, demo_file)
    page = tab.page
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    pdf = tmp_path / "report.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    reader = PdfReader(str(pdf))
    # seven workloads and 14 blockers: a rule's why and fix print once, a rule that fails only
    # for want of a secondary prints its headline, evidence its first rows, a card its map
    # beside its tiers
    assert len(reader.pages) <= 12, f"the demo prints in {len(reader.pages)} pages"
    text = "\n".join(p.extract_text() for p in reader.pages)
    # the blockers carry their fix; what holds is a count, not a list
    assert "az storage account create" in text
    assert "Passed, not applicable or suppressed" in text
    assert "The secondary workspace is network-isolated" in text  # an advisory, one line
    # at the width of an A4 page between its margins, each card's map stands beside its tiers
    page.set_viewport_size({"width": 710, "height": 1800})
    boxes = page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-workload-card]')).map(card => {
          const box = el => el.getBoundingClientRect().toJSON();
          return [card.dataset.workloadCard, box(card.querySelector('.tiers-table')),
                  box(card.querySelector('svg.topo'))];
        })"""
    )
    assert len(boxes) == 7
    for name, tiers, topo in boxes:
        assert topo["width"] > 200, f"the map of {name} prints {topo['width']}px wide"
        assert topo["left"] >= tiers["right"] and abs(topo["top"] - tiers["top"]) < 20, name
    tab.close()


def test_browser_full_page_screenshot_shows_every_card(browser: Browser, demo_file: Path) -> None:
    """Nothing on the page skips its rendering off screen (content-visibility: auto), so a
    full-page screenshot shows the cards, the ladder and the findings filled in."""
    tab = _Tab(browser, demo_file, width=1440, height=900)
    page = tab.page
    skipped = page.evaluate(
        """() => Array.from(document.querySelectorAll('*'))
          .filter(el => getComputedStyle(el).contentVisibility === 'auto').length"""
    )
    assert skipped == 0
    shot = ROOT / "artifacts" / "full-page.png"
    page.screenshot(path=str(shot), full_page=True)
    height = page.evaluate("document.documentElement.scrollHeight")
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(png[20:24], "big") == height  # the PNG is the whole page tall
    tab.close()


def test_browser_full_page_screenshot_of_a_large_report(
    browser: Browser, tmp_path: Path, demo_report: Report
) -> None:
    """A large report (280 workloads, in its large mode) makes a full-page screenshot as tall
    as the page: nothing skips its rendering off screen, and what waits to be shown (cards of
    other pages, findings past the first of each group) takes no room."""
    many = _many(demo_report, 40)
    assert len(many.workloads) == 280
    path = tmp_path / "large.html"
    path.write_text(html.render(many, lazy=True).decode("utf-8"), encoding="utf-8")
    tab = _Tab(browser, path, width=1440, height=900)
    page = tab.page
    page.wait_for_function(
        "() => document.querySelectorAll('[data-workload-card] svg.topo').length === 25"
    )
    skipped = page.evaluate(
        """() => Array.from(document.querySelectorAll('*'))
          .filter(el => getComputedStyle(el).contentVisibility === 'auto').length"""
    )
    assert skipped == 0
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 200_000  # what a screenshot can hold; the page is not one of every card
    png = page.screenshot(full_page=True)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(png[20:24], "big") == height
    tab.close()


# WCAG 2 contrast of each element's text colour on the first opaque background behind it.
_CONTRAST = """selector => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const back = el => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || c[3] === 1) { return c.slice(0, 3); }
    }
    return [255, 255, 255];
  };
  return Array.from(document.querySelectorAll(selector))
    .filter(el => el.getClientRects().length && el.textContent.trim())
    .map(el => {
      const a = lum(rgb(getComputedStyle(el).color).slice(0, 3)), b = lum(back(el));
      return [el.className + ' ' + el.textContent.trim().slice(0, 20),
              (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
    });
}"""


def test_browser_text_contrast_is_at_least_4_5(browser: Browser, demo_file: Path) -> None:
    """Badges (muted ones too), chips, 'none' and muted text reach WCAG AA (4.5:1)."""
    tab = _Tab(browser, demo_file, width=1440, height=900)
    page = tab.page
    page.click("[data-action=expand]")
    measured = page.evaluate(
        _CONTRAST,
        ".badge, .chip, .tiers-table .none, .muted, .finding .sub, .blockcount, "
        ".legend span, .section-head p, .group > p.lead, .res-id, .nr-list .muted",
    )
    assert len(measured) > 100
    low = [(what, round(ratio, 2)) for what, ratio in measured if ratio < 4.5]
    assert low == []
    tab.close()


def test_a_trend_of_one_run_says_one_run(demo_report: Report) -> None:
    trend = {
        "workloads": [
            {
                "name": "recsys",
                "runs": [
                    {
                        "generated_at": "2026-11-20T06:00:00Z",
                        "target": {"score": 50, "ready": False},
                    }
                ],
            }
        ]
    }
    page = html.render(demo_report, history=trend).decode("utf-8")
    assert 'aria-label="1 run, score 50 to 50"' in page
    assert "1 runs" not in page


def test_browser_phone_copy_button_sits_beside_the_code(browser: Browser, demo_file: Path) -> None:
    """At 390 px: the Copy button never covers the command, and a table wider than the window
    scrolls inside a box that takes keyboard focus."""
    tab = _Tab(browser, demo_file, width=390, height=844)
    page = tab.page
    finding = page.locator("[data-group=target] details[data-finding]").first
    if not finding.evaluate("el => el.open"):
        finding.locator("summary").click()
    figure = finding.locator("figure.codeblock").first
    figure.scroll_into_view_if_needed()
    copy, code = figure.locator(".copy"), figure.locator("pre")
    assert copy.count() == 1
    a, b = copy.bounding_box(), code.bounding_box()
    assert a is not None and b is not None
    assert a["y"] + a["height"] <= b["y"] + 0.5, "the Copy button covers the command"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    scrollers = page.locator(".table-scroll:visible")
    for k in range(scrollers.count()):
        box = scrollers.nth(k)
        if box.evaluate("el => el.scrollWidth > el.clientWidth"):
            assert box.get_attribute("tabindex") == "0"
    tab.close()


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(_JSON_VALUES)
def test_the_data_block_is_written_as_json_dumps_would(value: Any) -> None:
    """orjson writes `tojson`'s JSON (fast); the text is the standard library's, and what
    orjson refuses (a lone surrogate, an integer past 64 bits) json.dumps still writes."""
    compact = {"ensure_ascii": False, "separators": (",", ":")}
    assert html._compact_json(value, **compact) == json.dumps(value, **compact)


@pytest.mark.parametrize("value", ["\ud800 lone", 2**70, {1: "an integer key"}])
def test_what_orjson_refuses_in_the_data_block_is_written_by_json_dumps(value: Any) -> None:
    compact = {"ensure_ascii": False, "separators": (",", ":")}
    assert html._compact_json(value, **compact) == json.dumps(value, **compact)
    page_data = (
        html.environment().from_string("{{ v|tojson }}").render(v={"x": value, "y": "</script>"})
    )
    assert "</script>" not in page_data
    assert json.loads(page_data)["y"] == "</script>"
