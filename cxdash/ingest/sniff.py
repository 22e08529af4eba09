"""Sniffing a file before reading it: what kind of file it is, its text encoding and its delimiter.

Checks are made on bytes streamed from the file, so a large CSV is never held in memory twice.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections import Counter
from collections.abc import Callable, Iterator
from typing import BinaryIO

from cxdash.errors import InputRefused

BLOCK = 1 << 20  # bytes per read while hashing/decoding
HEAD_BYTES = 1 << 16  # bytes decoded to sniff the delimiter and header rows
DELIMITERS = (",", "\t", ";")

# Magic numbers of files people upload by mistake, with what to tell them.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "is a PDF document, not a table"),
    (b"\x89PNG", "is a PNG image, not a table"),
    (b"\xff\xd8\xff", "is a JPEG image, not a table"),
    (b"GIF8", "is a GIF image, not a table"),
    (b"\x1f\x8b", "is a gzip archive, not a table"),
    (b"Rar!", "is a RAR archive, not a table"),
    (b"7z\xbc\xaf", "is a 7-Zip archive, not a table"),
)
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"  # old binary Office files (.xls, .doc)
ZIP_MAGIC = b"PK\x03\x04"

Opener = Callable[[], BinaryIO]


def iter_blocks(open_binary: Opener, size: int = BLOCK) -> Iterator[bytes]:
    """The file's bytes in blocks of ``size``."""
    with open_binary() as handle:
        while block := handle.read(size):
            yield block


def content_hash(open_binary: Opener) -> str:
    """sha256 hex digest of the file's bytes, read in blocks."""
    digest = hashlib.sha256()
    for block in iter_blocks(open_binary):
        digest.update(block)
    return digest.hexdigest()


def read_head(open_binary: Opener, size: int = HEAD_BYTES) -> bytes:
    """The first ``size`` bytes of the file."""
    with open_binary() as handle:
        return handle.read(size)


def binary_kind(head: bytes) -> str | None:
    """Why a file is certainly not a table (e.g. 'is a PDF document, not a table'), or None."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    return None


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when the head looks like BOM-less UTF-16 text (ASCII with NUL every other byte)."""
    sample = head[:2048]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    # ASCII (delimiters, digits) has a NUL high byte; Japanese text has none, so a quarter of NULs is enough.
    if odd.count(0) >= 0.25 * len(odd) and even.count(0) <= 0.02 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.25 * len(even) and odd.count(0) <= 0.02 * len(odd):
        return "utf-16-be"
    return None


def _decodes(open_binary: Opener, encoding: str) -> bool:
    """Whether the whole file decodes with ``encoding`` (streamed with an incremental decoder)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        for block in iter_blocks(open_binary):
            decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def sniff_encoding(open_binary: Opener, head: bytes, file_name: str) -> str:
    """The text encoding: UTF-8 with BOM, UTF-16 (BOM or not), UTF-8, cp932, then cp1252 — checked in that order."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    bomless = _utf16_without_bom(head)
    if bomless:
        return bomless
    if b"\x00" in head:
        raise InputRefused(
            f"'{file_name}' is not a table (it contains binary data); export it as CSV or .xlsx and upload that."
        )
    # cp932, not shift_jis: Japanese Excel writes 髙, ① and other NEC/IBM extensions that shift_jis rejects.
    for encoding in ("utf-8", "cp932", "cp1252"):
        if _decodes(open_binary, encoding):
            return encoding
    raise InputRefused(
        f"'{file_name}' could not be read as text in UTF-8, UTF-16 or Shift_JIS (cp932); "
        "save it again as 'CSV UTF-8' and upload that."
    )


def looks_binary(text: str) -> bool:
    """Whether decoded text is really binary data: NULs or many control characters."""
    if "\x00" in text:
        return True
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f\v")
    return controls > max(2, len(text) // 100)


def decode_head(head: bytes, encoding: str, complete: bool) -> str:
    """The head of the file as text; unless it is the whole file, without the partial line at its end."""
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=complete)
    text = text.lstrip("\ufeff")
    if not complete:
        cut = max(text.rfind("\n"), text.rfind("\r"))
        if cut > 0:
            text = text[:cut]
    return text


def sniff_delimiter(text: str, file_name: str) -> str:
    """The delimiter (comma, tab or semicolon) that splits the first lines into the most consistent field counts."""
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        counts = [len(row) for row in parse_records(text, delimiter, limit=50) if any(cell.strip() for cell in row)]
        if not counts:
            continue
        width, agree = Counter(counts).most_common(1)[0]
        if width < 2:
            continue
        score = (agree, width)
        if score > best_score:
            best, best_score = delimiter, score
    if best_score == (0, 0) and file_name.lower().endswith(".tsv"):
        return "\t"
    return best


def parse_records(text: str, delimiter: str, limit: int | None = None) -> list[list[str]]:
    """CSV records from text (quoted newlines and any line ending handled); a bad tail is dropped, not raised."""
    records: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            records.append(row)
            if limit is not None and len(records) >= limit:
                break
    except csv.Error:
        pass
    return records
