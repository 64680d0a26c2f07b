"""CLI commands: ``rules list`` and ``rules show ID`` print the effective rule pack.

Both honour ``--rules FILE`` / ``FAIRCOLLECT_RULES`` so a lender sees the parameters its
overrides produce. A bad overrides file is reported (file, key, why) with exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from rich.table import Table

    from faircollect.domain.compliance.pack import RulePack

RULES_OPTION = typer.Option(
    None,
    "--rules",
    envvar="FAIRCOLLECT_RULES",
    help="A lender's YAML file tightening the default `cn` pack's parameters.",
    dir_okay=False,
)


def effective_pack(rules_file: Path | None) -> RulePack:
    """The pack for this command, or exit 2 with the overrides file's error on stderr."""
    from faircollect.domain.compliance.pack import RulePackError, load_pack

    try:
        return load_pack(rules_file)
    except RulePackError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None


def _list(rules_file: Path | None = RULES_OPTION) -> None:
    """List every rule of the pack with its citation."""
    from rich.console import Console
    from rich.table import Table

    pack = effective_pack(rules_file)
    table = Table(title=f"Rule pack {pack.version}", show_lines=True)
    for column in ("id", "conf.", "rule", "citation"):
        table.add_column(column, overflow="fold")
    for rule in pack.rules():
        table.add_row(rule.id, rule.confidence, f"{rule.title_zh}\n{rule.title_en}", rule.citation)
    console = Console()
    console.print(table)
    console.print(_parameters_table(pack))


def _parameters_table(pack: RulePack) -> Table:
    """The pack's parameters beside the legal floor of the default pack."""
    from dataclasses import fields

    from rich.table import Table

    from faircollect.domain.compliance.pack import default_pack, format_parameter

    floor = default_pack().parameters
    table = Table(title="参数 Parameters")
    for column in ("parameter", "value", "legal floor (cn)", "rules"):
        table.add_column(column)
    for field in fields(pack.parameters):
        users = ", ".join(r.id for r in pack.rules() if field.name in r.parameters)
        table.add_row(
            field.name,
            format_parameter(getattr(pack.parameters, field.name)),
            format_parameter(getattr(floor, field.name)),
            users,
        )
    return table


def _show(rule_id: str, rules_file: Path | None = RULES_OPTION) -> None:
    """Show one rule: citation, explanation in Chinese and English, parameter values."""
    from rich.console import Console
    from rich.panel import Panel
    from rich.text import Text

    from faircollect.domain.compliance.pack import UnknownRuleError, format_parameter

    pack = effective_pack(rules_file)
    try:
        rule = pack.rule(rule_id)
    except UnknownRuleError as error:
        known = ", ".join(r.id for r in pack.rules())
        typer.echo(f"error: {error}; known ids: {known}", err=True)
        raise typer.Exit(2) from None
    body = Text()
    body.append(f"{rule.title_zh} / {rule.title_en}\n\n", style="bold")
    body.append(f"依据 Citation: {rule.citation}\n", style="cyan")
    body.append(f"可信度 Confidence: {rule.confidence}\n\n")
    body.append(f"{rule.explain_zh}\n\n{rule.explain_en}\n")
    if rule.parameters:
        body.append("\n参数 Parameters:\n", style="bold")
        for name in rule.parameters:
            value = format_parameter(getattr(pack.parameters, name))
            body.append(f"  {name} = {value}\n")
    Console().print(Panel(body, title=f"{rule.id} ({pack.version})", expand=False))


def register(app: typer.Typer) -> None:
    """Attach this feature's commands to the root app."""
    rules_app = typer.Typer(help="The compliance rule pack (规则包).", no_args_is_help=True)
    rules_app.command("list")(_list)
    rules_app.command("show")(_show)
    app.add_typer(rules_app, name="rules")
