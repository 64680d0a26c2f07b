"""Casework: the collectors' and supervisors' daily work as a pure domain core.

Nothing here reads a clock or touches storage: dates and times are parameters,
collaborators (the gate, the screener) are injected, and every decision is a value (an
immutable object or a past-tense event) that the service layer persists.

Where things are:

- ``cases``: ``Case``, ``CaseStatus``, ``TRANSITIONS`` (the lifecycle as data),
  ``open_case``, ``Case.moved`` / ``change_status`` (role-checked), ``Case.assigned``.
- ``contacts``: ``ContactRecord`` (催记), ``record_problems``, ``GateCheck`` (the seam to
  ``Gate.decide``), ``accept_contact`` / ``record_contact`` (role- and placement-checked),
  and the facts the gate needs: ``consecutive_failed_attempts``,
  ``unanswered_calls_per_day``, ``last_reached_on``.
- ``call_script`` / ``call_file`` / ``call_session``: the guided first call: the
  screened YAML script (``load_script``), the prepared file and the true consequences
  (``AccountSnapshot``, ``snapshot_from_state``, ``true_consequences``), and
  ``CallSession`` (``next_prompt`` / ``answer`` / ``result``, ``run_answers``,
  ``load_answers``).
- ``promise``: the minimal ``PromiseToPay`` and ``promise_kept`` (to unify with
  ``domain/promises.py``).
- ``proposals``: ``submit`` / ``approve`` / ``reject`` with ``LoanRestructured`` and
  ``WaiverGranted`` events (the ledger's adjustment types, ``domain.ledger.adjustments``,
  which the replay applies); ``position_from_ledger`` reads the replay.
- ``visits``: ``plan_visit`` under CN-VISIT-1, ``record_visit``.
- ``agencies``: ``place`` / ``recall``, ``visible_case_ids``, ``require_case_access``,
  ``commission_statement``.
- ``qa``: ``run_qa`` (scores, violations with rule ids, a stable review sample).
- ``roles`` and ``errors``: ``Actor``, ``Role``, ``require``; ``CaseworkError``,
  ``IllegalTransition``, ``PermissionDenied``, ``Refused``.
"""
