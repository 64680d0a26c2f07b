"""The lender faircollect works for, as its calls, messages and letters name it.

One configuration (``data/lender/example.yaml``, or the file ``FAIRCOLLECT_LENDER``
names): the lender's name, address and complaint line, which products it reports to the
credit bureau (so a call offers the 征信 consequence only when it is true, TRUTH-1), the
law firm that really acts for it (a lawyer letter needs one), whether agencies may make
home visits, the APR above which a debt is treated as illegal (CRIM-1), and the image
of its seal (印章) for letters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class LenderProfile:
    name: str = "示例消费金融有限公司"
    short_name: str = "示例消费金融"
    address: str = ""
    complaint_line: str = "400-000-0000"
    reports_by_default: bool = True
    reports_by_product: Mapping[str, bool] = field(default_factory=dict)
    law_firm: str = ""
    agency_visits_allowed: bool = False
    illegal_apr: Decimal = Decimal("0.36")
    """CRIM-1: a true APR above this marks a debt as illegal (usury, 高利放贷)."""
    seal: str = ""
    """The lender's seal (印章) as an image file (PNG or JPEG; a transparent PNG looks
    best), stamped over its name on the letters it signs; empty: no seal."""

    def reports_to_credit_bureau(self, product: str) -> bool:
        """Whether the lender reports loans of ``product`` to 征信 (TRUTH-1)."""
        return self.reports_by_product.get(product, self.reports_by_default)
