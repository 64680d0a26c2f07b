"""The guided first call (第一个催收电话): script loading and the answer-driven session."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from faircollect.data.scripts import first_call_text
from faircollect.domain.casework.call_file import (
    likely_reason,
    penalty_per_day,
    snapshot_from_state,
    true_consequences,
)
from faircollect.domain.casework.call_script import CallScript, ConsequenceKind, Step, load_script
from faircollect.domain.casework.call_session import (
    Answer,
    CallSession,
    FollowUpAction,
    Task,
    load_answers,
    run_answers,
)
from faircollect.domain.casework.contacts import Outcome, Reason
from faircollect.domain.casework.errors import CaseworkError, Refused
from faircollect.domain.casework.promise import PastPromise, PromiseToPay
from faircollect.domain.compliance.actions import Party
from faircollect.domain.ledger.replay import replay

from .factories import DAY1, LOAN, at, contact, fake_screen, snapshot

FULL_CALL: dict[str, Answer] = {
    "confirm_identity": "borrower",
    "state_identity": "ok",
    "ask_payment_today": "cannot_today",
    "learn_reason": "income_drop",
    "explain_consequences": "all",
    "obtain_promise": {"amount": "1016.52", "due": "2026-03-06"},
    "update_file": "客户称本月工资推迟发放，承诺3月6日前还清逾期款项。",
}


@pytest.fixture(scope="module")
def script() -> CallScript:
    return load_script(first_call_text(), fake_screen)


def session(script: CallScript, **changes: object) -> CallSession:
    return CallSession(
        script, snapshot(**changes), "R1", at(DAY1, 10), "13800000001", "c-wang", "王明"
    )


def advance(call: CallSession, until: Step, **overrides: str) -> None:
    """Answer the full call's answers (with overrides) up to, not including, ``until``."""
    answers = {"prepare": "ok", **FULL_CALL, **overrides}
    while (prompt := call.next_prompt()) is not None and prompt.step is not until:
        call.answer(prompt.step, answers[prompt.step.value])


def test_the_shipped_script_passes_the_screen_and_has_all_eight_steps(script: CallScript) -> None:
    assert list(script.steps) == list(Step)
    assert set(script.consequences) == set(ConsequenceKind)


def test_penalty_per_day_is_overdue_principal_plus_interest_times_rate_half_up() -> None:
    # (1000.00 + 15.00) yuan x 0.0005 = 0.5075 yuan = 50.75 fen -> 51 fen
    assert penalty_per_day(snapshot()) == 51
    assert penalty_per_day(snapshot(overdue_interest=1_000)) == 51  # 50.5 fen rounds up
    assert penalty_per_day(snapshot(overdue_interest=990)) == 50  # 50.495 fen


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, ("penalty", "credit_report", "future_credit", "right_to_sue")),
        ({"penalty_rate_daily": Decimal(0)}, ("credit_report", "future_credit", "right_to_sue")),
        ({"reports_to_credit_bureau": False}, ("penalty", "future_credit", "right_to_sue")),
    ],
)
def test_only_consequences_true_for_the_account_are_offered(
    changes: dict[str, object], expected: tuple[str, ...]
) -> None:
    assert true_consequences(snapshot(**changes)) == expected


def test_the_consequences_step_shows_the_accounts_own_penalty(script: CallScript) -> None:
    call = session(script)
    advance(call, Step.EXPLAIN_CONSEQUENCES, learn_reason="forgot")
    prompt = call.next_prompt()
    assert prompt is not None and prompt.step is Step.EXPLAIN_CONSEQUENCES
    assert prompt.details == (
        "逾期期间每天会产生约0.51元的罚息，越早还款，罚息越少。",
        "逾期信息将依法报送征信，会影响您的个人信用记录。",
        "逾期记录会影响您今后申请贷款和信用卡。",
        "如果长期不还，示例小贷保留依法起诉的权利。",
    )
    joined = "".join(prompt.details) + prompt.say + prompt.guide
    for false_threat in ("坐牢", "拘留", "公安", "家人", "刑事"):
        assert false_threat not in joined


def test_a_consequence_not_true_for_the_account_cannot_be_marked_as_said(
    script: CallScript,
) -> None:
    call = session(script, penalty_rate_daily=Decimal(0))
    advance(call, Step.EXPLAIN_CONSEQUENCES)
    with pytest.raises(CaseworkError, match=r"not a true consequence.*penalty"):
        call.answer("explain_consequences", ["penalty", "credit_report"])
    with pytest.raises(CaseworkError, match=r"not a true consequence.*jail"):
        call.answer("explain_consequences", ["jail"])


