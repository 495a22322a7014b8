"""The HTML reports of a comparison and of the slowdown, opened in a real browser.

Headless Chromium, driven by selenium through the system's chromedriver
(Debian: ``apt-get install chromium chromium-driver``; ``.ci/run`` installs
both). The driver's path is always given, so selenium never downloads a
browser or a driver, and the browser resolves no host name, so the page loads
nothing from the network. Where no Chromium is installed the tests skip, except
in CI, where that is a failure.

Every test runs on both reports. A full-page screenshot of each is written for
the record; its path is printed (shown with ``python -m pytest -s
tests/test_report_browser.py``).
"""

import base64
import os
import shutil

import pytest
from sklearn.datasets import load_iris

from sklearn_losslab import compare_losses, slowdown
from sklearn_losslab.report import slowdown_report, write_comparison, write_slowdown

webdriver = pytest.importorskip(
    "selenium.webdriver", reason="the browser test needs selenium (the test extra)"
)

WIDTH, HEIGHT = 1280, 900


def _executable(*names):
    return next(filter(None, map(shutil.which, names)), None)


def _browser_and_driver():
    browser = _executable("chromium", "chromium-browser", "google-chrome")
    driver = _executable("chromedriver")
    if browser and driver:
        return browser, driver
    reason = (
        "no Chromium and chromedriver installed "
        "(Debian: apt-get install chromium chromium-driver)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; .ci/run installs them")
    pytest.skip(reason)


def _chromium(browser, driver):
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in (
        "--headless=new",
        "--no-sandbox",  # needed as root, as CI runs
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",  # the page gets the whole width
        f"--window-size={WIDTH},{HEIGHT}",
        "--host-resolver-rules=MAP * ~NOTFOUND",  # no network
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # A driver path in Service: selenium-manager (which downloads) is not run.
    return webdriver.Chrome(
        service=webdriver.ChromeService(executable_path=driver), options=options
    )


def _comparison_report(folder):
    X, y = load_iris(return_X_y=True)
    result = compare_losses(
        X, y, losses=("mse", "cross_entropy", "hinge"), activations=("relu",), cv=2,
        label_noise=[0, 0.3], temperature_scaling=True, random_state=0,
    )  # fmt: skip
    return write_comparison(result, folder)


def _slowdown_report(folder):
    return write_slowdown(slowdown(epochs=60), folder)


REPORTS = {"comparison": _comparison_report, "slowdown": _slowdown_report}


@pytest.fixture(scope="module", params=list(REPORTS))
def page(request, tmp_path_factory):
    """Each report, written from a small run and loaded once at 1280 px wide.

    Yields the driver, the browser's console messages and the screenshot path.
    """
    browser, driver_path = _browser_and_driver()
    folder = tmp_path_factory.mktemp(request.param)
    report = REPORTS[request.param](folder)["report.html"]

    driver = _chromium(browser, driver_path)
    try:
        driver.set_page_load_timeout(60)
        driver.get(report.as_uri())
        console = driver.get_log("browser")
        height = driver.execute_script("return document.scrollingElement.scrollHeight")
        shot = driver.execute_cdp_cmd(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": WIDTH, "height": height, "scale": 1},
            },
        )
        screenshot = folder / f"report-{WIDTH}px.png"
        screenshot.write_bytes(base64.b64decode(shot["data"]))
        print(f"\nscreenshot of {report} at {WIDTH} px: {screenshot}")
        yield driver, console, screenshot
    finally:
        driver.quit()


def test_viewport_is_1280_px_wide(page):
    driver, _, _ = page
    assert driver.execute_script("return window.innerWidth") == WIDTH


def test_every_figure_decodes(page):
    driver, _, _ = page
    images = driver.execute_script(
        "return Array.from(document.images, img =>"
        " [img.alt, img.complete, img.naturalWidth]);"
    )
    assert len(images) >= 1, "the report shows no figure"
    broken = [alt for alt, complete, width in images if not (complete and width > 0)]
    assert not broken, f"figures that do not decode: {broken}"


def test_the_comparison_figures_are_shown_legibly(page, request):
    if request.node.callspec.params["page"] != "comparison":
        pytest.skip("checks the comparison report only")
    driver, _, _ = page
    images = driver.execute_script(
        "return Object.fromEntries(Array.from(document.images, img =>"
        " [img.alt, [img.complete, img.naturalWidth, img.naturalHeight,"
        "  img.getBoundingClientRect().width]]));"
    )
    for alt in [
        "heldout curves", "label noise", "reliability", "confusion matrices",
        "learning curves", "scores",
    ]:  # fmt: skip
        assert alt in images, f"no {alt} figure"
        complete, width, height, shown = images[alt]
        assert complete and width >= 600 and height >= 400, alt
        # Shown at least at half its size: the text in it stays readable.
        assert shown >= min(width, 1000) / 2, alt
    headings = driver.execute_script(
        "return Array.from(document.querySelectorAll('h2'), h => h.innerText);"
    )
    assert {"Calibration", "Held-out curves"} <= set(headings)


def test_no_console_error(page):
    _, console, _ = page
    errors = [entry["message"] for entry in console if entry["level"] == "SEVERE"]
    assert not errors


def test_no_horizontal_scroll(page):
    driver, _, _ = page
    scroll_width, inner_width = driver.execute_script(
        "return [document.scrollingElement.scrollWidth, window.innerWidth];"
    )
    assert scroll_width <= inner_width


def test_screenshot_is_written(page):
    _, _, screenshot = page
    assert screenshot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_slowdown_report_leads_with_its_conclusion(page, request):
    if request.node.callspec.params["page"] != "slowdown":
        pytest.skip("checks the slowdown report only")
    driver, _, _ = page
    lead = driver.execute_script(
        "return document.querySelector('h1').nextElementSibling.innerText;"
    )
    expected = slowdown_report(slowdown(epochs=60), output_dict=True)["conclusion"]
    assert lead == expected
