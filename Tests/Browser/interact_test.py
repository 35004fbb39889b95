"""Drives `slope interact` in headless Chromium at desktop and phone sizes: the page loads, a
slider moved by keyboard moves the curve, the loss and the loss surface, Step lowers the loss,
Run stops by itself, Stop leaves a true message, a step that raises the loss more than 2x warns,
a typed formula fits (and a bad one is refused with its column), every control has an accessible
name, sliders and touch targets are large enough on a phone, and the browser logs no errors. A
second server runs `slope interact --function 'a*sin(b*x) + c'`. Saves screenshots in a
temporary folder, stops the servers, prints `N passed, M failed` and exits non-zero when
anything failed.

Needs Debian's `chromium` and `chromium-driver` and PyPI's `selenium`, and a built `slope`
(`swift build`). Environment:
  SLOPE_BIN               the slope executable (default: .build/debug/slope in this repository)
  SLOPE_INTERACT_SCREENSHOTS  the folder for the screenshots (default: a new temporary folder)
  CHROMIUM, CHROMEDRIVER  the browser and driver (default: found on PATH)
"""

import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
SLOPE = os.environ.get("SLOPE_BIN") or str(ROOT / ".build" / "debug" / "slope")
SCREENSHOTS = os.environ.get("SLOPE_INTERACT_SCREENSHOTS") or tempfile.mkdtemp(prefix="slope-interact-")
WAIT = 30


class Checks:
    """Counts named checks; a failed check is reported and the run goes on where it can."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, condition, detail=""):
        if condition:
            self.passed += 1
            print(f"PASS {name}")
        else:
            self.failed += 1
            print(f"FAIL {name}{': ' + detail if detail else ''}")
        return condition


def start_server(*arguments):
    """Starts `slope interact --port 0 ARGUMENTS` and returns the process and the URL it prints first."""
    if not os.access(SLOPE, os.X_OK):
        raise RuntimeError(f"no slope executable at {SLOPE}; run `swift build` or set SLOPE_BIN")
    process = subprocess.Popen([SLOPE, "interact", "--port", "0", *arguments], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            line = process.stdout.readline().strip()
            if not re.fullmatch(r"http://127\.0\.0\.1:[0-9]+", line):
                stop_server(process)
                raise RuntimeError(f"the first line should be the URL, got {line!r}")
            return process, line
        if process.poll() is not None:
            raise RuntimeError(f"slope interact exited with {process.returncode}: {process.stderr.read()}")
    stop_server(process)
    raise RuntimeError("slope interact printed no URL within 60 s")


def stop_server(process):
    """SIGTERM (graceful shutdown), then SIGKILL if it lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def start_browser():
    options = Options()
    options.binary_location = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1360,1000", "--no-first-run", "--disable-extensions"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver_path = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
    return webdriver.Chrome(options=options, service=Service(executable_path=driver_path))


def loss(driver):
    value = driver.find_element(By.ID, "loss").get_attribute("data-value")
    return float(value) if value not in (None, "", "NaN") else float("nan")


def curve(driver):
    return driver.find_element(By.ID, "curve").get_attribute("d") or ""


def wait_for(driver, condition, timeout=WAIT):
    """Waits until `condition(driver)` is truthy; False on timeout."""
    try:
        WebDriverWait(driver, timeout, poll_frequency=0.05).until(lambda d: condition(d))
        return True
    except TimeoutException:
        return False


def text(driver, id):
    return driver.find_element(By.ID, id).text


def set_slider(driver, name, value):
    """Sets a slider's value and dispatches an input event, as a drag does."""
    driver.execute_script(
        "const s = document.querySelector('#params input[data-param=\"' + arguments[0] + '\"]');"
        "s.value = String(arguments[1]); s.dispatchEvent(new Event('input', { bubbles: true }));", name, value)


def settled(driver):
    """Waits until no request of the page is in flight (the surface is fetched after each change)."""
    return wait_for(driver, lambda d: d.execute_script("return !page.sending && !page.surfaceBusy && Object.keys(page.pending).length === 0"))


