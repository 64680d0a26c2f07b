"""``faircollect keys init|new|check|rotate``: the keys that seal personal data at rest.

The keys live in the environment (``FAIRCOLLECT_DATA_KEY``, ``FAIRCOLLECT_DATA_KEYS``,
``FAIRCOLLECT_LOOKUP_KEY``) or in the key file (``FAIRCOLLECT_KEY_FILE``, default
``./faircollect.keys``), never in the database (``adapters.data_keys``). To rotate:
make a new data key current with the old one still readable (``keys new`` does it in the
key file), run ``keys rotate``, then ``keys check`` shows every value under the new id.
"""

from __future__ import annotations

from typing import Annotated

import typer

keys_app = typer.Typer(
    help="The keys sealing ID and phone numbers at rest: create, check, rotate.",
    no_args_is_help=True,
)

UrlOption = Annotated[
    str | None,
    typer.Option("--database-url", help="Database URL (default: env or ./faircollect.db)."),
]


@keys_app.command("init")
def keys_init() -> None:
    """Write a key file with fresh random keys (FAIRCOLLECT_KEY_FILE or ./faircollect.keys);
    never overwrites one."""
    from faircollect.adapters.data_keys import create_key_file, key_id, reload_keyring

    path = create_key_file()
    ring = reload_keyring()
    typer.echo(f"wrote {path} (data key id {key_id(ring.data_key)}); keep it out of backups")
    typer.echo("of the database and out of version control: without it the data is unreadable")


@keys_app.command("new")
def keys_new() -> None:
    """In the key file: a fresh data key becomes current, the current one stays readable
    until `faircollect keys rotate` has re-sealed every value."""
    from faircollect.adapters.data_keys import add_data_key, key_file_path

    old, new = add_data_key()
    typer.echo(f"{key_file_path()}: data key {new} is current, {old} stays readable")
    typer.echo("now run `faircollect keys rotate`")


@keys_app.command("check")
def keys_check(database_url: UrlOption = None) -> None:
    """How many sealed values are under which key id (exit 1 if any is not under the
    current key, or in clear)."""
    from faircollect.cli.database import open_engine
    from faircollect.services.keys import check

    engine = open_engine(database_url)
    try:
        report = check(engine)
    finally:
        engine.dispose()
    typer.echo(f"current key id {report.current_id}")
    for column, counter in report.counts.items():
        shown = ", ".join(f"{key}: {n:,}" for key, n in sorted(counter.items())) or "empty"
        typer.echo(f"{column}\t{shown}")
    totals = report.totals
    typer.echo("total\t" + (", ".join(f"{k}: {n:,}" for k, n in sorted(totals.items())) or "empty"))
    if report.not_current:
        typer.echo(
            f"{report.not_current:,} values are not under the current key: "
            "run `faircollect keys rotate`"
        )
        raise typer.Exit(1)


@keys_app.command("rotate")
def keys_rotate(
    batch: Annotated[int, typer.Option("--batch", min=1, help="Values per transaction.")] = 5_000,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress lines.")] = False,
    database_url: UrlOption = None,
) -> None:
    """Re-seal every sealed value under the current data key (batched, resumable: run it
    again after an interruption; audited)."""
    from faircollect.cli.database import open_engine
    from faircollect.services.keys import rotate

    def progress(column: str, done: int, total: int) -> None:
        if not quiet:
            typer.echo(f"{column}: {done:,}/{total:,}", err=True)

    engine = open_engine(database_url)
    try:
        done = rotate(engine, batch=batch, progress=progress)
    finally:
        engine.dispose()
    typer.echo(f"re-sealed {sum(done.values()):,} values under the current key")


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
