"""A report (``domain.reports.Report``) written as Markdown, JSON, CSV or an Excel workbook.

Money is yuan with two decimals everywhere: text in Markdown, JSON and CSV, and in Excel a
number (exact: the fen as a ``Decimal``) with the format ``#,##0.00``; rates are decimal
strings (``"0.3125"``) in text and numbers with ``0.00%`` in Excel. Headers are the
Chinese column titles; JSON keys are the column keys.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from faircollect.domain.money import fen_to_decimal
from faircollect.domain.reports import Kind, Report, Table, show

FORMATS = ("md", "json", "csv", "xlsx")


def _dates(report: Report) -> dict[str, str]:
    if report.start == report.end:
        return {"date": report.start.isoformat()}
    return {"from": report.start.isoformat(), "to": report.end.isoformat()}


def plain_rows(table: Table) -> list[dict[str, Any]]:
    """The rows with money as yuan strings and rates as decimal strings."""
    return [{c.key: show(row.get(c.key), c.kind) for c in table.columns} for row in table.rows]


def as_json(report: Report) -> str:
    """The report's own shape when it has one (roll rates), else its tables by name."""
    if report.data:
        body: dict[str, Any] = dict(report.data)
    else:
        body = {
            "report": report.name,
            **_dates(report),
            **{t.name: plain_rows(t) for t in report.tables},
        }
    return json.dumps(body, ensure_ascii=False, indent=2)


def _cell(value: Any, kind: Kind) -> str:
    shown = show(value, kind)
    return "" if shown is None else str(shown)


def as_markdown(report: Report) -> str:
    lines = [f"# {report.title}", ""]
    for table in report.tables:
        lines += [f"## {table.title}", ""]
        lines.append("| " + " | ".join(c.title for c in table.columns) + " |")
        lines.append(
            "|" + "|".join("---" if c.kind is Kind.TEXT else "---:" for c in table.columns) + "|"
        )
        for row in table.rows:
            cells = (_cell(row.get(c.key), c.kind) or "—" for c in table.columns)
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def as_csv(report: Report) -> str:
    """Every table, one after another: a line with the table's title, the header, the rows;
    a blank line between tables."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for i, table in enumerate(report.tables):
        if i:
            writer.writerow([])
        writer.writerow([f"{report.title} — {table.title}"])
        writer.writerow([c.title for c in table.columns])
        for row in table.rows:
            writer.writerow([_cell(row.get(c.key), c.kind) for c in table.columns])
    return out.getvalue()


def as_xlsx(report: Report) -> bytes:
    """One sheet per table: a title row, the Chinese header row (frozen), the rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for table in report.tables:
        sheet = book.create_sheet(title=_sheet_name(table.title))
        sheet.append([f"{report.title} — {table.title}"])
        sheet["A1"].font = Font(bold=True)
        sheet.append([c.title for c in table.columns])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A3"
        for row in table.rows:
            sheet.append([_excel(row.get(c.key), c.kind) for c in table.columns])
        for i, column in enumerate(table.columns, start=1):
            letter = get_column_letter(i)
            sheet.column_dimensions[letter].width = max(10, 2 * len(column.title) + 2)
            number_format = {
                Kind.MONEY: "#,##0.00",
                Kind.RATE: "0.00%",
                Kind.COUNT: "0",
            }.get(column.kind)
            if number_format:
                for cells in sheet.iter_rows(min_row=3, min_col=i, max_col=i):
                    cells[0].number_format = number_format
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _excel(value: Any, kind: Kind) -> Any:
    if value is None:
        return None
    if kind is Kind.MONEY:
        return fen_to_decimal(int(value))
    return value


def _sheet_name(title: str) -> str:
    bad = set("[]:*?/\\")
    return "".join("_" if ch in bad else ch for ch in title)[:31] or "sheet"


def render(report: Report, fmt: str) -> bytes:
    """The report in ``fmt`` (one of ``FORMATS``) as bytes (text as UTF-8)."""
    if fmt == "xlsx":
        return as_xlsx(report)
    text = {"md": as_markdown, "json": as_json, "csv": as_csv}[fmt](report)
    return text.encode("utf-8")
