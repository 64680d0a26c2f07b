"""CLI: ``apr`` (a loan's true cost, or any repayment stream's) and ``loan show``.

Thin: it reads the loan and its payments, asks the domain (``true_cost``, ``replay``) and
renders. Amounts are always shown as yuan with 2 decimals, rates as decimals with 6 places in
JSON and as percentages with 4 places in tables.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn
from zoneinfo import ZoneInfo

import typer

from faircollect.domain.bad_input import BadInput
from faircollect.domain.ledger.adjustments import Adjustment, LoanRestructured, WaivedComponent
from faircollect.domain.ledger.replay import Allocation, InstallmentPosition, Origin
from faircollect.domain.ledger.state import AccountState
from faircollect.domain.ledger.terms import LoanTerms, Method, Payment
from faircollect.domain.limits import Bounds
from faircollect.domain.money import MoneyError, format_yuan, parse_yuan_text
from faircollect.domain.rates import DEFAULT_TOTAL_COST_CAP, LenderType, RateCap, RateTableError
from faircollect.domain.records import FieldError, iso_date
from faircollect.domain.true_cost import TrueCost, irr_of_flows
from faircollect.views.loans import percent_text, rate_text, true_cost_json

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from faircollect.services.loans import LoanFile

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")
RATE_PLACES = Decimal("0.000001")
EXIT_BAD_INPUT = 2

METHOD_LABELS = {
    Method.EQUAL_INSTALLMENT: "等额本息",
    Method.EQUAL_PRINCIPAL: "等额本金",
    Method.INTEREST_ONLY: "先息后本",
    Method.BULLET: "到期还本付息",
}
COMPONENT_LABELS = {
    "penalty": "罚息",
    "fee": "服务费",
    "interest": "利息",
    "principal": "本金",
    "credit": "溢缴",
}
ORIGIN_LABELS = {Origin.CONTRACT: "合同", Origin.ARREARS: "结转欠款", Origin.PLAN: "分期"}
WAIVER_LABELS = {WaivedComponent.PENALTY: "减免罚息", WaivedComponent.INTEREST: "减免利息"}
STAGE_LABELS = {
    "current": "正常",
    "pre_due": "逾期前",
    "early": "逾期前期",
    "intensive": "强力催收",
    "legal": "诉讼/委外",
}

LenderOption = Annotated[
    LenderType,
    typer.Option(help="private (民间借贷: 4 x LPR, RATE-1) or licensed (持牌机构: RATE-2)."),
]
CapOption = Annotated[
    str, typer.Option(help="RATE-2 total cost cap (APR, monthly IRR x 12) for licensed lenders.")
]
UrlOption = Annotated[
    str | None, typer.Option(help="Database URL (default: env or ./faircollect.db).")
]


class InputError(BadInput):
    """Bad input, named by the field it came from."""


def register(app: typer.Typer) -> None:
    """Attach ``apr`` and the ``loan`` group (``loan show``) to the root app."""
    app.command("apr")(apr)
    loan_app = typer.Typer(help="One loan (贷款): terms, schedule, payments, state, true cost.")
    loan_app.command("show")(loan_show)
    app.add_typer(loan_app, name="loan")


# --- commands -------------------------------------------------------------------------------


def apr(
    loan_id: str | None = typer.Argument(None, help="The loan to analyse (omit with --stdin)."),
    stdin: bool = typer.Option(
        False, "--stdin", help="Read one JSON object {received, disbursed_on, payments} instead."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    lender_type: LenderOption = LenderType.LICENSED,
    total_cost_cap: CapOption = str(DEFAULT_TOTAL_COST_CAP),
    database_url: UrlOption = None,
    limits_file: Path | None = typer.Option(
        None,
        "--limits",
        envvar="FAIRCOLLECT_LIMITS",
        help="With --stdin: YAML file changing the plausibility bounds (amounts, dates).",
    ),
) -> None:
    """True cost (借款真实年化成本): IRR-based APR, 砍头息, fees, and the lawful excess."""
    cap_rate = _cap_option(total_cost_cap)
    if stdin == (loan_id is not None):
        _fail("give either LOAN_ID or --stdin, not both and not neither")
    if stdin:
        _echo_json(_stdin_cost(_read_stdin(), lender_type, cap_rate, limits_file))
        return
    assert loan_id is not None
    cost = _loan_file_or_fail(database_url, loan_id, _today(), lender_type, cap_rate).cost
    if as_json:
        _echo_json(true_cost_json(cost))
        return
    from rich.console import Console

    console = Console()
    console.print(true_cost_table(cost))
    _print_notes(console, cost.lawful.notes)


def loan_show(
    loan_id: str = typer.Argument(..., help="The loan to show."),
    as_of: str | None = typer.Option(None, help="Business date (default: today, Asia/Shanghai)."),
    lender_type: LenderOption = LenderType.LICENSED,
    total_cost_cap: CapOption = str(DEFAULT_TOTAL_COST_CAP),
    database_url: UrlOption = None,
) -> None:
    """Show one loan: terms, schedule (还款计划), payments and allocation, state, true cost."""
    from rich.console import Console

    day = _as_of_or_today(as_of)
    found = _loan_file_or_fail(database_url, loan_id, day, lender_type, _cap_option(total_cost_cap))
    loan, ledger, cost = found.loan, found.ledger, found.cost
    terms, payments = loan.terms, loan.payments
    console = Console()
    console.print(terms_table(terms))
    if loan.adjustments:
        console.print(adjustments_table(loan.adjustments))
    console.print(schedule_table(ledger.positions))
    console.print(allocation_table(payments, ledger.allocations, day))
    console.print(state_table(ledger.state))
    console.print(true_cost_table(cost))
    _print_notes(console, cost.lawful.notes)


# --- input ----------------------------------------------------------------------------------


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def _cap_option(text: str) -> Decimal:
    try:
        rate = Decimal(text)
    except InvalidOperation:
        _fail(f"--total-cost-cap: not a decimal rate: {text!r}")
    if not (rate.is_finite() and 0 < rate < 10):
        _fail(f"--total-cost-cap: {text!r} is not a rate such as 0.24")
    return rate


def _today() -> date:
    return datetime.now(BUSINESS_TZ).date()


def _as_of_or_today(text: str | None) -> date:
    from faircollect.cli.dates import option_date

    return option_date(text, "--as-of")


def _cap_for(lender: LenderType, contract_date: date, total_cost_cap: Decimal) -> RateCap:
    from faircollect.services.loans import cap_for

    return cap_for(lender, contract_date, total_cost_cap)


def _loan_file_or_fail(
    url: str | None, loan_id: str, day: date, lender: LenderType, cap_rate: Decimal
) -> LoanFile:
    """The loan's file through the same use case the workbench calls."""
    from faircollect.adapters.db.uow import UnitOfWork
    from faircollect.cli.database import open_engine
    from faircollect.domain.casework.errors import CaseworkError, NotFound
    from faircollect.services.loans import loan_file

    engine = open_engine(url)
    try:
        with UnitOfWork(engine) as uow:
            return loan_file(uow, loan_id, day, lender, cap_rate)
    except NotFound:
        _fail(f"unknown loan id: {loan_id!r}")
    except CaseworkError as err:
        _fail(str(err))
    finally:
        engine.dispose()