def test_the_prepared_file_shows_amounts_history_and_a_likely_reason(script: CallScript) -> None:
    history = (
        contact("H1", at(date(2026, 1, 3), 10), Outcome.PROMISE, reason=Reason.FORGOT),
        contact("H2", at(date(2026, 2, 3), 10), Outcome.PROMISE, reason=Reason.FORGOT),
        contact("H3", at(date(2026, 2, 20), 10), Outcome.BORROWER_REACHED, reason=Reason.ILLNESS),
    )
    promises = (
        PastPromise(101_500, date(2026, 1, 5), True),
        PastPromise(101_500, date(2026, 2, 5), False),
    )
    prompt = session(script, contacts=history, promises=promises).next_prompt()
    assert prompt is not None and prompt.step is Step.PREPARE
    assert prompt.details[0] == "借款 L1，逾期 3 天，应还合计 1016.52 元"
    assert "以往联系 3 次；以往承诺 2 次，兑现 1 次，违约 1 次" in prompt.details
    assert "预判逾期原因：忘记还款" in prompt.details


@pytest.mark.parametrize(
    ("reasons", "broken", "expected"),
    [
        ((), 0, None),
        ((), 2, Reason.UNWILLING),
        ((Reason.FORGOT, Reason.FORGOT, Reason.ILLNESS), 0, Reason.FORGOT),
        ((Reason.FORGOT, Reason.ILLNESS), 0, Reason.ILLNESS),  # a tie: the latest
    ],
)
def test_likely_reason_from_history(
    reasons: tuple[Reason, ...], broken: int, expected: Reason | None
) -> None:
    contacts = tuple(
        contact(
            f"H{i}",
            at(date(2026, 1, 1) + timedelta(days=i), 10),
            Outcome.BORROWER_REACHED,
            reason=r,
        )
        for i, r in enumerate(reasons)
    )
    promises = tuple(PastPromise(100, date(2026, 1, 1), False) for _ in range(broken))
    assert likely_reason(snapshot(contacts=contacts, promises=promises)) == expected


def test_a_full_call_driven_by_answers_ends_with_a_record_and_a_promise(
    script: CallScript,
) -> None:
    result = run_answers(session(script), FULL_CALL)
    record = result.record
    assert (record.record_id, record.case_id, record.party, record.outcome, record.reason) == (
        "R1",
        "C1",
        Party.BORROWER,
        Outcome.PROMISE,
        Reason.INCOME_DROP,
    )
    assert record.note == FULL_CALL["update_file"]
    assert result.promise == PromiseToPay("C1", "L1", 101_652, date(2026, 3, 6), DAY1)
    assert result.follow_up.action is FollowUpAction.CHECK_PROMISE
    assert result.follow_up.on == date(2026, 3, 7)
    assert result.missing_tasks == ()


def test_a_call_ending_without_promise_or_refusal_names_the_missing_tasks(
    script: CallScript,
) -> None:
    answers = {
        **FULL_CALL,
        "learn_reason": "",
        "explain_consequences": [],
        "obtain_promise": "none",
    }
    result = run_answers(session(script), answers)
    assert result.promise is None
    assert result.record.outcome is Outcome.BORROWER_REACHED
    assert result.missing_tasks == (
        Task.LEARN_REASON,
        Task.EXPLAIN_CONSEQUENCES,
        Task.OBTAIN_PROMISE,
    )
    assert result.follow_up.action is FollowUpAction.CALL_AGAIN


def test_an_explicit_refusal_ends_the_call_without_missing_tasks(script: CallScript) -> None:
    result = run_answers(session(script), {**FULL_CALL, "obtain_promise": "refusal"})
    assert result.record.outcome is Outcome.REFUSAL and result.missing_tasks == ()
    assert result.follow_up.action is FollowUpAction.SUPERVISOR_REVIEW


def test_a_third_party_answering_ends_the_call_without_any_debt_talk(script: CallScript) -> None:
    """Someone else answers the borrower's phone: the call was to the borrower's number
    (party borrower), it reached a third party, and it ends there (issue 10 §4)."""
    call = session(script)
    call.answer(Step.PREPARE, "ok")
    call.answer(Step.CONFIRM_IDENTITY, "third_party")
    prompt = call.next_prompt()
    assert prompt is not None and prompt.step is Step.UPDATE_FILE
    call.answer(Step.UPDATE_FILE, "家人接听，已请其转告本人回电。")
    result = call.result()
    assert result.record.party is Party.BORROWER
    assert result.record.outcome is Outcome.THIRD_PARTY_ANSWERED
    assert result.missing_tasks == tuple(Task)


def test_a_borrower_complaining_mid_call_ends_it_as_a_complaint(script: CallScript) -> None:
    call = session(script)
    advance(call, Step.LEARN_REASON)
    call.answer(Step.LEARN_REASON, "complaint")
    call.answer("update_file", "客户表示要向12378投诉。")
    result = call.result()
    assert result.record.outcome is Outcome.COMPLAINT
    assert result.follow_up.action is FollowUpAction.HANDLE_COMPLAINT
    assert result.follow_up.on == DAY1
    assert result.missing_tasks == (
        Task.LEARN_REASON,
        Task.EXPLAIN_CONSEQUENCES,
        Task.OBTAIN_PROMISE,
    )


