#!/usr/bin/env python3
"""Screenshots of `svclint report` pages for docs/ (headless chromium, as the tests use).

    python scripts/report_screenshots.py REPORT.html OUT.png [--namespace NS] [--tab routing]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("report")
    parser.add_argument("out")
    parser.add_argument("--tab", default="routing", choices=("findings", "routing"))
    parser.add_argument("--namespace", help="the namespace to show (default the first)")
    parser.add_argument("--click", help="title of a map edge to click, to show its explain chain")
    parser.add_argument("--size", default="1500x1100")
    args = parser.parse_args()
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
    try:
        width, height = (int(n) for n in args.size.split("x"))
        driver.set_window_size(width, height)
        driver.get(Path(args.report).resolve().as_uri())
        for _ in range(100):
            if driver.execute_script("return document.body.dataset.ready") == "true":
                break
            time.sleep(0.1)
        driver.find_element(By.ID, f"tab-{args.tab}").click()
        if args.namespace:
            select = Select(driver.find_element(By.ID, "namespace"))
            for option in select.options:
                if option.text.split(" ")[0] == args.namespace:
                    select.select_by_value(option.get_attribute("value") or "0")
        if args.click:
            for edge in driver.find_elements(By.CSS_SELECTOR, "#map path.edge"):
                if edge.find_element(By.TAG_NAME, "title").get_attribute("textContent") == args.click:
                    driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", edge)
                    break
        driver.save_screenshot(args.out)
    finally:
        driver.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
