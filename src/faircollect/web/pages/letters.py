"""A loan's letters from the case page (issue 14).

``POST /loans/{id}/letter`` (form field ``kind``) issues one: the same use case as
``faircollect letter render`` (``services.letters.issue``: who may, the gate, every
refusal), stored with its SHA-256, audited and queued in the outbox (sent only when a
dispatch channel takes it). Issuing is a change, so it is a form with the CSRF token and
an idempotency key, never a link a crawler or a prefetch could follow; the answer
redirects to ``GET /letters/{letter_id}.pdf``, which only reads the stored PDF. A letter
that may not be written is a 422 page with every reason (the gate's rules among them).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import Response

from faircollect.web.context import CurrentUser, now, today, unit
from faircollect.web.errors import InvalidField, answer
from faircollect.web.idempotency import IDEMPOTENT, IdempotentRoute
from faircollect.web.pages.render import done

router = APIRouter(route_class=IdempotentRoute)


@router.post("/loans/{loan_id}/letter", dependencies=[IDEMPOTENT])
def issue_letter(
    user: CurrentUser,
    request: Request,
    loan_id: Annotated[str, Path(max_length=64)],
    kind: Annotated[str, Form(max_length=24)] = "overdue_notice",
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
            issued, _ = issue(
                uow, user.actor, loan_id, chosen, today(request), render_pdf, now(request)
            )
    except NoCjkFont as err:
        return answer(request, 503, f"无法生成 PDF：{err}")
    return done(request, f"/letters/{issued.letter_id}.pdf")


@router.get("/letters/{letter_id}.pdf")
def letter_pdf(
    user: CurrentUser,
    request: Request,
    letter_id: Annotated[str, Path(max_length=64)],
) -> Response:
    """The stored PDF of an issued letter, exactly as issued (its SHA-256 in a header)."""
    from faircollect.services.letters import issued_pdf

    with unit(request) as uow:
        issued, body = issued_pdf(uow, user.actor, letter_id, today(request))
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{issued.reference}.pdf"',
            "X-Letter-Id": issued.letter_id,
            "X-Letter-SHA256": issued.sha256,
        },
    )