def test_answers_out_of_order_or_unknown_are_refused_naming_the_step(script: CallScript) -> None:
    call = session(script)
    with pytest.raises(CaseworkError, match="expected an answer for step 'prepare'"):
        call.answer("confirm_identity", "borrower")
    call.answer("prepare", "ok")
    with pytest.raises(CaseworkError, match=r"step 'confirm_identity'.*'maybe'"):
        call.answer("confirm_identity", "maybe")
    with pytest.raises(CaseworkError, match="has not ended"):
        call.result()


def test_a_promise_answer_needs_an_exact_amount_and_a_date(script: CallScript) -> None:
    with pytest.raises(CaseworkError, match="amount"):
        run_answers(
            session(script),
            {**FULL_CALL, "obtain_promise": {"amount": "10.001", "due": "2026-03-06"}},
        )
    with pytest.raises(CaseworkError, match="before it was made"):
        run_answers(
            session(script), {**FULL_CALL, "obtain_promise": {"amount": "10", "due": "2026-03-01"}}
        )
    with pytest.raises(CaseworkError, match="no answer for step 'learn_reason'"):
        run_answers(session(script), {k: v for k, v in FULL_CALL.items() if k != "learn_reason"})


def test_a_script_with_a_threat_is_refused_at_load_naming_step_and_finding() -> None:
    text = first_call_text().replace(
        "请问是什么原因没能按时还款呢？", "请问是什么原因没能按时还款呢？不还钱就抓你坐牢。"
    )
    with pytest.raises(Refused) as refused:
        load_script(text, fake_screen)
    line = next(n for n, s in enumerate(text.splitlines(), 1) if "不还钱就抓你坐牢" in s)
    assert refused.value.reasons == [
        f"first_call.yaml:{line}: steps.learn_reason.say: CN-PROH-1 false_legal «坐牢»",
        f"first_call.yaml:{line}: steps.learn_reason.say: CN-PROH-1 violence_threat «抓你»",
    ]


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("  right_to_sue:", "  jail: 不还就坐牢。\n  right_to_sue:", "consequences.jail: unknown"),
        ("  update_file:\n", "  wrap_up:\n", "steps.wrap_up: unknown step"),
        ("{borrower_name}本人", "{id_number}本人", "unknown placeholder {id_number}"),
        ("    say: 请问是什么原因没能按时还款呢？\n", "", "steps.learn_reason.say: missing"),
    ],
)
def test_a_malformed_script_is_refused_with_file_line_and_field(
    old: str, new: str, problem: str
) -> None:
    text = first_call_text()
    assert old in text
    with pytest.raises(Refused) as refused:
        load_script(text.replace(old, new), lambda _: [])
    assert any(problem in reason for reason in refused.value.reasons), refused.value.reasons
    assert all(reason.startswith("first_call.yaml") for reason in refused.value.reasons)


ANSWERS_FILE = """\
confirm_identity: borrower
state_identity: ok
ask_payment_today: cannot_today
learn_reason: income_drop
explain_consequences: [penalty, credit_report]
obtain_promise: {amount: "500.00", due: "2026-03-05"}
update_file: 客户承诺3月5日先还500元。
"""


def test_an_answers_file_drives_the_same_flow(script: CallScript) -> None:
    result = run_answers(session(script), load_answers(ANSWERS_FILE, "answers.yaml"))
    assert result.promise == PromiseToPay("C1", "L1", 50_000, date(2026, 3, 5), DAY1)
    assert result.record.note == "客户承诺3月5日先还500元。"
    assert result.missing_tasks == ()


def test_a_bad_answers_file_is_refused_naming_file_line_and_step() -> None:
    text = ANSWERS_FILE.replace("learn_reason:", "learn_reasons:").replace(
        "state_identity: ok", "state_identity: 3"
    )
    with pytest.raises(Refused) as refused:
        load_answers(text, "answers.yaml")
    assert refused.value.reasons == [
        "answers.yaml:4: learn_reasons: unknown step (steps: prepare, confirm_identity,"
        " state_identity, ask_payment_today, learn_reason, explain_consequences,"
        " obtain_promise, update_file)",
        "answers.yaml:2: state_identity: an answer is a text, a list or a mapping",
    ]
    with pytest.raises(Refused, match="expected a mapping"):
        load_answers("- borrower\n", "answers.yaml")


def test_an_answer_to_an_unknown_step_is_refused(script: CallScript) -> None:
    with pytest.raises(CaseworkError, match="unknown step 'greeting'"):
        session(script).answer("greeting", "ok")


def test_the_snapshot_can_be_taken_from_the_ledgers_own_state(script: CallScript) -> None:
    state = replay(LOAN, [], date(2025, 11, 18)).state  # installment 1 is 3 days late
    snap = snapshot_from_state(
        state,
        case_id="C1",
        borrower_name="张三",
        lender_name="示例小贷",
        penalty_rate_daily=LOAN.penalty_rate_daily,
        reports_to_credit_bureau=True,
    )
    assert (snap.dpd, snap.overdue_principal, snap.overdue_interest) == (3, 92_016, 18_000)
    # (920.16 + 180.00) x 0.0005 = 0.55008 yuan -> 0.55 per day
    assert penalty_per_day(snap) == 55
