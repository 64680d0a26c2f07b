"""Log records with ID numbers and mobile numbers masked, whoever logs them.

Installed by ``faircollect serve`` (and by ``web.app.create_app``) on the loggers that
could carry personal numbers: uvicorn's access log (a request line with its query
string, ``/cases?q=13800138000``), uvicorn's error log and faircollect's own (an
exception's traceback quoting a value). The message, its arguments and a formatted
traceback all go through ``privacy.mask_text``.
"""

from __future__ import annotations

import logging

from faircollect.domain.privacy import mask_text

MASKED_LOGGERS = ("uvicorn.access", "uvicorn.error", "uvicorn", "faircollect")


class MaskPersonalNumbers(logging.Filter):
    """Masks the message, its arguments and its traceback in place; drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_text(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(mask_text(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                k: mask_text(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        if record.exc_info and record.exc_info[0] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = mask_text(text)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        return True


_FILTER = MaskPersonalNumbers()


def install() -> None:
    """Mask on the loggers of ``MASKED_LOGGERS`` and on their handlers (a filter on a logger
    misses what its children propagate; one on the handler sees it). Idempotent."""
    for name in MASKED_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
        for handler in logger.handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
    for handler in logging.getLogger().handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
