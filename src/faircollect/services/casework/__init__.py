"""Casework services: each use case is one function given a ``UnitOfWork`` and explicit
dates/times; it loads what the domain needs, asks the domain, and stores the outcome in one
transaction (all or nothing). The CLI and the future workbench call these, nothing else.

Modules: ``uow`` (the transaction), ``users`` (who is acting), ``case_store`` and
``ledger_reads`` (rows <-> domain values), ``open_cases``, ``contacts`` (record a 催记 through
the gate), ``first_call`` (the guided call), ``proposals``, ``visits``, ``agencies``, ``qa``,
``queries`` (list / show with agency visibility).
"""