# --- the --stdin form -----------------------------------------------------------------------

STDIN_FIELDS = {"received", "disbursed_on", "payments"}
PAYMENT_FIELDS = {"on", "amount"}
MAX_STDIN_BYTES = 1024 * 1024
"""The largest ``--stdin`` document: a loan's payments, not a data dump."""
MAX_PAYMENTS = 10_000
MAX_TERM_YEARS = 50
"""Payments later than this after the disbursement are refused (the longest loan term
faircollect imports is 600 months)."""


class _JsonNumber(str):
    """A JSON number kept as the text it was written as, so it is read by the same parser
    as a CSV amount (``money.parse_yuan_text``): no exponent, no float, no rounding."""


def parse_flow_request(
    text: str, bounds: Bounds | None = None
) -> tuple[int, date, list[tuple[date, int]]]:
    """The ``--stdin`` object as (received fen, disbursement date, [(date, fen)]).

    Amounts may be strings ("1000.00") or JSON numbers (1000, 1000.00); either way they are
    read exactly as the importer reads a CSV amount. ``bounds`` (the plausibility limits)
    bound the amounts and the disbursement date. Errors (``InputError``) name the field
    (``payments[2].amount``).
    """
    try:
        data = json.loads(
            text, parse_float=_JsonNumber, parse_int=_JsonNumber, parse_constant=_no_constant
        )
    except (json.JSONDecodeError, InputError) as err:
        raise InputError(f"stdin: not one JSON object: {err}") from err
    except RecursionError:
        raise InputError("stdin: not one JSON object: nested too deeply") from None
    _check_keys(data, STDIN_FIELDS, "stdin")
    received = _amount(data["received"], "received", bounds)
    start = _date(data["disbursed_on"], "disbursed_on")
    if bounds is not None:
        problem = bounds.day(start, bounds.latest_disbursed, "disbursed_on_future_days")
        if problem:
            raise InputError(f"disbursed_on: {problem}")
    items = data["payments"]
    if not isinstance(items, list) or not items:
        raise InputError("payments: must be a non-empty list of {on, amount}")
    if len(items) > MAX_PAYMENTS:
        raise InputError(f"payments: more than {MAX_PAYMENTS:,} payments")
    payments = [
        _payment(item, f"payments[{index}]", start, bounds) for index, item in enumerate(items)
    ]
    return received, start, payments


