"""The access copy in a real browser: Debian's headless Chromium, driven by selenium, reading
OUT from file:// with no server.

A reader's walk: home -> a post -> a link of its "earlier posts" list -> the linked post -> a
label page -> the search page, a word typed in. On every page every local href/src must
resolve; over the whole walk the browser must request nothing outside OUT (Chrome's
performance log lists every request) and log no console error. Screenshots of each step go to
tests/artefacts/ (git-ignored) for a human to look at.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

import blogarchive
from conftest import FIXTURES, ROOT

BLOG = FIXTURES / "export" / "site-blog.xml"
ARTEFACTS = ROOT / "tests" / "artefacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="needs a headless browser: apt-get install chromium chromium-driver "
    "(selenium comes with the test extras)")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    blogarchive.convert(BLOG, root / "archive")
    blogarchive.export(root / "archive", root / "out")
    return (root / "out").resolve()


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    webdriver = pytest.importorskip("selenium.webdriver", reason="pip install selenium")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1100,900", "--no-first-run", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-default-apps"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    service = webdriver.ChromeService(executable_path=str(DRIVER))
    browser = webdriver.Chrome(options=options, service=service)
    browser.set_page_load_timeout(60)
    try:
        yield browser
    finally:
        browser.quit()


def local_refs(browser: Any) -> list[str]:
    """Every href and src of the page, as the browser resolved them."""
    return list(browser.execute_script(
        "return Array.from(document.querySelectorAll('[href],[src]'))"
        ".map(e => e.href || e.src).filter(Boolean);"))


def check_page(browser: Any, out: Path, step: str) -> None:
    for ref in local_refs(browser):
        parts = urlsplit(ref)
        if parts.scheme == "file":
            target = Path(unquote(parts.path))
            assert target.is_file(), f"{step}: {ref} does not resolve"
            assert target.is_relative_to(out), f"{step}: {ref} leaves OUT"
    ARTEFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTEFACTS / f"site-{step}.png"))


def requests_made(browser: Any) -> list[str]:
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def test_a_reader_walks_the_copy_offline(driver: Any, out: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 30)
    driver.get((out / "index.html").as_uri())
    assert driver.find_element(By.TAG_NAME, "h1").text == "Ridge Log (page 1 of 2)"
    check_page(driver, out, "1-home")

    driver.find_element(By.LINK_TEXT, "Ridge report").click()
    wait.until(ec.url_contains("ridge-report.html"))
    assert driver.find_element(By.TAG_NAME, "h1").text == "Ridge report"
    check_page(driver, out, "2-post")

    listed = driver.find_element(By.CSS_SELECTOR, ".body li a")  # the "earlier posts" list
    assert listed.text == "Post three"
    listed.click()
    wait.until(ec.url_contains("post-3.html"))
    assert driver.current_url == (out / "2019" / "05" / "post-3.html").as_uri()
    assert driver.find_element(By.TAG_NAME, "h1").text == "Post three"
    backlinks = driver.find_elements(By.CSS_SELECTOR, "section.backlinks a")
    assert "Ridge report" in [a.text for a in backlinks]
    check_page(driver, out, "3-linked-post")

    driver.find_element(By.CSS_SELECTOR, "p.labels a[rel=tag]").click()
    wait.until(ec.url_contains("/labels/"))
    assert driver.find_element(By.TAG_NAME, "h1").text == "Posts labelled “hiking”"
    check_page(driver, out, "4-label")

    driver.find_element(By.LINK_TEXT, "Search").click()
    wait.until(ec.url_contains("search.html"))
    box = wait.until(ec.presence_of_element_located((By.ID, "q")))
    box.send_keys("marmot")
    box.submit()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#results li"))
    found = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "#results li a")]
    assert len(found) == 10 and "Post one" in found  # every walk counts marmots
    assert driver.find_element(By.ID, "status").text == "10 matches."
    check_page(driver, out, "5-search")
    driver.find_element(By.LINK_TEXT, "Post one").click()
    wait.until(ec.url_contains("post-1.html"))

    requested = requests_made(driver)
    assert requested, "the performance log lists no request: the check would prove nothing"
    outside = [url for url in requested
               if not url.startswith(out.as_uri() + "/") and not url.startswith("data:")]
    assert outside == []
    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []


def test_the_hostile_post_loads_nothing_from_the_network(driver: Any, out: Path) -> None:
    driver.get_log("performance")  # drop what earlier tests logged
    driver.get((out / "2020" / "05" / "sanitiser.html").as_uri())
    check_page(driver, out, "6-sanitised")
    requested = requests_made(driver)
    assert any(url.endswith("sanitiser.html") for url in requested)
    assert [u for u in requested if u.startswith(("http:", "https:"))] == []
    assert driver.execute_script("return document.querySelectorAll('script').length") == 0
    assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
