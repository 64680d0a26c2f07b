"""CLI commands for casework: cases, contacts, the guided call, proposals, visits,
agencies, QA and users. Thin: parse options, call ``faircollect.services.casework``, print.

Exit codes: 0 done; 1 refused by a rule (the reasons are listed); 2 bad input; 3 permission
denied. Times default to now in Asia/Shanghai; pass ``--at`` / ``--on`` to be explicit.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

import typer

if TYPE_CHECKING:
    from faircollect.adapters.db.uow import UnitOfWork
    from faircollect.domain.casework.call_session import CallSession

SHANGHAI = ZoneInfo("Asia/Shanghai")
T = TypeVar("T")

case_app = typer.Typer(help="Cases (案件): open, list, show.", no_args_is_help=True)
contact_app = typer.Typer(help="Contact records (催记).", no_args_is_help=True)
proposal_app = typer.Typer(help="Instalment plans and waivers (分期 / 减免).", no_args_is_help=True)
visit_app = typer.Typer(help="Home visits (外访).", no_args_is_help=True)
agency_app = typer.Typer(
    help="Agencies (委外): placement, recall, statement.", no_args_is_help=True
)
qa_app = typer.Typer(help="Quality inspection (质检).", no_args_is_help=True)
user_app = typer.Typer(help="Users and roles for --as.", no_args_is_help=True)

Db = Annotated[
    str | None, typer.Option("--db", help="Database URL (default: env or ./faircollect.db).")
]
As = Annotated[str, typer.Option("--as", envvar="FAIRCOLLECT_USER", help="Acting user id.")]
At = Annotated[str | None, typer.Option("--at", help="ISO time (default now, Asia/Shanghai).")]
On = Annotated[str | None, typer.Option("--on", help="Date YYYY-MM-DD (default today).")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _fail(message: str, code: int) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _moment(value: str | None, option: str = "--at") -> datetime:
    """An aware time: naive input is Shanghai wall-clock time."""
    from faircollect.cli.dates import option_moment

    return option_moment(value, option)


def _day(value: str | None, option: str = "--on") -> date:
    from faircollect.cli.dates import option_date

    return option_date(value, option)


@contextmanager
def _unit(db: str | None) -> Iterator[UnitOfWork]:
    """A unit of work whose domain errors become messages and exit codes."""
    from faircollect.adapters.db.uow import UnitOfWork
    from faircollect.cli.database import open_engine
    from faircollect.domain.bad_input import BadInput
    from faircollect.domain.casework.errors import (
        CaseworkError,
        NotFound,
        PermissionDenied,
        Refused,
    )

    engine = open_engine(db)
    try:
        with UnitOfWork(engine) as uow:
            yield uow
    except BadInput:
        raise  # a bad file or value: one line and exit 2 (cli.failures)
    except PermissionDenied as err:
        _fail(f"permission denied: {err}", 3)
    except NotFound as err:
        _fail(f"not found: {err}", 1)
    except Refused as err:
        _fail("refused:\n" + "\n".join(f"  - {r}" for r in err.reasons), 1)
    except CaseworkError as err:
        _fail(f"refused: {err}", 1)
    finally:
        engine.dispose()


def _run(db: str | None, user: str | None, work: Callable[[UnitOfWork, Any], T]) -> T:
    """Run ``work(uow, actor)`` in one unit of work (actor None when ``user`` is None)."""
    from faircollect.services.organisation import actor_for

    with _unit(db) as uow:
        return work(uow, actor_for(uow, user) if user is not None else None)
    raise AssertionError("unreachable")


def run_as(db: str | None, user: str, work: Callable[[UnitOfWork, Any], T]) -> T:
    """``work(uow, actor)`` as ``user`` in one unit of work, refusals as exit codes (the
    casework contract: 1 refused, 2 bad input, 3 permission denied)."""
    return _run(db, user, work)


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date | datetime | Decimal):
        return str(value)
    return value


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(_plain(value), ensure_ascii=False, indent=2))


# Users ---------------------------------------------------------------------------------


@user_app.command("load")
def user_load(file: Path, db: Db = None) -> None:
    """Load the organisation: teams, users with their roles and 分案 capacity, agencies
    (example: src/faircollect/data/org/example.yaml)."""
    from faircollect.adapters.input_files import read_text_file
    from faircollect.services.organisation import load_organisation

    text = read_text_file(file)
    loaded = _run(db, None, lambda uow, _: load_organisation(uow, text, str(file)))
    typer.echo(
        f"loaded {loaded.users} users, {loaded.teams} teams and {loaded.agencies} agencies"
        f" from {file}"
    )


@user_app.command("passwd")
def user_passwd(user_id: str, db: Db = None) -> None:
    """Set a user's workbench password, read from standard input (not echoed on a
    terminal; at least 10 characters)."""
    import sys
    from getpass import getpass

    from faircollect.services.auth import set_password

    if sys.stdin.isatty():
        password = getpass(f"new password for {user_id}: ")
        if getpass("again: ") != password:
            _fail("the two passwords differ; nothing changed", 2)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    _run(db, None, lambda uow, _: set_password(uow, user_id, password))
    typer.echo(f"password set for {user_id}")


# Cases ---------------------------------------------------------------------------------


@case_app.command("open")
def case_open(
    owner: Annotated[str, typer.Option(help="Collector who gets the new cases.")],
    on: On = None,
    db: Db = None,
) -> None:
    """Open a case per borrower for delinquent loans not yet in an open case."""
    from faircollect.services.casework.open_cases import open_cases

    day = _day(on)
    opened = _run(db, None, lambda uow, _: open_cases(uow, day, owner))
    typer.echo(f"opened {len(opened)} case(s)" + "".join(f"\n{c}" for c in opened))


@case_app.command("follow-promises")
def case_follow_promises(on: On = None, db: Db = None) -> None:
    """Move promised cases whose promises the nightly run settled on the day."""
    from faircollect.services.casework.promise_outcomes import follow_promises

    day = _day(on)
    moved = _run(db, None, lambda uow, _: follow_promises(uow, day))
    for case_id, status in moved.items():
        typer.echo(f"{case_id}\t{status}")


@case_app.command("list")
def case_list(
    user: As,
    status: Annotated[str | None, typer.Option(help="Only this status.")] = None,
    query: Annotated[
        str | None, typer.Option("--q", help="Case, loan or borrower id, phone, or name.")
    ] = None,
    sort: Annotated[
        str, typer.Option(help="case_id, dpd, total_overdue, opened_on, status (-x: reverse).")
    ] = "case_id",
    on: On = None,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """The cases you may see: a collector their own, a supervisor their team's, an agency
    user only the cases placed with their agency."""
    from faircollect.domain.casework.cases import CaseStatus
    from faircollect.services.casework.cases import list_cases

    wanted = _maybe(CaseStatus, status, "--status")
    day = _day(on)
    found = _run(
        db, user, lambda uow, actor: list_cases(uow, actor, day, wanted, query=query, sort=sort)
    )
    lines = found.items
    if as_json:
        _print_json(lines)
        return
    for c in lines:
        typer.echo(f"{c.case_id}\t{c.borrower_id}\t{c.status}\t{c.owner}\t{' '.join(c.loan_ids)}")


@case_app.command("show")
def case_show(case_id: str, user: As, on: On = None, db: Db = None) -> None:
    """Everything on file for a case (JSON): borrower (masked by role), contacts, loans,
    history, 催记, promises, proposals, visits, follow-ups."""
    from faircollect.services.casework.cases import show_case

    day = _day(on)
    _print_json(_run(db, user, lambda uow, actor: show_case(uow, actor, case_id, day)))


# Contacts ------------------------------------------------------------------------------


def _choice(enum: Callable[[str], T], value: str, option: str) -> T:
    """``enum(value)``, or exit 2 naming the option and the allowed values."""
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(str(v) for v in enum)  # type: ignore[attr-defined]
        _fail(f"{option}: '{value}' is not one of {allowed}", 2)
    raise AssertionError("unreachable")


def _maybe(enum: Callable[[str], T], value: str | None, option: str) -> T | None:
    return None if value is None else _choice(enum, value, option)


@contact_app.command("add")
def contact_add(
    case_id: str,
    user: As,
    channel: Annotated[str, typer.Option(help="call, sms, email, letter, visit...")],
    party: Annotated[str, typer.Option(help="borrower, guarantor, emergency_contact...")],
    number: Annotated[str, typer.Option(help="Phone number / address contacted.")],
    outcome: Annotated[str, typer.Option(help="no_answer, borrower_reached, promise...")],
    reason: Annotated[str | None, typer.Option(help="Reason for delinquency.")] = None,
    note: Annotated[str, typer.Option(help="The note (screened for QA).")] = "",
    loan: Annotated[str | None, typer.Option(help="Loan the contact was about.")] = None,
    purpose: Annotated[str | None, typer.Option(help="collect, locate, relay, notify.")] = None,
    recorded: Annotated[bool, typer.Option(help="Was the call recorded?")] = True,
    discloses_debt: Annotated[
        bool | None, typer.Option(help="Third parties: was the debt mentioned?")
    ] = None,
    at: At = None,
    db: Db = None,
) -> None:
    """Record a contact (催记); refused with the gate's reasons if it would have been denied."""
    from faircollect.domain.casework.contacts import Outcome, Reason
    from faircollect.domain.compliance.actions import Channel, Party, Purpose
    from faircollect.services.casework.contacts import ContactFacts, NewContact, add_contact

    new = NewContact(
        case_id,
        _moment(at),
        _choice(Channel, channel, "--channel"),
        _choice(Party, party, "--party"),
        number,
        _choice(Outcome, outcome, "--outcome"),
        _maybe(Reason, reason, "--reason"),
        note,
        loan,
        ContactFacts(recorded, _maybe(Purpose, purpose, "--purpose"), discloses_debt),
    )
    # An operator's tool on the server: the contact is recorded as of its own --at.
    record = _run(db, user, lambda uow, actor: add_contact(uow, actor, new, today=new.at.date()))
    typer.echo(f"recorded {record.record_id} on case {case_id}: {record.outcome}")


