"""Read a document file and decode it.

Takes: a path to a text document (UTF-8 with or without BOM, UTF-16 with or without BOM,
GB18030/GBK).
Gives: ``RawDocument`` (decoded text exactly as stored, the encoding used, sha256 of the bytes),
or raises ``LoadError`` naming the file, the line when there is one, and what is wrong:
empty file, binary data, a PDF/Office file with a .txt name, undecodable bytes.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from pathlib import Path

from loaders.errors import LoadError
from loaders.records import RawDocument

MAX_BYTES = 50 * 1024 * 1024  # a policy document is never this large; refuse rather than hang

_MAGIC = (
    (b"%PDF", "a PDF file, not text (convert it to text first)"),
    (b"PK\x03\x04", "a ZIP/Office file (DOCX/XLSX), not text"),
    (b"\xd0\xcf\x11\xe0", "an old Office (DOC/XLS) file, not text"),
    (b"\x89PNG", "a PNG image, not text"),
    (b"\xff\xd8\xff", "a JPEG image, not text"),
    (b"GIF8", "a GIF image, not text"),
    (b"\x1f\x8b", "a gzip archive, not text"),
)


_CONTROL = re.compile("[\x00-\x08\x0e-\x1f]")


_LINE_BREAK = re.compile(rb"\r\n|\r|\n")


def _line_of_byte(data: bytes, index: int) -> int:
    """1-based line of byte ``index`` (line breaks: \n, \r\n or a lone \r)."""
    if b"\r" not in data:
        return data.count(b"\n", 0, index) + 1
    return sum(1 for _ in _LINE_BREAK.finditer(data, 0, index)) + 1


def _cjk_ratio(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    cjk = sum(1 for ch in sample if "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f")
    letters = sum(1 for ch in sample if not ch.isspace())
    return cjk / max(letters, 1)


def decode_bytes(data: bytes, source_file: str) -> tuple[str, str]:
    """Decode document bytes; returns (text, encoding). Raises LoadError."""
    if not data.strip():
        raise LoadError(source_file, "empty file (no text)")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise LoadError(source_file, f"this is {what}", line=1)
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise LoadError(
                source_file,
                f"invalid UTF-8 byte 0x{data[exc.start + 3]:02x} after a UTF-8 BOM",
                line=_line_of_byte(data, exc.start + 3),
            ) from None
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            good = data[: exc.start - exc.start % 2].decode("utf-16", "replace")
            what = ("the file ends in the middle of a character (truncated?)"
                    if exc.reason in ("truncated data", "unexpected end of data") else exc.reason)
            raise LoadError(
                source_file,
                f"invalid UTF-16 text after a UTF-16 byte-order mark at byte {exc.start}: {what}",
                line=good.count("\n") + 1,
            ) from None
    nul = data.find(b"\x00")
    if nul != -1:
        # UTF-16 without BOM has NULs (ASCII characters, line breaks) on one byte parity.
        enc = "utf-16-le" if nul % 2 == 1 else "utf-16-be"
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            text = None
        if text is not None and _cjk_ratio(text) > 0.3 and not _CONTROL.search(text):
            return text, enc
        raise LoadError(source_file, "binary data (NUL byte) in a text file", line=_line_of_byte(data, nul))
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        gb_error = None
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            text, gb_error = None, exc
        if text is not None and _cjk_ratio(text) > 0.3:
            return text, "gb18030"
        # Report the bad byte of the encoding the file is most likely in: the one that decodes
        # further (a GBK file with one bad byte must not be reported at its first Chinese
        # character as "invalid UTF-8").
        if gb_error is not None and gb_error.start > utf8_error.start:
            error, enc, other = gb_error, "GB18030/GBK", "UTF-8"
        else:
            error, enc, other = utf8_error, "UTF-8", "GB18030/GBK"
        bad = error.start
        where = f"at byte {bad}"
        if error.end >= len(data) and error.reason in ("unexpected end of data", "incomplete multibyte sequence"):
            where += " (the file ends in the middle of a character: truncated?)"
        raise LoadError(
            source_file,
            f"cannot decode text: invalid {enc} byte 0x{data[bad]:02x} {where} "
            f"(not valid {other} either); re-save the file as UTF-8",
            line=_line_of_byte(data, bad),
        ) from None


def read_document(path: str | Path) -> RawDocument:
    path = Path(path)
    source_file = path.name
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise LoadError(source_file, f"file is {size} bytes; the limit is {MAX_BYTES} bytes")
        data = path.read_bytes()
    except FileNotFoundError:
        raise LoadError(source_file, f"file not found: {path}") from None
    except IsADirectoryError:
        raise LoadError(source_file, f"is a directory, not a file: {path}") from None
    except PermissionError:
        raise LoadError(source_file, f"permission denied reading {path}") from None
    except OSError as exc:
        raise LoadError(source_file, f"cannot read {path}: {exc.strerror or exc}") from None
    text, encoding = decode_bytes(data, source_file)
    return RawDocument(
        path=str(path),
        source_file=source_file,
        text=text,
        encoding=encoding,
        sha256=hashlib.sha256(data).hexdigest(),
    )
