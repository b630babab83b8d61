"""The HTML report in a real headless browser (Debian's chromium + chromedriver, via selenium).

Locally the test skips when chromium is missing; in CI (CI set) it fails instead, since
.ci/run installs the browser.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from cleaner import load_config
from cleaner.review import load_run
from cleaner.review import report as html_report
from cleaner.run import run

from .conftest import ROOT, bench_common

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
HOSTILE = (
    "Rubio said the talks went well.\n\n"
    '<script>document.title="pwned"</script><img src=x onerror="document.title=\'pwned\'">'
    '" onmouseover="alert(1)\n\nArticle continues after this advertisement\n\nThe visit ends on Friday.\n'
)


def _driver():  # type: ignore[no-untyped-def]
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        if os.environ.get("CI"):
            pytest.fail("chromium/chromedriver missing: .ci/run should have installed them")
        pytest.skip("chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
    pytest.importorskip("selenium.webdriver")
    return bench_common().chromium(1280, 1000)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("report")
    inputs = base / "in"
    shutil.copytree(ROOT / "seeds", inputs)
    (inputs / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    result = run([inputs], base / "out", load_config())
    path = base / "report.html"
    html_report.write(load_run(result.audit_path), path, title="seeds + hostile")
    return path


def test_report_loads_filters_and_keeps_hostile_text_inert(report, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    driver = _driver()
    try:
        driver.get(report.as_uri())
        WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.body.dataset.ready") == "1")
        severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert severe == [], severe
        assert driver.title == "cleaner audit report"  # the hostile script never ran
        assert driver.find_elements(By.TAG_NAME, "img") == []
        count = driver.find_element(By.ID, "count")
        total = int(count.get_attribute("data-docs"))
        assert total == 6  # 5 seeds + the hostile one, all changed
        body = driver.find_element(By.ID, "docs").text
        assert "<img src=x onerror=\"document.title='pwned'\">" in body
        assert '" onmouseover="alert(1)' in body

        Select(driver.find_element(By.ID, "f-rule")).select_by_visible_text("spam/brand-4d-slot")
        assert int(count.get_attribute("data-docs")) == 1
        assert "mentos4d slot" in driver.find_element(By.ID, "docs").text
        Select(driver.find_element(By.ID, "f-rule")).select_by_index(0)
        driver.find_element(By.ID, "f-search").send_keys("hostile")
        assert int(count.get_attribute("data-docs")) == 1

        driver.find_element(By.ID, "tab-flags").click()
        driver.find_element(By.ID, "f-search").clear()
        driver.find_element(By.ID, "f-search").send_keys("0")  # every seed id starts with 00
        assert int(count.get_attribute("data-flags")) >= 1
        assert driver.find_element(By.ID, "flags").is_displayed()
        assert not driver.find_element(By.ID, "docs-view").is_displayed()
        shot = tmp_path / "report.png"
        assert driver.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
        assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
    finally:
        driver.quit()
