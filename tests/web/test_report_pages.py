"""Issue 14: the managers' reports in the workbench (/reports/), on SQLite and PostgreSQL:
who may read them, the hand-counted figures in the table, the chart's data as JSON (drawn
by a static script: CSP), CSV and xlsx downloads, and bad input answered 422/404, never 500.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from faircollect.adapters.db.uow import UnitOfWork
from faircollect.services import auth
from faircollect.services.manager_reports import REPORTS
from faircollect.web.app import create_app
from tests.integration import reports_world
from tests.web.conftest import PASSWORD, Clock
from tests.web.pages_support import sign_in_form

NOW = datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def client(db_engine: Engine) -> Iterator[TestClient]:
    reports_world.build(db_engine)
    with UnitOfWork(db_engine) as uow:
        for user_id in ("sup", "c1", "comp"):
            auth.set_password(uow, user_id, PASSWORD)
    with TestClient(create_app(db_engine, clock=Clock(NOW))) as c:
        yield c


def test_a_supervisor_reads_each_report_with_table_chart_and_downloads(client: TestClient) -> None:
    sign_in_form(client, "sup")
    index = client.get("/reports/")
    assert index.status_code == 200
    for name in REPORTS:
        assert f'href="/reports/{name}"' in index.text
    page = client.get("/reports/buckets?date=2026-10-31")
    assert page.status_code == 200, page.text
    # M1: L3 + L4 + L5, counted by hand in reports_world.
    assert re.search(
        r"<td>M1</td><td class=\"num\">3</td><td class=\"num\">37.50%</td>"
        r"<td class=\"num\">350.00</td>",
        page.text,
    ), page.text
    assert "<script>" not in page.text  # only the JSON block and script files
    data = json.loads(
        re.search(
            r'<script type="application/json" id="report-data">(.*?)</script>', page.text, re.S
        ).group(1)  # type: ignore[union-attr]
    )
    assert data["names"][:2] == ["M0", "M1"]
    assert data["series"][0]["data"][:2] == [2, 3]
    assert data["series"][1]["data"][1] == 405.0
    assert 'href="/reports/buckets/download?format=xlsx&date=2026-10-31"' in page.text.replace(
        "&amp;", "&"
    )
    roll = client.get("/reports/roll-rates?from=2026-10-31&to=2026-11-30")
    assert roll.status_code == 200 and "33.33%" in roll.text  # M1 -> M2: 1 of 3
    for name in ("ptp", "contact", "collectors", "compliance"):
        answer = client.get(f"/reports/{name}?from=2026-11-01&to=2026-11-30")
        assert answer.status_code == 200, (name, answer.text)
    assert "49.38%" in client.get("/reports/recovery?from=2026-10-31&to=2026-11-30").text
    vintage = client.get("/reports/vintage?date=2026-11-30").text
    assert "44.44%" in vintage and "MOB5" in vintage
    assert "230.00" in client.get("/reports/collectors?from=2026-11-01&to=2026-11-30").text

    csv = client.get("/reports/ptp/download?format=csv&from=2026-11-01&to=2026-11-30")
    assert csv.status_code == 200 and csv.content.startswith("\ufeff".encode())
    assert "c1,t1,3,600.00,1,1,1,0,150.00,0.3333" in csv.content.decode("utf-8-sig")
    assert 'filename="ptp_2026-11-01_2026-11-30.csv"' in csv.headers["content-disposition"]
    xlsx = client.get("/reports/roll-rates/download?format=xlsx&from=2026-10-31&to=2026-11-30")
    assert xlsx.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert sheet["A4"].value == "M1" and sheet["D4"].value == 1  # M1 -> M2 accounts


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/reports/nonsense", 404, "没有这张报表"),
        ("/reports/buckets?date=2026-13-01", 422, "不是有效的日期"),
        (
            "/reports/buckets?date=2026-11-01",
            422,
            "2026-11-01 没有保存的账户状态（已保存 2 天：2026-10-31 至 2026-11-30）",
        ),
        (
            "/reports/roll-rates?from=2026-11-30&to=2026-10-31",
            422,
            "开始日期 2026-11-30 应早于结束日期 2026-10-31",
        ),
        ("/reports/roll-rates?from=2026-10-31&to=2026-10-31", 422, "这张报表比较两个日期"),
        ("/reports/recovery?to=2026-10-31", 422, "请同时填写"),
        ("/reports/ptp?from=2026-11-01", 422, "请同时填写"),
        ("/reports/ptp/download?format=pdf", 422, "csv 或 xlsx"),
        ("/reports/buckets?date=" + "9" * 11, 422, "date"),
        ("/reports/ptp?from=0001-01-01&to=9999-12-31", 422, "0001-01-01 is before"),
        ("/reports/contact?date=9999-12-31", 422, "9999-12-31 is after"),
        ("/reports/ptp/download?format=xlsx&from=2026-11-01&to=9999-12-31", 422, "is after"),
    ],
)
def test_bad_input_is_a_page_saying_why_never_500(
    client: TestClient, path: str, status: int, words: str
) -> None:
    sign_in_form(client, "sup")
    answer = client.get(path)
    assert answer.status_code == status, answer.text
    assert words in answer.text


def test_every_report_the_index_links_opens_and_no_refusal_speaks_cli(
    client: TestClient,
) -> None:
    """The index links each report without dates: the two-date reports ask for the two
    nights (the stored range filled in) instead of refusing with the CLI's --from/--to."""
    sign_in_form(client, "sup")
    index = client.get("/reports/").text
    for link in re.findall(r'href="(/reports/[^"/]+)"', index):
        answer = client.get(link)
        assert answer.status_code == 200, (link, answer.text)
        assert "--from" not in answer.text and "--date" not in answer.text, link
    roll = client.get("/reports/roll-rates").text
    assert "请选择开始和结束日期" in roll
    assert 'name="from" value="2026-10-31"' in roll and 'name="to" value="2026-11-30"' in roll
    assert "已保存 2 天的账户状态：2026-10-31 至 2026-11-30" in roll