# The guided call -----------------------------------------------------------------------


def _ask(session: CallSession) -> None:
    """Walk the session in the terminal with Rich prompts until the call ends."""
    from rich.console import Console
    from rich.prompt import Prompt

    from faircollect.domain.casework.call_script import Step
    from faircollect.domain.casework.call_session import INTERRUPTIONS
    from faircollect.domain.casework.errors import CaseworkError

    console = Console()
    while (prompt := session.next_prompt()) is not None:
        console.rule(prompt.title)
        for line in prompt.details:
            console.print(f"  • {line}")
        label = "说" if prompt.spoken else "提示"
        console.print(f"[bold]{label}：[/bold]{prompt.say}")
        console.print(f"[dim]{prompt.guide}[/dim]")
        answer: Any
        if prompt.step is Step.PREPARE:
            answer = "ok"
            Prompt.ask("准备好后按回车", default="", show_default=False)
        elif prompt.step is Step.UPDATE_FILE:
            answer = Prompt.ask("催记备注", default="")
        elif set(prompt.choices) <= set(INTERRUPTIONS):
            choices = ["ok", *prompt.choices]
            answer = Prompt.ask("继续(ok) 或 结束", choices=choices, default="ok")
        elif prompt.choices:
            answer = Prompt.ask("结果", choices=list(prompt.choices))
            if prompt.step is Step.OBTAIN_PROMISE and answer == "promise":
                answer = {"amount": Prompt.ask("承诺金额（元）"), "due": Prompt.ask("还款日期")}
        else:
            answer = Prompt.ask("回车继续", default="ok", show_default=False)
        try:
            session.answer(prompt.step, answer)
        except CaseworkError as err:
            console.print(f"[red]{err}[/red]")


