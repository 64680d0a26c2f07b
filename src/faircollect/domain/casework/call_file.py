"""Preparing the first call (打电话前的准备): the account file, a likely reason, and the
consequences that are true for this account.

Consequences are computed, not written: the penalty per day comes from the account's own
overdue principal + interest and penalty rate, and a consequence that does not hold (no
penalty rate, a lender that does not report to the credit bureau) is not offered at all.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from faircollect.domain.casework.call_script import CallScript, ConsequenceKind
from faircollect.domain.casework.contacts import ContactRecord, Reason, reason_history
from faircollect.domain.casework.promise import PastPromise, PromiseLimits
from faircollect.domain.ledger.state import AccountState
from faircollect.domain.money import format_yuan, round_half_up


@dataclass(frozen=True, slots=True)
class AccountSnapshot:
    """What the collector's file shows before the call. Amounts are integer fen."""

    case_id: str
    loan_id: str
    borrower_name: str
    lender_name: str
    as_of: date
    dpd: int
    overdue_principal: int
    overdue_interest: int
    overdue_fee: int
    penalty: int
    outstanding_principal: int
    penalty_rate_daily: Decimal
    reports_to_credit_bureau: bool
    contacts: tuple[ContactRecord, ...] = ()
    promises: tuple[PastPromise, ...] = ()
    agency_name: str = ""
    """Set when an agency's collector calls: they speak for the agency acting for the
    lender, never as the lender's own staff."""
    contract_total_overdue: int | None = None
    """The contract's overdue amount when it is more than the law supports (the amounts
    above are then the lawful ones, KANTOU-1 / RATE-1 / RATE-2); None when they agree."""
    illegal: bool = False
    """CRIM-1: an illegal debt, never to be pursued by coercive means."""
    promise_limits: PromiseLimits | None = None
    """What a promise on this account must respect (PTP-1); None: not checked here."""

    @property
    def total_overdue(self) -> int:
        return self.overdue_principal + self.overdue_interest + self.overdue_fee + self.penalty


def snapshot_from_state(
    state: AccountState,
    *,
    case_id: str,
    borrower_name: str,
    lender_name: str,
    penalty_rate_daily: Decimal,
    reports_to_credit_bureau: bool,
    contacts: tuple[ContactRecord, ...] = (),
    promises: tuple[PastPromise, ...] = (),
    agency_name: str = "",
    contract_total_overdue: int | None = None,
    illegal: bool = False,
    promise_limits: PromiseLimits | None = None,
) -> AccountSnapshot:
    """A snapshot whose amounts are ``state``'s (the lawful state when the contract asks
    for more, with the contract's figure in ``contract_total_overdue``)."""
    return AccountSnapshot(
        case_id=case_id,
        loan_id=state.loan_id,
        borrower_name=borrower_name,
        lender_name=lender_name,
        as_of=state.as_of,
        dpd=state.dpd,
        overdue_principal=state.overdue_principal,
        overdue_interest=state.overdue_interest,
        overdue_fee=state.overdue_fee,
        penalty=state.penalty,
        outstanding_principal=state.outstanding_principal,
        penalty_rate_daily=penalty_rate_daily,
        reports_to_credit_bureau=reports_to_credit_bureau,
        contacts=contacts,
        promises=promises,
        agency_name=agency_name,
        contract_total_overdue=contract_total_overdue,
        illegal=illegal,
        promise_limits=promise_limits,
    )


def penalty_per_day(snapshot: AccountSnapshot) -> int:
    """罚息 one more day costs: (overdue principal + interest) × daily rate, in fen, half up."""
    base = snapshot.overdue_principal + snapshot.overdue_interest
    return round_half_up(base * Fraction(snapshot.penalty_rate_daily))


def true_consequences(snapshot: AccountSnapshot) -> tuple[ConsequenceKind, ...]:
    """The consequences that hold for this account, in the order the call states them."""
    kinds: list[ConsequenceKind] = []
    if penalty_per_day(snapshot) > 0:
        kinds.append(ConsequenceKind.PENALTY)
    if snapshot.reports_to_credit_bureau:
        kinds.append(ConsequenceKind.CREDIT_REPORT)
    kinds.extend((ConsequenceKind.FUTURE_CREDIT, ConsequenceKind.RIGHT_TO_SUE))
    return tuple(kinds)


