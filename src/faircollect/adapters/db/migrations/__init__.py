"""Alembic migrations, shipped inside the package so ``faircollect init`` needs no alembic.ini."""