def call(
    case_id: str,
    user: As,
    answers: Annotated[
        Path | None, typer.Option(help="YAML/JSON step: answer file (non-interactive).")
    ] = None,
    loan: Annotated[
        str | None, typer.Option(help="Loan to call about (default: most overdue).")
    ] = None,
    at: At = None,
    db: Db = None,
) -> None:
    """The guided first call (第一个催收电话): eight steps, then the 催记, promise, follow-up."""
    from faircollect.domain.casework.call_session import load_answers, run_answers
    from faircollect.services.casework.first_call import finish_call, start_call

    moment = _moment(at)
    given = None
    if answers is not None:
        from faircollect.adapters.input_files import read_text_file

        text = read_text_file(answers)
        given = _run(db, None, lambda _uow, _: load_answers(text, str(answers)))

    session = _run(
        db,
        user,
        lambda uow, actor: start_call(uow, actor, case_id, moment, loan_id=loan),
    )
    # The call itself runs outside any transaction (it may take minutes at the terminal).
    if given is None:
        _ask(session)
    else:
        _run(db, None, lambda _uow, _: run_answers(session, given))
    stored = _run(db, user, lambda uow, actor: finish_call(uow, actor, session))
    result = stored.result
    typer.echo(f"催记 {result.record.record_id}: {result.record.outcome}")
    if result.promise is not None:
        from faircollect.domain.money import format_yuan

        p = result.promise
        typer.echo(f"承诺 {stored.promise_id}: {format_yuan(p.amount)} 元，{p.due} 前")
    typer.echo(f"跟进: {result.follow_up.action} on {result.follow_up.on}")
    if result.missing_tasks:
        typer.echo("未完成的核心任务: " + ", ".join(result.missing_tasks))
    if stored.findings:
        typer.echo(f"备注有 {stored.findings} 处违规用语，已转质检")


