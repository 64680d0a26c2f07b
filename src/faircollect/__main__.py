"""``python -m faircollect`` runs the CLI (same as the ``faircollect`` script)."""

from faircollect.cli.app import main

main()