def _no_constant(name: str) -> NoReturn:
    raise InputError(f"{name} is not a number")


def _check_keys(data: object, expected: set[str], where: str) -> None:
    if not isinstance(data, dict):
        raise InputError(f"{where}: must be a JSON object")
    missing, unknown = expected - data.keys(), data.keys() - expected
    if missing:
        raise InputError(f"{where}.{sorted(missing)[0]}: required")
    if unknown:
        raise InputError(f"{where}.{_quoted(sorted(unknown)[0])}: unknown field")


def _quoted(name: str) -> str:
    return name if len(name) <= 40 and name.isprintable() else repr(name[:40])


def _payment(item: object, where: str, start: date, bounds: Bounds | None) -> tuple[date, int]:
    _check_keys(item, PAYMENT_FIELDS, where)
    assert isinstance(item, dict)
    day = _date(item["on"], f"{where}.on")
    if day <= start:
        raise InputError(f"{where}.on: {day.isoformat()} is not after disbursed_on")
    if (day - start).days > MAX_TERM_YEARS * 366:
        raise InputError(
            f"{where}.on: {day.isoformat()} is more than {MAX_TERM_YEARS} years after "
            "disbursed_on (no loan runs that long)"
        )
    return day, _amount(item["amount"], f"{where}.amount", bounds)


def _amount(value: object, field: str, bounds: Bounds | None = None) -> int:
    if not isinstance(value, str):
        raise InputError(f'{field}: must be an amount in yuan such as "1000.00"')
    try:
        fen = parse_yuan_text(value)
    except MoneyError as err:
        raise InputError(f"{field}: {err}") from err
    if fen <= 0:
        raise InputError(f"{field}: must be positive")
    problem = bounds.amount(fen) if bounds is not None else None
    if problem:
        raise InputError(f"{field}: {problem}")
    return fen


def _date(value: object, field: str) -> date:
    if not isinstance(value, str) or isinstance(value, _JsonNumber):
        raise InputError(f"{field}: must be an ISO date string (YYYY-MM-DD)")
    try:
        return iso_date(value)
    except FieldError as err:
        raise InputError(f"{field}: not an ISO date (YYYY-MM-DD): {value[:40]!r}") from err


def _stdin_cost(
    text: str, lender: LenderType, cap_rate: Decimal, limits_file: Path | None = None
) -> dict[str, Any]:
    from faircollect.adapters.limits_file import load_limits

    bounds = load_limits(limits_file).bounds(datetime.now(BUSINESS_TZ).date())
    try:
        received, start, payments = parse_flow_request(text, bounds)
        cap = _cap_for(lender, start, cap_rate)
    except (InputError, RateTableError) as err:
        _fail(str(err))
    cost = irr_of_flows(received, start, payments)
    return {
        "received": format_yuan(cost.received),
        "total_paid": format_yuan(cost.total_paid),
        "cost": format_yuan(cost.cost),
        "monthly_irr": rate_text(cost.irr.monthly),
        "apr_irr": rate_text(cost.irr.apr),
        "effective_annual": rate_text(cost.irr.effective_annual),
        "period_basis": "months on the disbursement day's calendar; apr_irr = monthly IRR x 12",
        "cap": {
            "rule": cap.rule_id,
            "rate": rate_text(cap.rate),
            "within": cost.irr.within(cap.rate),
        },
    }


def _read_stdin() -> str:
    """The ``--stdin`` document: UTF-8, at most ``MAX_STDIN_BYTES``."""
    data = sys.stdin.buffer.read(MAX_STDIN_BYTES + 1)
    if len(data) > MAX_STDIN_BYTES:
        _fail(f"stdin: longer than {MAX_STDIN_BYTES:,} bytes; expected one loan's JSON object")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        _fail(f"stdin: not UTF-8 text (byte 0x{data[err.start]:02X} at offset {err.start})")