# Proposals -----------------------------------------------------------------------------


@proposal_app.command("submit")
def proposal_submit(
    case_id: str,
    user: As,
    loan: Annotated[str, typer.Option(help="Loan the proposal is for.")],
    months: Annotated[int | None, typer.Option(help="Plan: number of installments.")] = None,
    rate: Annotated[str, typer.Option(help="Plan: annual rate, e.g. 0 or 0.12.")] = "0",
    first_due: Annotated[str | None, typer.Option(help="Plan: first due date.")] = None,
    waive_penalty: Annotated[str | None, typer.Option(help="Waiver of penalty, yuan.")] = None,
    waive_interest: Annotated[str | None, typer.Option(help="Waiver of interest, yuan.")] = None,
    note: Annotated[str, typer.Option()] = "",
    on: On = None,
    db: Db = None,
) -> None:
    """Submit an instalment plan (--months, --rate, --first-due) or a waiver."""
    from faircollect.domain.casework.proposals import InstalmentPlan, WaivedComponent, Waiver
    from faircollect.domain.money import MoneyError, parse_yuan
    from faircollect.services.casework.proposals import submit_proposal

    chosen = [x for x in (months, waive_penalty, waive_interest) if x is not None]
    if len(chosen) != 1:
        _fail("give exactly one of --months (a plan), --waive-penalty, --waive-interest", 2)
    terms: Any
    try:
        if months is not None:
            if first_due is None:
                _fail("--first-due is required for a plan", 2)
            terms = InstalmentPlan(months, Decimal(rate), _day(first_due, "--first-due"))
        elif waive_penalty is not None:
            terms = Waiver(WaivedComponent.PENALTY, parse_yuan(waive_penalty))
        else:
            terms = Waiver(WaivedComponent.INTEREST, parse_yuan(str(waive_interest)))
    except (ArithmeticError, MoneyError, ValueError) as err:
        _fail(f"bad amount or rate: {err}", 2)
    day = _day(on)
    proposal = _run(
        db, user, lambda uow, actor: submit_proposal(uow, actor, case_id, loan, terms, day, note)
    )
    typer.echo(f"submitted {proposal.proposal_id} ({proposal.status})")


@proposal_app.command("approve")
def proposal_approve(
    proposal_id: str,
    user: As,
    reason: Annotated[str, typer.Option(help="Why (stored with the decision).")],
    on: On = None,
    db: Db = None,
) -> None:
    """Approve (supervisor). The ledger applies the plan or waiver from today (see
    ``loan show``); the next nightly run recomputes the loan."""
    from faircollect.domain.casework.proposals import LoanRestructured
    from faircollect.domain.money import format_yuan
    from faircollect.services.casework.proposals import approve_proposal

    day = _day(on)
    _, event = _run(
        db, user, lambda uow, actor: approve_proposal(uow, actor, proposal_id, day, reason)
    )
    typer.echo(f"approved {proposal_id}")
    if isinstance(event, LoanRestructured):
        for i in event.new:
            typer.echo(
                f"  {i.number}\t{i.due_on}\t本金 {format_yuan(i.principal)}"
                f"\t利息 {format_yuan(i.interest)}"
            )
    else:
        typer.echo(f"  waived {event.component} {format_yuan(event.amount)} 元")