def test_a_collector_may_not_read_reports(client: TestClient) -> None:
    sign_in_form(client, "c1")
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/buckets").status_code == 403
    assert client.get("/reports/buckets/download?format=csv").status_code == 403
    assert 'href="/reports/"' not in client.get("/").text


def test_compliance_reads_them(client: TestClient) -> None:
    sign_in_form(client, "comp")
    assert client.get("/reports/contact?date=2026-11-01").status_code == 200


def test_report_pages_run_no_inline_script_or_style(client: TestClient) -> None:
    sign_in_form(client, "sup")
    for path in (
        "/reports/",
        "/reports/buckets",
        "/reports/roll-rates?from=2026-10-31&to=2026-11-30",
        "/reports/ptp",
        "/reports/contact",
        "/reports/collectors",
    ):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert "script-src 'self'" in answer.headers["content-security-policy"]
        assert ' style="' not in answer.text, path
        for tag in re.findall(r"<script[^>]*>", answer.text):
            assert 'src="/static/' in tag or 'type="application/json"' in tag, (path, tag)


def test_no_combination_of_dates_answers_500(client: TestClient) -> None:
    sign_in_form(client, "sup")
    values = ["", "x", "2026-02-30", "2026-10-31", "2026-11-30", "2026-11-15", "0001-01-01"]
    for name in REPORTS:
        for query in (
            *(f"date={v}" for v in values),
            *(f"from={a}&to={b}" for a in values for b in values),
        ):
            answer = client.get(f"/reports/{name}?{query}")
            assert answer.status_code in (200, 422), (name, query, answer.status_code)


def test_the_pages_read_the_reports_the_night_kept_and_compute_the_others(
    client: TestClient, db_engine: Engine
) -> None:
    from datetime import date

    from sqlalchemy import update

    from faircollect.adapters.db import tables as t
    from faircollect.domain.casework.roles import Actor, Role
    from faircollect.domain.reports import report_from_json
    from faircollect.services import manager_reports as reports

    night = date(2026, 10, 31)
    with UnitOfWork(db_engine) as uow:
        assert reports.keep_night(uow, night) == ["buckets", "vintage"]
    reader = Actor("sup", Role.SUPERVISOR)
    with UnitOfWork(db_engine) as uow:
        for name in reports.KEPT:
            kept = uow.conn.execute(
                t.report_cache.select().where(
                    t.report_cache.c.name == name, t.report_cache.c.night == night
                )
            ).one()
            computed = reports.build(uow, reader, name, reports.Dates(night, night), night)
            assert report_from_json(kept.body) == computed  # the kept copy is the report
    sign_in_form(client, "sup")
    fresh = client.get("/reports/buckets?date=2026-10-31").text
    assert "账龄分布 2026-10-31" in fresh
    with db_engine.begin() as conn:  # mark the kept copy to see which one the page shows
        rc = t.report_cache
        body = conn.execute(rc.select().where(rc.c.name == "buckets")).one().body
        conn.execute(
            update(rc)
            .where(rc.c.name == "buckets")
            .values(body=body.replace("账龄分布 2026-10-31", "账龄分布（夜间缓存）"))
        )
    assert "账龄分布（夜间缓存）" in client.get("/reports/buckets?date=2026-10-31").text
    with db_engine.begin() as conn:
        conn.execute(t.report_cache.delete())
    assert "账龄分布 2026-10-31" in client.get("/reports/buckets?date=2026-10-31").text