# --- output ---------------------------------------------------------------------------------


def _echo_json(data: dict[str, Any]) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _label_table(title: str, rows: Iterable[tuple[str, str]]) -> Table:
    """A two-column (label, value) table, values right-aligned."""
    from rich.table import Table

    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column("项目 Item")
    table.add_column("值 Value", justify="right", no_wrap=True)
    for label, value in rows:
        table.add_row(label, value)
    return table


def true_cost_table(cost: TrueCost) -> Table:
    """The true cost and lawful view with Chinese + English labels."""
    lawful = cost.lawful
    return _label_table(
        f"真实成本 True cost · {cost.loan_id}",
        [
            ("合同本金 Contract principal", format_yuan(cost.contract_principal)),
            ("名义年利率 Nominal rate", percent_text(cost.nominal_rate)),
            ("实际到手 Received", format_yuan(cost.received)),
            ("砍头息 Up-front deduction", format_yuan(cost.upfront_deduction)),
            ("利息合计 Total interest", format_yuan(cost.total_interest)),
            ("服务费合计 Total fees", format_yuan(cost.total_fees)),
            ("应还合计 Scheduled total", format_yuan(cost.scheduled_total)),
            ("真实年化(IRR) APR, monthly IRR x 12", percent_text(cost.apr_irr)),
            ("有效年利率 Effective annual rate", percent_text(cost.effective_annual)),
            (f"合法上限 Lawful cap ({lawful.cap_rule})", percent_text(lawful.cap_rate)),
            ("合法本金 Lawful principal", format_yuan(lawful.principal)),
            ("合法应还 Lawful total", format_yuan(lawful.lawful_total)),
            ("超出部分 Excess", format_yuan(lawful.excess)),
        ],
    )


def _print_notes(console: Console, notes: Iterable[str]) -> None:
    for note in notes:
        console.print(f"  · {note}", highlight=False)


def terms_table(terms: LoanTerms) -> Table:
    """The contract (贷款条款)."""
    return _label_table(
        f"贷款 Loan {terms.loan_id} · 借款人 {terms.borrower_id} · 产品 {terms.product}",
        [
            ("合同本金 Contract principal", format_yuan(terms.principal)),
            ("实际到手 Received", format_yuan(terms.received)),
            ("名义年利率 Nominal rate", percent_text(terms.annual_rate)),
            ("期限 Term", f"{terms.term_months} 个月"),
            ("还款方式 Method", f"{METHOD_LABELS[terms.method]} {terms.method.value}"),
            ("放款日 Disbursed on", terms.disbursed_on.isoformat()),
            ("日罚息率 Daily penalty rate", percent_text(terms.penalty_rate_daily)),
            ("宽限期 Grace days", str(terms.grace_days)),
            ("服务费/期 Fee per installment", format_yuan(terms.periodic_fee)),
        ],
    )


def _amount_table(title: str, headers: tuple[str, ...], amount_from: int) -> Table:
    """A table whose columns from ``amount_from`` on are right-aligned amounts."""
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for index, header in enumerate(headers):
        amount = index >= amount_from
        table.add_column(header, justify="right" if amount else "left", no_wrap=amount)
    return table


def schedule_table(positions: Iterable[InstallmentPosition]) -> Table:
    """还款计划: each installment's principal, interest, fee and total, where it comes from
    (contract, arrears or plan of a restructure) and what changed it.

    A superseded installment shows what it was due; the total counts only what it was
    finally paid (the rest moved to the plan), so the principal total is the contract's.
    """
    table = _amount_table(
        "还款计划 Schedule",
        ("期数 No.", "到期日 Due", "本金", "利息", "服务费", "合计", "来源/说明 Origin, notes"),
        2,
    )
    table.columns[-1].justify = "left"
    sums = [0, 0, 0, 0]
    for position in positions:
        due = position.installment
        parts = (due.principal, due.interest, due.fee, due.total)
        kept = _kept(position)
        sums = [total + part for total, part in zip(sums, kept, strict=True)]
        table.add_row(
            str(due.number),
            due.due_on.isoformat(),
            *map(format_yuan, parts),
            _note(position),
        )
    table.add_row("合计", "", *map(format_yuan, sums), "", style="bold")
    return table


