#!/usr/bin/env python3
"""Drives `slope interact` in headless Chromium: the page loads, a slider moves the curve and
the loss, Step lowers the loss, Run stops by itself with a lower loss, Reset and New points work,
and the browser logs no errors. Saves a screenshot, stops the server, prints `N passed, M failed`
and exits non-zero when anything failed.

Needs Debian's `chromium` and `chromium-driver` and PyPI's `selenium`, and a built `slope`
(`swift build`). Environment:
  SLOPE_BIN               the slope executable (default: .build/debug/slope in this repository)
  SLOPE_INTERACT_SCREENSHOT  where to save the screenshot (default: /tmp/slope-interact.png)
  CHROMIUM, CHROMEDRIVER  the browser and driver (default: found on PATH)
"""

import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
SLOPE = os.environ.get("SLOPE_BIN") or str(ROOT / ".build" / "debug" / "slope")
SCREENSHOT = os.environ.get("SLOPE_INTERACT_SCREENSHOT") or "/tmp/slope-interact.png"
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


def start_server():
    """Starts `slope interact --port 0` and returns the process and the URL it prints first."""
    if not os.access(SLOPE, os.X_OK):
        raise RuntimeError(f"no slope executable at {SLOPE}; run `swift build` or set SLOPE_BIN")
    process = subprocess.Popen([SLOPE, "interact", "--port", "0"], stdout=subprocess.PIPE,
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
    start_loss, start_curve = loss(driver), curve(driver)

    # Move slider c (set the value and dispatch an input event, as a drag does).
    driver.execute_script(
        "const s = document.querySelector('#params input[data-param=\"c\"]');"
        "s.value = '3'; s.dispatchEvent(new Event('input', { bubbles: true }));")
    moved = wait_for(driver, lambda d: loss(d) != start_loss and curve(d) != start_curve)
    checks.check("moving a slider changes the curve and the loss", moved,
                 f"loss {start_loss} -> {loss(driver)}")
    value_text = driver.find_element(By.CSS_SELECTOR, "tr[data-param=c] .value").text
    checks.check("the slider's value is shown", value_text == "3.0000", value_text)
    checks.check("c = 3 fits better than the start", loss(driver) < start_loss, f"{start_loss} -> {loss(driver)}")

    before_step = loss(driver)
    driver.find_element(By.ID, "step").click()
    stepped = wait_for(driver, lambda d: d.find_element(By.ID, "steps").text == "1")
    checks.check("Step takes one step", stepped)
    checks.check("Step lowers the loss", loss(driver) < before_step, f"{before_step} -> {loss(driver)}")
    move = driver.find_element(By.CSS_SELECTOR, "tr[data-param=a] .move").text
    slope = driver.find_element(By.CSS_SELECTOR, "tr[data-param=a] .last-gradient").text
    checks.check("Step shows each parameter's slope and move", move != "—" and slope != "—", f"slope {slope}, move {move}")
    try:
        checks.check("the move is -lr * slope", abs(float(move) + 0.01 * float(slope)) < 1e-3, f"slope {slope}, move {move}")
    except ValueError:
        checks.check("the move is -lr * slope", False, f"slope {slope}, move {move}")

    before_run = loss(driver)
    driver.find_element(By.ID, "lr").clear()
    driver.find_element(By.ID, "lr").send_keys("0.05")
    driver.find_element(By.ID, "run").click()
    started = wait_for(driver, lambda d: d.find_element(By.ID, "run").text == "Stop", timeout=5)
    finished = wait_for(driver, lambda d: d.find_element(By.ID, "run").text == "Run", timeout=120)
    message = driver.find_element(By.ID, "message").text
    checks.check("Run runs and stops by itself", started and finished and message.startswith("Converged"), message)
    checks.check("Run lowers the loss", loss(driver) < before_run, f"{before_run} -> {loss(driver)}")
    history = driver.find_elements(By.CSS_SELECTOR, "#history polyline")
    checks.check("the loss history is drawn", len(history) == 1)
    driver.save_screenshot(SCREENSHOT)
    checks.check("screenshot saved", os.path.getsize(SCREENSHOT) > 10_000, SCREENSHOT)

    driver.find_element(By.ID, "reset").click()
    reset = wait_for(driver, lambda d: d.find_element(By.ID, "steps").text == "0")
    checks.check("Reset goes back to the start", reset and loss(driver) == start_loss, f"{loss(driver)} vs {start_loss}")

    driver.find_element(By.ID, "new-points").click()
    renewed = wait_for(driver, lambda d: "seed 43" in d.find_element(By.ID, "data-source").text)
    checks.check("New points draws new points", renewed and loss(driver) != start_loss,
                 driver.find_element(By.ID, "data-source").text)

    errors = [entry for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]
    checks.check("no errors in the browser console", not errors, str(errors))


def main():
    checks = Checks()
    process = None
    driver = None
    try:
        process, url = start_server()
        print(f"server at {url}")
        driver = start_browser()
        run_checks(driver, url, checks)
    except Exception as error:  # a setup failure is one failed check, reported with its cause
        checks.check("setup", False, f"{type(error).__name__}: {error}")
    finally:
        if driver is not None:
            driver.quit()
        if process is not None:
            stop_server(process)
            checks.check("server stops on SIGTERM", process.returncode is not None, str(process.returncode))
    print(f"screenshot: {SCREENSHOT}")
    print(f"{checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
