"""``make screenshots``: the workbench's main pages as PNGs in docs/screenshots/.

Builds the demo workbench (``demo_world``) in a temporary SQLite database, serves it at
10:30 on the demo's business day, and walks Debian's Chromium through the pages as the
people who use them. Run: ``python -m tests.browser.screenshots [--out DIR]``.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from faircollect.adapters.data_keys import KEY_BYTES, Keyring, use_keyring
from faircollect.adapters.db.engine import create_schema, make_engine
from tests.browser import demo_world
from tests.browser.live import CHROMIUM, chromium, serving, sign_in

VIEWPORT = {"width": 1440, "height": 900}


def shoot(page: Any, out: Path, name: str, full: bool = True) -> None:
    page.wait_for_load_state("networkidle")
    path = out / f"{name}.png"
    page.screenshot(path=str(path), full_page=full)
    print(f"  {path}")


def session(browser: Any, base: str, user_id: str) -> Any:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    sign_in(page, base, user_id, demo_world.PASSWORD)
    return page


def take(base: str, demo: demo_world.Demo, out: Path) -> None:
    with chromium() as browser:
        context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
        login = context.new_page()
        login.goto(f"{base}/login")
        shoot(login, out, "01-login", full=False)

        collector = session(browser, base, "C101")
        shoot(collector, out, "02-today")

        collector.goto(f"{base}/cases/{demo.collector_case}")
        collector.wait_for_selector(".ledger")
        collector.fill("#contact-form input[name=at]", f"{demo.day.isoformat()}T23:00")
        collector.click("#contact-form button[type=submit]")
        collector.wait_for_selector("#contact-result .refusal")
        collector.locator("#contact-result").scroll_into_view_if_needed()
        shoot(collector, out, "03-case-refused-contact")

        collector.goto(f"{base}/cases/{demo.collector_case}")
        collector.click("text=开始首次催收电话")
        collector.wait_for_url(f"{base}/calls/*")
        steps = ("档案已看过，开始拨打", "本人接听", "继续", "今天还不了", "收入下降")
        for done, label in enumerate(steps):
            collector.click(f"form.answer button:has-text('{label}')")
            collector.locator("ol.steps li.done").nth(done).wait_for()
        shoot(collector, out, "04-first-call")

        supervisor = session(browser, base, "S001")
        supervisor.goto(f"{base}/team")
        shoot(supervisor, out, "05-supervisor")

        agency = session(browser, base, "A101")
        agency.goto(f"{base}/agency")
        shoot(agency, out, "06-agency")

        compliance = session(browser, base, "K001")
        compliance.goto(f"{base}/compliance")
        shoot(compliance, out, "07-compliance")

        qa = session(browser, base, "Q001")
        qa.goto(f"{base}/qa")
        shoot(qa, out, "08-qa")

        supervisor.goto(f"{base}/overview")
        supervisor.wait_for_selector("#chart-status[data-drawn]")
        shoot(supervisor, out, "09-overview")

        supervisor.goto(f"{base}/reports/buckets")
        supervisor.wait_for_selector("#report-chart[data-drawn]")
        shoot(supervisor, out, "11-report-buckets")

        supervisor.goto(f"{base}/reports/collectors")
        supervisor.wait_for_selector("#report-chart[data-drawn]")
        shoot(supervisor, out, "12-report-collectors")

        supervisor.goto(f"{base}/api/docs")
        shoot(supervisor, out, "10-api-docs", full=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    # Throwaway keys for the throwaway database: nothing configured is needed or touched.
    keys = Keyring(secrets.token_bytes(KEY_BYTES), secrets.token_bytes(KEY_BYTES))
    with use_keyring(keys), tempfile.TemporaryDirectory(prefix="faircollect-shots-") as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'demo.db'}")
        create_schema(engine)
        demo = demo_world.build(engine)
        print(f"demo workbench built in {time.monotonic() - started:.1f} s")
        with serving(engine, lambda: demo.clock_at) as base:
            take(base, demo, args.out)
        engine.dispose()
    print(f"screenshots in {args.out} ({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
