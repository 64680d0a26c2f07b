"""Thin Typer front doors. Logic lives in domain/ and services/; commands parse and print."""
