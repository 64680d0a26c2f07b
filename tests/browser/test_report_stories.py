"""Browser story (issue 14): a supervisor opens the reports from the navigation, the chart
draws from the page's JSON block under the CSP, and the Excel download is a workbook with
the report's Chinese headers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

OpenAs = Callable[[str], Any]


def test_a_supervisor_reads_the_contact_report_and_downloads_it(
    base_url: str, signed_in_page: OpenAs, tmp_path: Path
) -> None:
    page = signed_in_page("S001")
    page.click("nav.mainnav a:text('报表')")
    page.wait_for_url(f"{base_url}/reports/")
    page.click("a:text('联系与触达')")
    page.wait_for_url(f"{base_url}/reports/contact")
    page.wait_for_selector("#report-chart[data-drawn] canvas")
    assert "触达率" in page.locator("table").first.inner_text()
    with page.expect_download() as waiting:
        page.click("a:text('下载 Excel')")
    saved = tmp_path / "contact.xlsx"
    waiting.value.save_as(saved)
    sheet = load_workbook(saved).worksheets[0]
    assert [c.value for c in sheet[2]][:3] == ["渠道", "联系次数", "接通次数"]