def surface_current(driver):
    c = driver.find_element(By.CSS_SELECTOR, "#surface [data-role=current]")
    return (float(c.get_attribute("cx")), float(c.get_attribute("cy")))


def surface_cells(driver):
    return driver.execute_script("return Array.from(document.querySelectorAll('#surface-cells rect')).map(r => r.getAttribute('fill')).join(',')")


def screenshot(driver, name):
    path = os.path.join(SCREENSHOTS, name)
    driver.save_screenshot(path)
    return path


def unnamed_controls(driver):
    """Controls (inputs, selects, buttons) whose computed accessible name is empty."""
    missing = []
    for control in driver.find_elements(By.CSS_SELECTOR, "input, select, button, textarea"):
        if not (control.accessible_name or "").strip():
            missing.append(control.get_attribute("id") or control.get_attribute("data-param") or control.tag_name)
    return missing


def run_checks(driver, url, checks):
    driver.get(url)
    loaded = wait_for(driver, lambda d: curve(d).startswith("M") and loss(d) == loss(d))
    checks.check("page loads with the points, the curve and the loss", loaded)
    if not loaded:
        return
    checks.check("title", "Slope" in driver.title, driver.title)
    names = [s.get_attribute("data-param") for s in driver.find_elements(By.CSS_SELECTOR, "#params input[type=range]")]
    checks.check("one slider per parameter", names == ["a", "b", "c"], str(names))
    points = driver.find_elements(By.CSS_SELECTOR, "#points circle")
    checks.check("the 20 points are drawn", len(points) == 20, str(len(points)))
    missing = unnamed_controls(driver)
    checks.check("every control has an accessible name", not missing, str(missing))
    titled = driver.execute_script("return Array.from(document.querySelectorAll('body [title]')).filter(e => !(e instanceof SVGElement)).map(e => e.outerHTML.slice(0, 80))")
    checks.check("no explanation lives only in a title tooltip", not titled, str(titled))
    valuetext = driver.find_element(By.CSS_SELECTOR, "#params input[data-param=a]").get_attribute("aria-valuetext")
    checks.check("sliders carry aria-valuetext", valuetext == "a = 1.5000", str(valuetext))
    live = driver.find_element(By.ID, "loss-announce").get_attribute("aria-live")
    checks.check("the loss has a live region", live == "polite", str(live))

    # The loss surface: over a (across) and b (up), the current point marked.
    settled(driver)
    surface = driver.find_element(By.ID, "surface")
    label = surface.get_attribute("aria-label") or ""
    checks.check("the loss surface is labelled", label.startswith("Loss surface over a") and " and b " in label, label)
    cells = driver.find_elements(By.CSS_SELECTOR, "#surface-cells rect")
    checks.check("the surface is drawn as a 31 x 31 heat map", len(cells) == 31 * 31, str(len(cells)))
    checks.check("the surface marks the current point", len(driver.find_elements(By.CSS_SELECTOR, "#surface [data-role=current]")) == 1)
    arrow = driver.find_element(By.CSS_SELECTOR, "#surface [data-role=gradient]")
    checks.check("the surface shows the -gradient arrow", arrow.get_attribute("visibility") == "visible")

    start_loss, start_curve = loss(driver), curve(driver)
    before_point, before_cells = surface_current(driver), surface_cells(driver)
    # Move slider a by keyboard: the current point on the surface moves across, the map stays.
    slider_a = driver.find_element(By.CSS_SELECTOR, "#params input[data-param=a]")
    slider_a.send_keys(Keys.PAGE_UP, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    moved = wait_for(driver, lambda d: loss(d) != start_loss and curve(d) != start_curve)
    settled(driver)
    after_point = surface_current(driver)
    checks.check("a slider moved by keyboard changes the curve and the loss", moved, f"loss {start_loss} -> {loss(driver)}")
    checks.check("the surface's current point follows the keyboard-moved slider", after_point[0] > before_point[0] and after_point[1] == before_point[1],
                 f"{before_point} -> {after_point}")
    hand = driver.find_elements(By.CSS_SELECTOR, "#surface-path [data-kind=hand]")
    checks.check("hand moves are drawn on the surface", len(hand) >= 1, str(len(hand)))
    # Move slider c (held on the a-b map): the map itself changes.
    set_slider(driver, "a", 1.5)
    wait_for(driver, lambda d: loss(d) == start_loss)
    settled(driver)
    set_slider(driver, "c", 3)
    wait_for(driver, lambda d: d.find_element(By.CSS_SELECTOR, "tr[data-param=c] .value").text == "3.0000")
    settled(driver)
    checks.check("the surface follows a held parameter's slider", wait_for(driver, lambda d: surface_cells(d) != before_cells))
    value_text = driver.find_element(By.CSS_SELECTOR, "tr[data-param=c] .value").text
    checks.check("the slider's value is shown", value_text == "3.0000", value_text)
    checks.check("c = 3 fits better than the start", loss(driver) < start_loss, f"{start_loss} -> {loss(driver)}")

    widths = driver.execute_script("return Array.from(document.querySelectorAll('#params thead th')).map(th => th.getBoundingClientRect().width)")
    before_step = loss(driver)
    driver.find_element(By.ID, "step").click()
    stepped = wait_for(driver, lambda d: text(d, "steps") == "1")
    checks.check("Step takes one step", stepped)
    checks.check("one step is \"1 step\"", text(driver, "steps-word") == "step", text(driver, "steps-word"))
    checks.check("Step lowers the loss", loss(driver) < before_step, f"{before_step} -> {loss(driver)}")
    move = driver.find_element(By.CSS_SELECTOR, "tr[data-param=a] .move").text
    slope = driver.find_element(By.CSS_SELECTOR, "tr[data-param=a] .last-gradient").text
    checks.check("Step shows each parameter's slope and move", move != "—" and slope != "—", f"slope {slope}, move {move}")
    try:
        checks.check("the move is -lr * slope", abs(float(move) + 0.01 * float(slope)) < 1e-3, f"slope {slope}, move {move}")
    except ValueError:
        checks.check("the move is -lr * slope", False, f"slope {slope}, move {move}")
    announced = wait_for(driver, lambda d: d.find_element(By.ID, "loss-announce").get_attribute("textContent").startswith("Loss "), timeout=5)
    checks.check("the live region announces the loss", announced, driver.find_element(By.ID, "loss-announce").get_attribute("textContent"))
    settled(driver)
    checks.check("Step's moves are drawn on the surface", len(driver.find_elements(By.CSS_SELECTOR, "#surface-path [data-kind=step]")) == 1)

    lr = driver.find_element(By.ID, "lr")
    lr.clear()
    lr.send_keys("0.05", Keys.ENTER)
    checks.check("Enter in the learning-rate field applies it", wait_for(driver, lambda d: text(d, "message").startswith("Learning rate 0.05"), timeout=5),
                 text(driver, "message"))
    before_run = loss(driver)
    driver.find_element(By.ID, "run").click()
    started = wait_for(driver, lambda d: text(d, "run") == "Stop", timeout=5)
    finished = wait_for(driver, lambda d: text(d, "run") == "Run", timeout=120)
    message = text(driver, "message")
    checks.check("Run runs and stops by itself", started and finished and message.startswith("Converged"), message)
    checks.check("Run lowers the loss", loss(driver) < before_run, f"{before_run} -> {loss(driver)}")
    history = driver.find_elements(By.CSS_SELECTOR, "#history polyline")
    checks.check("the loss history is drawn", len(history) == 1)
    after_widths = driver.execute_script("return Array.from(document.querySelectorAll('#params thead th')).map(th => th.getBoundingClientRect().width)")
    checks.check("the table's columns keep their widths", widths == after_widths, f"{widths} -> {after_widths}")
    path = screenshot(driver, "desktop-after-run.png")
    checks.check("desktop screenshot saved", os.path.getsize(path) > 10_000, path)

    # Stop: a long run (no tolerance) stopped by hand says where it stopped.
    driver.find_element(By.ID, "tol").clear()
    driver.find_element(By.ID, "tol").send_keys("0")
    lr.clear()
    lr.send_keys("0.0001")
    driver.find_element(By.ID, "run").click()
    wait_for(driver, lambda d: text(d, "run") == "Stop", timeout=5)
    wait_for(driver, lambda d: d.execute_script("return page.history.length > 60"), timeout=30)
    driver.find_element(By.ID, "run").click()
    stopped = wait_for(driver, lambda d: text(d, "run") == "Run", timeout=30)
    checks.check("Stop leaves a true message", stopped and re.match(r"Stopped after \d+ steps: loss ", text(driver, "message")) is not None,
                 text(driver, "message"))
    driver.find_element(By.ID, "tol").clear()
    driver.find_element(By.ID, "tol").send_keys("0.0001")

    driver.find_element(By.ID, "reset").click()
    reset = wait_for(driver, lambda d: text(d, "steps") == "0")
    checks.check("Reset goes back to the start", reset and loss(driver) == start_loss, f"{loss(driver)} vs {start_loss}")

    # Off scale: a curve that leaves the chart says so.
    for name in ["a", "b", "c"]:
        set_slider(driver, name, 5)
    off = wait_for(driver, lambda d: "off scale" in d.find_element(By.ID, "off-scale").get_attribute("textContent"))
    checks.check("a curve leaving the chart says \"off scale\"", off, driver.find_element(By.ID, "off-scale").get_attribute("textContent"))
    settled(driver)

    driver.find_element(By.ID, "new-points").click()
    renewed = wait_for(driver, lambda d: "seed 43" in text(d, "data-source"))
    checks.check("New points draws new points", renewed and loss(driver) != start_loss, text(driver, "data-source"))

    # A bad formula is refused with its column; a typed formula fits.
    box = driver.find_element(By.ID, "function-input")
    box.clear()
    box.send_keys("a*sin(b*x", Keys.ENTER)
    refused = wait_for(driver, lambda d: "column 10" in text(d, "function-error"), timeout=10)
    checks.check("a bad formula is refused with its column", refused, text(driver, "function-error"))
    box.clear()
    box.send_keys("a*x^2 + b*x + k", Keys.ENTER)
    switched = wait_for(driver, lambda d: [s.get_attribute("data-param") for s in d.find_elements(By.CSS_SELECTOR, "#params input[type=range]")] == ["a", "b", "k"])
    checks.check("a typed formula gets one slider per parameter", switched, text(driver, "formula"))
    checks.check("the formula is shown", text(driver, "formula") == "a*x^2 + b*x + k", text(driver, "formula"))
    settled(driver)
    formula_start = loss(driver)
    lr.clear()
    lr.send_keys("0.05")
    driver.find_element(By.ID, "run").click()
    wait_for(driver, lambda d: text(d, "run") == "Stop", timeout=5)
    wait_for(driver, lambda d: text(d, "run") == "Run", timeout=120)
    checks.check("the typed formula fits by Run", text(driver, "message").startswith("Converged") and loss(driver) < formula_start / 4,
                 f"{text(driver, 'message')} ({formula_start} -> {loss(driver)})")
    screenshot(driver, "desktop-formula.png")

    # A step that raises the loss more than 2x warns and suggests a smaller learning rate.
    box.clear()
    box.send_keys("relus:4", Keys.ENTER)
    wait_for(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#params input[type=range]")) == 13)
    pieces = driver.find_elements(By.CSS_SELECTOR, "#pieces path")
    checks.check("relus:4 draws its 4 pieces faintly", len(pieces) == 4, str(len(pieces)))
    settled(driver)
    lr.clear()
    lr.send_keys("5")
    before_big = loss(driver)
    driver.find_element(By.ID, "step").click()
    warned = wait_for(driver, lambda d: text(d, "steps") == "1")
    message = text(driver, "message")
    checks.check("a step that raises the loss more than 2x warns", warned and message.startswith("Warning:") and "smaller one, like 0.5" in message
                 and "warn" in driver.find_element(By.ID, "message").get_attribute("class"), f"{before_big} -> {loss(driver)}: {message}")
    screenshot(driver, "desktop-warning.png")

    # The one refusal this run asked for (the bad formula) is logged by the browser as a failed load.
    errors = [entry for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"
              and not ("/api/session" in entry.get("message", "") and "status of 400" in entry.get("message", ""))]
    checks.check("no errors in the browser console", not errors, str(errors))


def phone_checks(driver, url, checks):
    """The page at 390 x 844 CSS pixels (a phone held upright)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    driver.get(url)
    loaded = wait_for(driver, lambda d: curve(d).startswith("M") and loss(d) == loss(d))
    checks.check("phone: the page loads", loaded)
    if not loaded:
        return
    settled(driver)
    width = driver.execute_script("return window.innerWidth")
    checks.check("phone: the viewport is 390 px wide", width == 390, str(width))
    sliders = driver.execute_script("return Array.from(document.querySelectorAll('#params input[type=range]')).map(s => s.getBoundingClientRect().width)")
    checks.check("phone: every slider is at least 150 px wide", sliders and min(sliders) >= 150, str(sliders))
    small = driver.execute_script(
        "return Array.from(document.querySelectorAll('button, input, select')).map(e => [e.id || e.dataset.param, e.getBoundingClientRect()])"
        ".filter(([id, r]) => r.height < 44 || r.width < 44).map(([id, r]) => id + ' ' + Math.round(r.width) + 'x' + Math.round(r.height))")
    checks.check("phone: every touch target is at least 44 x 44 px", not small, str(small))
    overflow = driver.execute_script("return document.documentElement.scrollWidth")
    checks.check("phone: nothing is cut off (no sideways scrolling)", overflow <= 390, str(overflow))
    cut = driver.execute_script(
        "return Array.from(document.querySelectorAll('main *, header *')).filter(e => { const r = e.getBoundingClientRect(); "
        "return r.width > 0 && (r.right > 390.5 || r.left < -0.5); }).map(e => e.id || e.tagName).slice(0, 5)")
    checks.check("phone: every element lies within the screen", not cut, str(cut))
    slider_a = driver.find_element(By.CSS_SELECTOR, "#params input[data-param=a]")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", slider_a)
    before = surface_current(driver)
    slider_a.send_keys(Keys.PAGE_DOWN)
    settled(driver)
    checks.check("phone: the surface follows a keyboard-moved slider", wait_for(driver, lambda d: surface_current(d)[0] < before[0]),
                 f"{before} -> {surface_current(driver)}")
    driver.execute_script("window.scrollTo(0, 0)")
    path = screenshot(driver, "phone-top.png")
    checks.check("phone screenshot saved", os.path.getsize(path) > 10_000, path)
    driver.execute_script("document.getElementById('surface').scrollIntoView()")
    screenshot(driver, "phone-surface.png")
    errors = [entry for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]
    checks.check("phone: no errors in the browser console", not errors, str(errors))


def formula_flag_checks(driver, url, checks):
    """`slope interact --function 'a*sin(b*x) + c'`: the page starts with that formula."""
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.get(url)
    loaded = wait_for(driver, lambda d: curve(d).startswith("M") and loss(d) == loss(d))
    names = [s.get_attribute("data-param") for s in driver.find_elements(By.CSS_SELECTOR, "#params input[type=range]")]
    checks.check("--function: the page fits the formula", loaded and text(driver, "formula") == "a*sin(b*x) + c" and names == ["a", "b", "c"],
                 f"{text(driver, 'formula')} {names}")


def main():
    checks = Checks()
    servers = []
    driver = None
    os.makedirs(SCREENSHOTS, exist_ok=True)
    try:
        process, url = start_server()
        servers.append(process)
        print(f"server at {url}")
        driver = start_browser()
        run_checks(driver, url, checks)
        phone_checks(driver, url, checks)
        process, url = start_server("--function", "a*sin(b*x) + c")
        servers.append(process)
        formula_flag_checks(driver, url, checks)
    except Exception as error:  # a setup failure is one failed check, reported with its cause
        checks.check("setup", False, f"{type(error).__name__}: {error}")
    finally:
        if driver is not None:
            driver.quit()
        for process in servers:
            stop_server(process)
            checks.check("server stops on SIGTERM", process.returncode is not None, str(process.returncode))
    print(f"screenshots: {SCREENSHOTS}")
    print(f"{checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
