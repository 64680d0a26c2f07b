"""Reading the files a user hands faircollect: regular files only, bounded, decoded strictly.

Three things every front door needs when it opens a user's file, in one place:

- ``regular_file``: a path that exists but is not a regular readable file (a broken or
  looping symbolic link, a directory, a named pipe, a device such as /dev/zero) is an
  ``InputFileError`` naming it, never a silent skip or an endless read;
- ``read_text_file``: a small text file (YAML configuration) read whole, refused above a
  size limit, decoded as UTF-8 with the line of the first bad byte named;
- ``text_lines`` and ``detect_encoding``: a CSV file of any size decoded line by line in
  UTF-8 (with or without BOM) or GB18030 (what Excel writes on Chinese Windows), so a
  decoding error names its exact line and memory stays flat.
"""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from faircollect.domain.bad_input import BadInput

MAX_CONFIG_BYTES = 4 * 1024 * 1024
"""The largest YAML configuration file read (strategy, rules, users, teams, answers)."""
MAX_CSV_LINE_BYTES = 1024 * 1024
"""The longest physical line of an import file: a row is a few hundred bytes."""
_SCAN_BLOCK = 1024 * 1024
_UTF8_BOM = codecs.BOM_UTF8


class InputFileError(BadInput):
    """A file that cannot be read as asked; the message names it and says why."""

    def __init__(self, path: Path | str, reason: str, line: int = 0) -> None:
        self.path = str(path)
        self.reason = reason
        self.line = line
        where = f"{self.path} line {line}" if line else self.path
        super().__init__(f"{where}: {reason}")


class Encoding(StrEnum):
    """How an import file is decoded: ``auto`` tries UTF-8 (with or without BOM), then GB18030."""

    AUTO = "auto"
    UTF8 = "utf-8"
    GB18030 = "gb18030"


def regular_file(path: Path, *, missing_ok: bool = False) -> bool:
    """Whether ``path`` is a regular, readable file (False only if absent and ``missing_ok``).

    Raises ``InputFileError`` for anything else that is there: a broken or looping link, a
    directory, a pipe, a device, a socket, or a file this user may not read.
    """
    try:
        os.lstat(path)
    except FileNotFoundError:
        if missing_ok:
            return False
        raise InputFileError(path, "cannot read: no such file") from None
    except OSError as error:
        raise InputFileError(path, f"cannot look at it: {error.strerror}") from None
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        target = os.readlink(path) if os.path.islink(path) else "?"
        reason = f"broken symbolic link (to {target}, which does not exist)"
        raise InputFileError(path, reason) from None
    except OSError as error:
        if error.errno == 40:  # ELOOP
            raise InputFileError(path, "symbolic link loop") from None
        raise InputFileError(path, f"cannot look at it: {error.strerror}") from None
    if not stat.S_ISREG(mode):
        raise InputFileError(path, f"is {_kind(mode)}, not a regular file")
    if not os.access(path, os.R_OK):
        raise InputFileError(path, "permission denied: this user may not read it")
    return True


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def open_binary(path: Path) -> BinaryIO:
    """``path`` opened for reading after ``regular_file`` checked it; OSError -> InputFileError."""
    regular_file(path)
    try:
        return path.open("rb")
    except OSError as error:
        raise InputFileError(path, f"cannot read: {error.strerror}") from None


def read_text_file(path: Path, *, max_bytes: int = MAX_CONFIG_BYTES, label: str = "") -> str:
    """A whole UTF-8 text file (BOM allowed), at most ``max_bytes`` long.

    ``label`` is how messages name the file (default: the path).
    """
    name = label or str(path)
    try:
        with open_binary(path) as handle:
            data = handle.read(max_bytes + 1)
    except InputFileError as error:
        raise InputFileError(name, error.reason) from None
    except OSError as error:
        raise InputFileError(name, f"cannot read: {error.strerror}") from None
    if len(data) > max_bytes:
        raise InputFileError(name, f"larger than {max_bytes:,} bytes: not a configuration file")
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputFileError(name, _not_text(data, error, "UTF-8"), line) from None


