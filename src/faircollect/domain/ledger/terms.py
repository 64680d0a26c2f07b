"""What a loan is: its contract terms and the payments made on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Method(StrEnum):
    """Repayment methods (还款方式)."""

    EQUAL_INSTALLMENT = "equal_installment"  # 等额本息
    EQUAL_PRINCIPAL = "equal_principal"  # 等额本金
    INTEREST_ONLY = "interest_only"  # 先息后本
    BULLET = "bullet"  # 到期还本付息


@dataclass(frozen=True, slots=True)
class LoanTerms:
    """A loan's contract as the ledger needs it. Amounts are integer fen."""

    loan_id: str
    principal: int
    """Contract principal (合同本金), the P every schedule is computed on."""
    received: int
    """What the borrower actually received; less than ``principal`` when 砍头息 was deducted."""
    annual_rate: Decimal
    """Nominal annual interest rate, e.g. Decimal("0.18"); the monthly rate is this / 12."""
    term_months: int
    method: Method
    disbursed_on: date
    penalty_rate_daily: Decimal
    """罚息 rate per day on overdue principal + interest, e.g. Decimal("0.0005")."""
    grace_days: int
    periodic_fee: int
    """服务费 added to every installment as its own component."""
    borrower_id: str = ""
    product: str = ""
    risk_score: int | None = None
    """The lender's risk score (0-1000, higher = riskier) as imported, None when unscored.
    Not a contract term and the ledger never reads it; it travels with the loan, like
    ``product``, because strategy segments match on it and re-imports compare it."""


@dataclass(frozen=True, slots=True)
class Payment:
    """Money received on a loan on a business date."""

    payment_id: str
    loan_id: str
    paid_on: date
    amount: int


@dataclass(frozen=True, slots=True)
class Installment:
    """One scheduled installment (期). Amounts are integer fen."""

    number: int
    due_on: date
    principal: int
    interest: int
    fee: int

    @property
    def total(self) -> int:
        return self.principal + self.interest + self.fee
