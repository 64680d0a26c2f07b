"""CLI commands: ``strategy validate FILE`` and ``strategy show [FILE]``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from faircollect.domain.strategy import ActionRule, Strategy

strategy_app = typer.Typer(help="Collection strategies (催收策略): validate and show.")

EXIT_INVALID = 2


def register(app: typer.Typer) -> None:
    """Attach this feature's commands to the root app."""
    app.add_typer(strategy_app, name="strategy")


def _load(path: Path | None) -> Strategy:
    """Load a strategy (the shipped one when no path) or exit 2 listing every mistake."""
    from faircollect.adapters.strategy_file import default_strategy_path, load_strategy
    from faircollect.adapters.templates import TemplateRenderer
    from faircollect.adapters.yaml_reader import YamlFileError

    try:
        return load_strategy(path or default_strategy_path(), TemplateRenderer().available())
    except YamlFileError as err:
        for issue in err.issues:
            typer.echo(str(issue), err=True)
        typer.echo(f"{len(err.issues)} error(s); the strategy is not valid.", err=True)
        raise typer.Exit(EXIT_INVALID) from err


@strategy_app.command("validate")
def validate(file: Path = typer.Argument(..., help="Strategy YAML file.")) -> None:
    """Check a strategy file; every mistake is shown with its line (exit 2 when invalid)."""
    strategy = _load(file)
    actions = sum(len(s.actions) + len(s.escalation) for s in strategy.segments)
    challenger = strategy.challenger
    rival = (
        f", challenger '{challenger.strategy.name}' at {challenger.share_bp / 100:g}%"
        if challenger
        else ""
    )
    typer.echo(
        f"{file.name}: valid strategy '{strategy.name}': {len(strategy.segments)} segments, "
        f"{actions} actions{rival}"
    )


@strategy_app.command("show")
def show(
    file: Path | None = typer.Argument(None, help="Strategy YAML (default: shipped)."),
) -> None:
    """Print thresholds, segments and their actions per stage, and the challenger."""
    from rich.console import Console

    console = Console()
    strategy = _load(file)
    _print_strategy(console, strategy, "champion")
    if strategy.challenger is not None:
        share = strategy.challenger.share_bp / 100
        console.print(f"\n[bold]Challenger[/bold] ({share:g}% of accounts by loan-id hash)")
        _print_strategy(console, strategy.challenger.strategy, "challenger")


def _print_strategy(console: object, strategy: Strategy, arm: str) -> None:
    from rich.console import Console
    from rich.table import Table

    assert isinstance(console, Console)
    t, p = strategy.thresholds, strategy.policies
    console.print(
        f"[bold]策略 {strategy.name}[/bold] ({arm}): 逾期前 pre_due ≤ {t.pre_due_days} days before "
        f"due; 逾期前期 early DPD 1-{t.early_max_dpd}; 强力催收 intensive DPD "
        f"{t.early_max_dpd + 1}-{t.intensive_max_dpd}; 诉讼/委外 legal DPD > {t.intensive_max_dpd}"
    )
    console.print(
        f"unreachable after {p.unreachable_after_failed_attempts} failed attempts; visit notice "
        f"{p.visit_notice_days} days ahead; agency over DPD {p.agency_threshold_dpd}, recall "
        f"after {p.agency_recall_days} days"
    )
    for segment in strategy.segments:
        table = Table(
            title=f"{segment.stage.value} · {segment.name} · {_describe_match(segment.match)}",
            title_justify="left",
        )
        for column in ("action", "when", "contact", "template", "at", "prio"):
            table.add_column(column)
        rows = [(rule, "") for rule in segment.actions]
        rows += [(rule, " ⚠ broken promise") for rule in segment.escalation]
        for rule, note in rows:
            table.add_row(
                rule.key + note,
                _describe_when(rule),
                _describe_contact(rule),
                rule.template or "",
                rule.at.strftime("%H:%M"),
                str(rule.priority),
            )
        console.print(table)


def _describe_contact(rule: ActionRule) -> str:
    """``sms → borrower (notify)``, or the case action for placements and referrals."""
    if rule.channel is None:
        return rule.kind.value
    return f"{rule.channel.value} → {rule.party.value} ({rule.purpose.value})"


def _describe_match(match: object) -> str:
    from faircollect.domain.money import format_yuan
    from faircollect.domain.strategy import SegmentMatch

    assert isinstance(match, SegmentMatch)
    parts = []
    if match.buckets:
        parts.append("buckets " + ",".join(sorted(match.buckets)))
    if match.products:
        parts.append("products " + ",".join(sorted(match.products)))
    b = match.balance
    if b.low is not None or b.high is not None:
        low = format_yuan(b.low) if b.low is not None else "0"
        high = format_yuan(b.high) if b.high is not None else "∞"
        parts.append(f"balance [{low}, {high})")
    if match.risk is not None:
        parts.append(f"risk [{match.risk.low or 0}, {match.risk.high or '∞'})")
    if match.first_time is not None:
        parts.append("first-time" if match.first_time else "repeat")
    return "; ".join(parts) or "all"


def _describe_when(rule: ActionRule) -> str:
    from faircollect.domain.strategy import Anchor

    label = {Anchor.DUE: "T", Anchor.DPD: "DPD ", Anchor.BROKEN_PROMISE: "PTP+"}[rule.anchor]
    if rule.anchor is Anchor.DUE:
        days = ", ".join(f"T{d:+d}" if d else "T" for d in rule.days)
    else:
        days = ", ".join(f"{label}{d}" for d in rule.days)
    return days + (f", every {rule.every} d" if rule.every else "")