def _not_text(data: bytes, error: UnicodeDecodeError, encoding: str) -> str:
    column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
    byte = data[error.start : error.start + 1].hex().upper()
    return f"not {encoding} text (byte 0x{byte} at column {column}); save the file as UTF-8"


def detect_encoding(path: Path, choice: Encoding) -> str:
    """The codec to read ``path`` with: ``utf-8-sig`` (with or without BOM) or ``gb18030``.

    ``auto`` reads the file once as UTF-8 (fast) and, only if that fails, once as GB18030.
    A file that is neither is refused naming the line of its first byte that is not UTF-8.
    An explicit choice is taken as given (errors then surface in ``text_lines``).
    """
    if choice is Encoding.UTF8:
        return "utf-8-sig"
    if choice is Encoding.GB18030:
        return "gb18030"
    utf8 = _first_error(path, "utf-8")
    if utf8 is None:
        return "utf-8-sig"
    line, message = utf8
    if _starts_with_bom(path):
        why = "the file starts with a UTF-8 byte order mark but is not UTF-8"
    elif _first_error(path, "gb18030") is None:
        return "gb18030"
    else:
        why = "the file is neither UTF-8 nor GB18030"
    raise InputFileError(
        path, f"{message}; {why} — save it as UTF-8 (Excel: 另存为 → CSV UTF-8)", line
    )


def _starts_with_bom(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(_UTF8_BOM)) == _UTF8_BOM


def _first_error(path: Path, codec: str) -> tuple[int, str] | None:
    """(line, message) of the first byte ``codec`` cannot decode, or None if it all decodes.

    Reads blocks; a character cut at a block's end is carried into the next block.
    """
    lines_before = 0
    carry = b""
    with path.open("rb") as handle:
        while True:
            block = handle.read(_SCAN_BLOCK)
            data = carry + block
            if not data:
                return None
            try:
                data.decode(codec)
                carry = b""
                lines_before += data.count(b"\n")
            except UnicodeDecodeError as error:
                cut_at_end = error.end == len(data) and len(data) - error.start < 4
                if block and cut_at_end:
                    carry = data[error.start :]
                    lines_before += data.count(b"\n", 0, error.start)
                else:
                    line = lines_before + data.count(b"\n", 0, error.start) + 1
                    return line, _not_text(data, error, _label(codec)).split(";")[0]
            if not block:
                return None


def _label(codec: str) -> str:
    return {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "gb18030": "GB18030"}.get(codec, codec)


def text_lines(
    handle: BinaryIO, codec: str, path: Path | str, max_line_bytes: int = MAX_CSV_LINE_BYTES
) -> Iterator[str]:
    """The decoded lines of an open file (line ends kept), one at a time.

    Splitting on b"\\n" before decoding is safe in UTF-8 and GB18030 (no multi-byte
    character contains that byte), so a decoding error names its exact line. A line longer
    than ``max_line_bytes`` is refused rather than read into memory.
    """
    number = 0
    bom = codec == "utf-8-sig"
    decoding = "utf-8" if bom else codec
    while True:
        raw = handle.readline(max_line_bytes + 1)
        if not raw:
            return
        number += 1
        if len(raw) > max_line_bytes:
            raise InputFileError(path, f"longer than {max_line_bytes:,} bytes", number)
        if bom and number == 1 and raw.startswith(_UTF8_BOM):
            raw = raw[len(_UTF8_BOM) :]
        try:
            yield raw.decode(decoding)
        except UnicodeDecodeError as error:
            message = _not_text(raw, error, _label(codec))
            if codec != "gb18030":
                message += " or pass --encoding gb18030 for a GBK/GB18030 file"
            raise InputFileError(path, message, number) from None


def encoding_label(codec: str) -> str:
    """How a codec is named to a user: UTF-8 or GB18030."""
    return _label(codec)