@proposal_app.command("reject")
def proposal_reject(
    proposal_id: str,
    user: As,
    reason: Annotated[str, typer.Option(help="Why (stored with the decision).")],
    on: On = None,
    db: Db = None,
) -> None:
    """Reject (supervisor), with a reason."""
    from faircollect.services.casework.proposals import reject_proposal

    day = _day(on)
    _run(db, user, lambda uow, actor: reject_proposal(uow, actor, proposal_id, day, reason))
    typer.echo(f"rejected {proposal_id}")


@proposal_app.command("list")
def proposal_list(
    user: As,
    status: Annotated[str | None, typer.Option(help="pending, approved, rejected.")] = None,
    on: On = None,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """Proposals, oldest first."""
    from faircollect.domain.casework.proposals import ProposalStatus
    from faircollect.services.casework.proposals import list_proposals

    wanted = _maybe(ProposalStatus, status, "--status")
    day = _day(on)
    found = _run(db, user, lambda uow, actor: list_proposals(uow, actor, day, wanted))
    if as_json:
        _print_json(found)
        return
    for p in found:
        typer.echo(f"{p.proposal_id}\t{p.case_id}\t{p.loan_id}\t{p.status}\t{p.submitted_by}")


# Visits --------------------------------------------------------------------------------


@visit_app.command("plan")
def visit_plan(
    case_id: str,
    user: As,
    visit_type: Annotated[str, typer.Option("--type", help="confirm, locate, breach.")],
    address: Annotated[str, typer.Option()],
    staff: Annotated[str, typer.Option(help="Staff ids, comma-separated (exactly 2).")],
    identified: Annotated[bool, typer.Option(help="Staff will identify themselves.")] = True,
    recorded: Annotated[bool, typer.Option(help="The visit will be recorded.")] = True,
    at: At = None,
    db: Db = None,
) -> None:
    """Plan a visit; refused unless it passes CN-VISIT-1 (a visit notice letter on record
    for the case, sent before the visit day; 2 staff; identified; recorded)."""
    from faircollect.domain.casework.visits import VisitType
    from faircollect.services.casework import visits

    request = visits.VisitRequest(
        case_id,
        _choice(VisitType, visit_type, "--type"),
        _moment(at),
        address,
        tuple(s.strip() for s in staff.split(",") if s.strip()),
        identified,
        recorded,
    )
    planned = _run(db, user, lambda uow, actor: visits.plan(uow, actor, request))
    typer.echo(f"planned {planned.plan.visit_id} on {planned.plan.planned_on}")


@visit_app.command("record")
def visit_record(
    visit_id: str,
    user: As,
    staff: Annotated[str, typer.Option(help="Staff present, comma-separated.")],
    outcome: Annotated[str, typer.Option(help="met_borrower, promise, not_home, moved...")],
    recording: Annotated[str, typer.Option(help="Reference of the stored recording.")],
    note: Annotated[str, typer.Option()] = "",
    at: At = None,
    db: Db = None,
) -> None:
    """Record a visit's outcome against its plan."""
    from faircollect.domain.casework.visits import VisitOutcome
    from faircollect.services.casework import visits

    moment = _moment(at)
    done = _choice(VisitOutcome, outcome, "--outcome")
    present = tuple(s.strip() for s in staff.split(",") if s.strip())
    _run(
        db,
        user,
        lambda uow, actor: visits.record(
            uow,
            actor,
            visit_id,
            moment,
            present,
            done,
            recording,
            note,
        ),
    )
    typer.echo(f"recorded visit {visit_id}: {outcome}")


# Agencies ------------------------------------------------------------------------------


@agency_app.command("place")
def agency_place(
    case_id: str,
    agency: str,
    user: As,
    recall_on: Annotated[str | None, typer.Option(help="Planned recall date.")] = None,
    on: On = None,
    db: Db = None,
) -> None:
    """Place a case with an agency (supervisor)."""
    from faircollect.services.casework.agencies import place_case

    day = _day(on)
    until = _day(recall_on, "--recall-on") if recall_on else None
    placement = _run(
        db, user, lambda uow, actor: place_case(uow, actor, case_id, agency, day, until)
    )
    typer.echo(f"placed {case_id} with {agency} from {day} ({placement})")


@agency_app.command("recall")
def agency_recall(
    case_id: str,
    user: As,
    to: Annotated[str, typer.Option(help="Collector who takes the case back.")],
    reason: Annotated[str, typer.Option()] = "recall",
    on: On = None,
    db: Db = None,
) -> None:
    """Recall a case from its agency (supervisor)."""
    from faircollect.services.casework.agencies import recall_case

    day = _day(on)
    _run(db, user, lambda uow, actor: recall_case(uow, actor, case_id, day, reason, to))
    typer.echo(f"recalled {case_id} on {day} to {to}")


@agency_app.command("statement")
def agency_statement(
    agency: str,
    user: As,
    month: Annotated[str, typer.Option(help="YYYY-MM.")],
    db: Db = None,
    as_json: Json = False,
) -> None:
    """The agency's commission statement for a month (rate × money repaid while placed)."""
    from faircollect.domain.money import format_yuan
    from faircollect.services.casework.agencies import statement

    try:
        year, number = (int(x) for x in month.split("-"))
    except ValueError:
        _fail(f"--month: '{month}' is not YYYY-MM", 2)
    result = _run(db, user, lambda uow, actor: statement(uow, actor, agency, year, number))
    if as_json:
        _print_json(
            {
                "agency_id": result.agency_id,
                "month": result.month,
                "lines": [
                    {
                        "case_id": x.case_id,
                        "basis": x.basis.value,
                        "repaid": format_yuan(x.repaid),
                        "rate": str(x.rate),
                        "commission": format_yuan(x.commission),
                        "payment_ids": list(x.payment_ids),
                    }
                    for x in result.lines
                ],
                "total_repaid": format_yuan(result.total_repaid),
                "total_commission": format_yuan(result.total_commission),
            }
        )
        return
    typer.echo(f"{result.agency_id} {result.month}")
    for x in result.lines:
        typer.echo(
            f"{x.case_id}\t{x.basis}\t回款 {format_yuan(x.repaid)}\t费率 {x.rate}"
            f"\t佣金 {format_yuan(x.commission)}"
        )
    typer.echo(
        f"合计\t回款 {format_yuan(result.total_repaid)}"
        f"\t佣金 {format_yuan(result.total_commission)}"
    )


# QA ------------------------------------------------------------------------------------


@qa_app.command("run")
def qa_run(
    user: As,
    day: Annotated[str, typer.Option("--date", help="The day to inspect, YYYY-MM-DD.")],
    db: Db = None,
    as_json: Json = False,
) -> None:
    """Screen the day's notes, sample calls for review, score each collector."""
    from faircollect.services.casework import qa

    when = _day(day, "--date")
    report = _run(db, user, lambda uow, actor: qa.run(uow, actor, when))
    if as_json:
        _print_json(report)
        return
    for s in report.scores:
        rate = "-" if s.kept_rate is None else str(s.kept_rate)
        typer.echo(
            f"{s.actor}\t联系 {s.contacts}\t接通 {s.reached}\t承诺 {s.promises}\t兑现率 {rate}"
            f"\t违规 {len(s.violations)}"
        )
        for v in s.violations:
            typer.echo(f"  {v.rule}\t{v.label}\t{v.source}\t{v.evidence}")
    typer.echo("抽检: " + (", ".join(report.sample) or "无"))


def register(app: typer.Typer) -> None:
    """Attach this feature's commands to the root app."""
    app.add_typer(case_app, name="case")
    app.add_typer(contact_app, name="contact")
    app.command("call")(call)
    app.add_typer(proposal_app, name="proposal")
    app.add_typer(visit_app, name="visit")
    app.add_typer(agency_app, name="agency")
    app.add_typer(qa_app, name="qa")
    app.add_typer(user_app, name="user")