def likely_reason(snapshot: AccountSnapshot) -> Reason | None:
    """The reason to expect: the one most often given before (the latest among equals);
    with no reason on file, repeated broken promises suggest unwillingness."""
    history = reason_history(snapshot.contacts)
    if history:
        counts = Counter(history)
        top = max(counts.values())
        return next(r for r in reversed(history) if counts[r] == top)
    broken = sum(1 for p in snapshot.promises if p.kept is False)
    return Reason.UNWILLING if broken >= 2 else None


def speaker(snapshot: AccountSnapshot, collector_name: str) -> str:
    """Who the collector says they are: the lender's staff, or an agency acting for it
    ("我是XX委外机构的张三，受YY公司委托")."""
    if snapshot.agency_name:
        return f"{snapshot.agency_name}的{collector_name}，受{snapshot.lender_name}委托"
    return f"{snapshot.lender_name}的{collector_name}"


def contract_note(snapshot: AccountSnapshot) -> str:
    """Said after the lawful amount when the contract asks for more: the contract's figure
    beside it, marked as such, and that the excess is not collected."""
    if snapshot.contract_total_overdue is None:
        return ""
    excess = snapshot.contract_total_overdue - snapshot.total_overdue
    return (
        f"（合同所列金额为{format_yuan(snapshot.contract_total_overdue)}元，其中超出法律保护的"
        f"{format_yuan(excess)}元不予催收）"
    )


def fill(snapshot: AccountSnapshot, collector_name: str) -> dict[str, str]:
    """Values for the script's placeholders (yuan with two decimals)."""
    return {
        "contract_note": contract_note(snapshot),
        "borrower_name": snapshot.borrower_name,
        "collector_name": collector_name,
        "speaker": speaker(snapshot, collector_name),
        "lender_name": snapshot.lender_name,
        "total_overdue": format_yuan(snapshot.total_overdue),
        "overdue_principal": format_yuan(snapshot.overdue_principal),
        "overdue_interest": format_yuan(snapshot.overdue_interest),
        "penalty": format_yuan(snapshot.penalty),
        "dpd": str(snapshot.dpd),
        "penalty_per_day": format_yuan(penalty_per_day(snapshot)),
    }


REASON_LABELS: dict[Reason, str] = {
    Reason.FORGOT: "忘记还款",
    Reason.INCOME_DROP: "收入下降",
    Reason.UNEMPLOYMENT: "失业",
    Reason.ILLNESS: "疾病",
    Reason.BUSINESS_LOSS: "经营亏损",
    Reason.DISPUTES_DEBT: "对欠款有异议",
    Reason.FRAUD_VICTIM: "遭遇诈骗",
    Reason.MANY_DEBTS: "多头负债",
    Reason.UNWILLING: "还款意愿不足",
}


def briefing(snapshot: AccountSnapshot, script: CallScript) -> tuple[str, ...]:
    """The prepared file, one line per fact, for the collector's eyes."""
    kept = sum(1 for p in snapshot.promises if p.kept is True)
    broken = sum(1 for p in snapshot.promises if p.kept is False)
    reason = likely_reason(snapshot)
    values = fill(snapshot, "")
    lines = [
        f"借款 {snapshot.loan_id}，逾期 {snapshot.dpd} 天，应还合计 {values['total_overdue']} 元",
        f"其中本金 {values['overdue_principal']} 元，利息 {values['overdue_interest']} 元，"
        f"费用 {format_yuan(snapshot.overdue_fee)} 元，罚息 {values['penalty']} 元",
        f"剩余本金 {format_yuan(snapshot.outstanding_principal)} 元",
        f"以往联系 {len(snapshot.contacts)} 次；以往承诺 {len(snapshot.promises)} 次，"
        f"兑现 {kept} 次，违约 {broken} 次",
        f"预判逾期原因：{REASON_LABELS[reason] if reason else '暂无记录'}",
    ]
    lines.extend(
        "可陈述的后果：" + script.consequences[kind].format_map(values)
        for kind in true_consequences(snapshot)
    )
    if snapshot.contract_total_overdue is not None:
        contract = format_yuan(snapshot.contract_total_overdue)
        lines.insert(
            0,
            "注意：本借款合同收费超出法律保护的上限（砍头息、利率或费用），只能催收依法应还的"
            f" {values['total_overdue']} 元；合同所列 {contract}"
            " 元中超出部分不得催收，也不得作为承诺或分期的依据。",
        )
    if snapshot.illegal:
        lines.insert(
            0,
            "警告（CRIM-1）：本笔债务的真实年化成本超过法定标准，属于非法债务：禁止上门、威胁、"
            "恐吓、骚扰等任何强制手段，只能就合法部分平和协商；已转合规部门。",
        )
    return tuple(lines)