def _kept(position: InstallmentPosition) -> tuple[int, int, int, int]:
    """What the installment finally claims: all of it, or what was paid if superseded."""
    if position.superseded_on is None:
        due = position.installment
        return due.principal, due.interest, due.fee, due.total
    paid = (position.principal_paid, position.interest_paid, position.fee_paid)
    return (*paid, sum(paid))


def _note(position: InstallmentPosition) -> str:
    notes = [ORIGIN_LABELS[position.origin]]
    if position.superseded_on is not None:
        notes.append(f"已重组 {position.superseded_on.isoformat()} 起由分期取代")
    if position.penalty_carried:
        notes.append(f"结转罚息 {format_yuan(position.penalty_carried)}")
    if position.waived_interest:
        notes.append(f"减免利息 {format_yuan(position.waived_interest)}")
    if position.waived_penalty:
        notes.append(f"减免罚息 {format_yuan(position.waived_penalty)}")
    if position.proposal_id and position.superseded_on is None:
        notes.append(f"方案 {position.proposal_id}")
    return "; ".join(notes)


def adjustments_table(adjustments: Iterable[Adjustment]) -> Table:
    """调整记录: approved restructures (分期) and waivers (减免), in ledger order."""
    table = _amount_table(
        "调整记录 Adjustments",
        ("方案 Proposal", "生效日 Effective", "类型 Kind", "内容 Terms", "审批 By", "原因 Reason"),
        9,
    )
    for item in adjustments:
        if isinstance(item, LoanRestructured):
            plan = item.plan
            kind = "分期重组"
            what = (
                f"本金 {format_yuan(item.outstanding_principal)} 分 {plan.months} 期，"
                f"年利率 {percent_text(plan.annual_rate)}，{METHOD_LABELS[plan.method]}，"
                f"首期 {plan.first_due.isoformat()}"
            )
        else:
            kind = WAIVER_LABELS[item.component]
            what = format_yuan(item.amount)
        table.add_row(
            item.proposal_id,
            item.effective_on.isoformat(),
            kind,
            what,
            item.approved_by,
            item.reason,
        )
    return table


def allocation_table(
    payments: list[Payment], allocations: Iterable[Allocation], as_of: date
) -> Table:
    """还款记录与分配: each payment and the shares it settled, by installment and component."""
    table = _amount_table(
        "还款记录与分配 Payments and allocation",
        ("还款编号 Payment", "还款日 Paid on", "期数 No.", "科目 Component", "金额", "分配"),
        4,
    )
    by_payment = {p.payment_id: p for p in payments}
    shown: set[str] = set()
    for share in allocations:
        first = share.payment_id not in shown
        shown.add(share.payment_id)
        payment = by_payment[share.payment_id]
        table.add_row(
            payment.payment_id if first else "",
            payment.paid_on.isoformat() if first else "",
            str(share.installment) if share.installment else "-",
            COMPONENT_LABELS[share.component.value],
            format_yuan(payment.amount) if first else "",
            format_yuan(share.amount),
        )
    later = sum(1 for p in payments if p.paid_on > as_of)
    if later:
        table.caption = f"{later} 笔还款晚于 {as_of.isoformat()} (payments after the as-of date)"
    return table


def state_table(state: AccountState) -> Table:
    """账户状态 as of the business date: DPD, bucket, stage, overdue amounts."""
    next_due = state.next_due_on.isoformat() if state.next_due_on else "-"
    return _label_table(
        f"账户状态 State as of {state.as_of.isoformat()}",
        [
            ("逾期天数 DPD", str(state.dpd)),
            ("账龄 Bucket", state.bucket),
            ("阶段 Stage", f"{STAGE_LABELS[state.stage.value]} {state.stage.value}"),
            ("逾期本金 Overdue principal", format_yuan(state.overdue_principal)),
            ("逾期利息 Overdue interest", format_yuan(state.overdue_interest)),
            ("逾期服务费 Overdue fee", format_yuan(state.overdue_fee)),
            ("罚息 Penalty payable", format_yuan(state.penalty)),
            ("逾期合计 Total overdue", format_yuan(state.total_overdue)),
            ("剩余本金 Outstanding principal", format_yuan(state.outstanding_principal)),
            ("溢缴 Credit", format_yuan(state.credit)),
            ("已还合计 Paid in total", format_yuan(state.paid_total)),
            ("下一到期日 Next due", next_due),
        ],
    )
