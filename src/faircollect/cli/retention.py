"""``faircollect retention run|show``: apply the retention periods, or print them.

An operator command (run on the server, like ``audit verify``): no ``--as USER``; what it
changes is audited under the actor ``retention``. ``run --dry-run`` lists per category what
a run would delete or anonymise and changes nothing. Periods below their legal floor, a bad
override file or a bad date are refused (exit 2) before anything is read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from faircollect.cli.rules import RULES_OPTION

if TYPE_CHECKING:
    from faircollect.domain.retention import RetentionPolicy
    from faircollect.services.retention import RetentionOutcome

retention_app = typer.Typer(
    help="Retention of personal data: delete or anonymise what is past its period.",
    no_args_is_help=True,
)

UrlOption = Annotated[
    str | None,
    typer.Option("--database-url", help="Database URL (default: env or ./faircollect.db)."),
]
RetentionOption = Annotated[
    Path | None,
    typer.Option(
        "--retention",
        envvar="FAIRCOLLECT_RETENTION",
        dir_okay=False,
        help="A lender's YAML file changing periods (never below their legal floor).",
    ),
]


@retention_app.command("run")
def retention_run(
    day: Annotated[
        str | None,
        typer.Option(
            "--date", help="The business date the periods count back from (default today)."
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be done; change nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="The outcome as JSON.")] = False,
    retention_file: RetentionOption = None,
    rules_file: Path | None = RULES_OPTION,
    database_url: UrlOption = None,
) -> None:
    """Delete or anonymise what is past its period (see `retention show`), audited in the
    same transaction; a second run on the same date finds nothing to do."""
    from faircollect.adapters.db.uow import UnitOfWork
    from faircollect.adapters.retention_file import load_retention
    from faircollect.cli.database import open_engine
    from faircollect.cli.dates import option_date
    from faircollect.cli.rules import effective_pack
    from faircollect.domain.retention import cutoffs
    from faircollect.services.retention import run_retention

    on = option_date(day, "--date")
    policy = load_retention(retention_file)
    years = effective_pack(rules_file).parameters.retention_years
    cutoffs(policy, on, years)  # refuse a period below its floor before opening anything
    engine = open_engine(database_url)
    try:
        with UnitOfWork(engine) as uow:
            outcome = run_retention(uow, policy, on, years, dry_run=dry_run)
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps(_outcome_json(outcome), ensure_ascii=False, indent=2))
        return
    for line in outcome_lines(outcome):
        typer.echo(line)


def outcome_lines(outcome: RetentionOutcome) -> list[str]:
    """The run as text: a heading, one line per category, what is kept regardless."""
    mode = "dry run, nothing changed" if outcome.dry_run else "applied"
    verb = "would" if outcome.dry_run else "did"
    lines = [f"retention as of {outcome.day}, policy {outcome.version} ({mode})"]
    for c in outcome.categories:
        head = f"{c.category:<16} {c.treatment:<9} keep {c.rule.keep!s:<4} before {c.cutoff}:"
        if not c.rows:
            lines.append(f"{head} nothing to do")
            continue
        tables = ", ".join(f"{table} {n}" for table, n in c.rows.items())
        who = f"{c.borrowers} borrowers, " if c.category == "closed_cases" else ""
        lines.append(f"{head} {verb} {c.treatment} {who}{c.total} rows ({tables})")
    lines.append("kept regardless: " + "; ".join(f"{k.name} ({k.records})" for k in outcome.kept))
    return lines


def _outcome_json(outcome: RetentionOutcome) -> dict[str, object]:
    return {
        "date": outcome.day.isoformat(),
        "policy": outcome.version,
        "dry_run": outcome.dry_run,
        "categories": [
            {
                "category": c.category.value,
                "treatment": c.treatment.value,
                "keep": str(c.rule.keep),
                "cutoff": c.cutoff.isoformat(),
                "borrowers": c.borrowers,
                "rows": c.rows,
            }
            for c in outcome.categories
        ],
    }


@retention_app.command("show")
def retention_show(retention_file: RetentionOption = None) -> None:
    """Every category's period, floor, treatment and legal basis, and what is kept."""
    from faircollect.adapters.retention_file import load_retention

    for line in policy_lines(load_retention(retention_file)):
        typer.echo(line)


def policy_lines(policy: RetentionPolicy) -> list[str]:
    lines = [f"retention policy {policy.version}"]
    for rule in policy.rules:
        floors = [str(rule.minimum)] if rule.minimum else []
        floors += ["RET-1 years of the rule pack"] if rule.floor else []
        floor = f", at least {' and '.join(floors)}" if floors else ""
        lines.append(
            f"{rule.category}: {rule.treatment} after {rule.keep}{floor} [{rule.confidence}]"
        )
        lines.append(f"    {rule.basis}")
    for kept in policy.kept:
        lines.append(f"kept: {kept.name} ({kept.records})")
        lines.append(f"    {kept.basis}")
    return lines


def register(app: typer.Typer) -> None:
    app.add_typer(retention_app, name="retention")
