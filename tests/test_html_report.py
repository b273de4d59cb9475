"""`svclint report`: one offline HTML file, opened in a real headless Chromium (Debian's
chromium and chromium-driver, driven by Selenium; .ci/run installs them). The page loads
without console errors or network requests, shows the example app's nine findings with
their lines, and clicking a denied edge of the Service map or a cell of the grid shows
the explain chain with file:line."""

from __future__ import annotations

import base64
import gzip
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import REPO, run_cli

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run")


def _page_data(html: str) -> Any:
    """The page's data as the page reads it: JSON, and the routing part gzip+base64."""
    match = re.search(r'<script type="application/json" id="svclint-data">(.*?)</script>', html, re.S)
    routing = re.search(r'<script type="application/octet-stream" id="svclint-routing" data-encoding="gzip\+base64">(.*?)</script>', html, re.S)
    assert match is not None and routing is not None
    data = json.loads(match.group(1))
    data["routing"] = json.loads(gzip.decompress(base64.b64decode(routing.group(1))))
    return data


@pytest.fixture(scope="module")
def shop_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "shop.html"
    run = run_cli("report", "fixtures/examples/shop", "--isolated", "-o", str(out))
    assert run.exit_code == 0, run.stderr
    assert run.stderr == f"svclint: wrote {out}\n"
    return out


def test_the_page_is_self_contained(shop_report: Path) -> None:
    html = shop_report.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # nothing fetched
    assert "default-src 'none'" in html
    data = _page_data(html)
    assert data["summary"] == {"files": 7, "objects": 15, "findings": 9}  # eight, and SVC502 of its frontend's call
    assert sum(len(f["findings"]) for u in data["units"] for f in u["files"]) == 9


def test_findings_carry_their_lines_in_context(shop_report: Path) -> None:
    data = _page_data(shop_report.read_text(encoding="utf-8"))
    files = {f["file"]: f["findings"] for u in data["units"] for f in u["files"]}
    (selector,) = [f for f in files["fixtures/examples/shop/database.yaml"] if f["rule"] == "SVC101"]
    lines = (REPO / "fixtures/examples/shop/database.yaml").read_text(encoding="utf-8").split("\n")
    first = selector["context"]["first"]
    assert selector["line"] - first == 2 and selector["context"]["lines"] == lines[first - 1 : first + 4]


def test_markup_in_names_stays_text(tmp_path: Path) -> None:
    manifest = (REPO / "fixtures/rules/SVC101/bad.yaml").read_text(encoding="utf-8").replace("web-frontend", '"</script><img src=x onerror=alert(1)>"')
    (tmp_path / "app.yaml").write_text(manifest, encoding="utf-8")
    out = tmp_path / "r.html"
    assert run_cli("report", str(tmp_path / "app.yaml"), "--isolated", "-o", str(out), "-q").exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert "</script><img" not in html and "<img" not in html
    assert "</script><img src=x" in json.dumps(_page_data(html))  # the value itself, intact in the data


# -- in a real browser ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        pytest.skip("Debian's chromium and chromium-driver are not installed (.ci/run installs them: apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_window_size(1400, 1000)
    yield driver
    driver.quit()


def _open(browser: Any, page: Path) -> None:
    """Load ``page`` and wait until its script says it is drawn: the routing data is inflated
    asynchronously (DecompressionStream), so ``ready`` is set after the load event, later
    still when the machine is busy (two test workers and their browsers)."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(page.as_uri())
    WebDriverWait(browser, 20, poll_frequency=0.05).until(
        lambda driver: driver.execute_script("return document.body.dataset.ready") == "true",
        "the page never set data-ready",
    )


def test_the_page_loads_without_console_errors(browser: Any, shop_report: Path) -> None:
    _open(browser, shop_report)
    problems = [entry for entry in browser.get_log("browser") if entry["level"] in ("SEVERE", "WARNING")]
    assert problems == []


def test_the_nine_findings_are_shown(browser: Any, shop_report: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, shop_report)
    findings = browser.find_elements(By.CSS_SELECTOR, "#findings .finding")
    assert len(findings) == 9 and all(f.is_displayed() for f in findings)
    rules = sorted(f.find_element(By.CSS_SELECTOR, ".rule").text for f in findings)
    assert rules == ["SVC101", "SVC104", "SVC201", "SVC202", "SVC302", "SVC404", "SVC405", "SVC405", "SVC502"]
    hit = browser.find_element(By.CSS_SELECTOR, "#findings pre.context span.hit")
    assert hit.is_displayed()


def test_clicking_a_denied_edge_shows_its_reason(browser: Any, shop_report: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, shop_report)
    browser.find_element(By.ID, "tab-routing").click()
    denied = browser.find_elements(By.CSS_SELECTOR, "#map path.edge.deny")
    assert denied, "the map draws denied edges"
    titled = {e.find_element(By.TAG_NAME, "title").get_attribute("textContent"): e for e in denied}
    edge = titled["shop/api[Deployment] \u2192 shop/frontend[Service]: deny"]
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", edge)
    detail = browser.find_element(By.ID, "detail").text
    assert "shop/api[Deployment]" in detail and ": deny" in detail
    assert "NetworkPolicy shop/default-deny-ingress" in detail and "[fixtures/examples/shop/networkpolicies.yaml:" in detail


def test_broken_services_are_drawn(browser: Any, shop_report: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, shop_report)
    browser.find_element(By.ID, "tab-routing").click()
    broken = [e.find_element(By.TAG_NAME, "title").get_attribute("textContent") for e in browser.find_elements(By.CSS_SELECTOR, "#map path.edge.broken")]
    assert any("shop/postgres-read[Service]" in t for t in broken)


def test_clicking_a_grid_cell_shows_the_chain(browser: Any, shop_report: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, shop_report)
    browser.find_element(By.ID, "tab-routing").click()
    cell = browser.find_element(By.CSS_SELECTOR, "#grid td.allow")
    cell.click()
    detail = browser.find_element(By.ID, "detail").text
    assert ": allow" in detail and re.search(r"\[fixtures/examples/shop/\w+\.yaml:\d+\]", detail)
    browser.find_element(By.ID, "filter").send_keys("postgres")
    rows = browser.find_elements(By.CSS_SELECTOR, "#grid th.row")
    assert [r.text for r in rows] == ["postgres[StatefulSet]"]  # names shown without their namespace
    columns = [c.get_attribute("title") for c in browser.find_elements(By.CSS_SELECTOR, "#grid th.col")]
    assert columns and all("postgres" in c for c in columns)


def test_entry_points_keep_rows_of_their_own(tmp_path: Path) -> None:
    """Without policies every source reaches everything; `ingress-controller` still is no workload."""
    out = tmp_path / "r.html"
    assert run_cli("report", "fixtures/rules/SVC101/good.yaml", "--isolated", "-q", "-o", str(out)).exit_code == 0
    (namespace,) = _page_data(out.read_text(encoding="utf-8"))["routing"]["namespaces"]
    rows = [(row["sources"], row["entry"]) for row in namespace["rows"]]
    assert rows == [(["external"], True), (["ingress-controller"], True), (["default/web[Deployment]"], False)]
