"""A loan's letter as a PDF from the case page (issue 14): ``/loans/{id}/letter?kind=K``.

The same use case as ``faircollect letter render`` (``services.letters.issue``), for a
user who may see the loan: the letter is stored with its SHA-256, audited and queued in
the outbox (sent only when a dispatch channel takes it), and the PDF is the answer; a
letter that may not be written is a 422 page with every reason.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from faircollect.web.context import CurrentUser, now, today, unit
from faircollect.web.errors import InvalidField, answer

router = APIRouter()


@router.get("/loans/{loan_id}/letter")
def loan_letter(
    user: CurrentUser,
    request: Request,
    loan_id: Annotated[str, Path(max_length=64)],
    kind: Annotated[str, Query(max_length=24)] = "overdue_notice",
) -> Response:
    from faircollect.adapters.letter_pdf import NoCjkFont, render_pdf
    from faircollect.domain.letters import LetterKind
    from faircollect.services.letters import issue

    try:
        chosen = LetterKind(kind)
    except ValueError:
        raise InvalidField("kind", "请选择：逾期提醒函、上门通知函或律师函") from None
    try:
        with unit(request) as uow:
            issued, body = issue(
                uow, user.actor, loan_id, chosen, today(request), render_pdf, now(request)
            )
    except NoCjkFont as err:
        return answer(request, 503, f"无法生成 PDF：{err}")
    name = f"{issued.reference}.pdf"
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{name}"',
            "X-Letter-Id": issued.letter_id,
            "X-Letter-SHA256": issued.sha256,
        },
    )
