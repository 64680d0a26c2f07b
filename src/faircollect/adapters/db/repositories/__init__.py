"""Repositories: the only place the casework and organisation use cases' SQL lives.

Each repository is bound to one unit of work's connection (``adapters.db.uow``) and
speaks in domain values: cases, contact records, promises, proposals, visits, users. The
use cases in ``services`` never see a table.
"""
