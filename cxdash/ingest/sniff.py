"""Sniffing a file before reading it: what kind of file it is, its text encoding and its delimiter.

Checks are made on bytes streamed from the file, so a large CSV is never held in memory twice.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from cxdash.analysis.lang import is_japanese_answer
from cxdash.errors import InputRefused
from cxdash.i18n import t

BLOCK = 1 << 20  # bytes per read while hashing/decoding
HEAD_BYTES = 1 << 16  # bytes decoded to sniff the delimiter and header rows
DELIMITERS = (",", "\t", ";")

# Magic numbers of files people upload by mistake, with the catalogue key of what to tell them.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "ingest.kind_pdf"),
    (b"\x89PNG", "ingest.kind_png"),
    (b"\xff\xd8\xff", "ingest.kind_jpeg"),
    (b"GIF8", "ingest.kind_gif"),
    (b"\x1f\x8b", "ingest.kind_gzip"),
    (b"Rar!", "ingest.kind_rar"),
    (b"7z\xbc\xaf", "ingest.kind_7zip"),
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
    for magic, key in _MAGIC:
        if head.startswith(magic):
            return t(key)
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


def undecodable_at(open_binary: Opener, encoding: str) -> int | None:
    """The byte offset of the first byte the whole file cannot be decoded at with ``encoding``, or None if it can.

    Streamed with an incremental decoder; a sequence cut by the end of the file counts as undecodable.
    """
    decoder = codecs.getincrementaldecoder(encoding)()
    done = 0
    for block in iter_blocks(open_binary):
        try:
            decoder.decode(block)
        except UnicodeDecodeError as error:
            held = len(error.object) - len(block)  # bytes the decoder kept from the previous block
            return max(0, done - held + error.start)
        done += len(block)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        return max(0, done - len(error.object) + error.start)
    return None


def _decodes(open_binary: Opener, encoding: str) -> bool:
    """Whether the whole file decodes with ``encoding``."""
    return undecodable_at(open_binary, encoding) is None


def first_offset(open_binary: Opener, byte: bytes) -> int | None:
    """The offset of the first occurrence of ``byte`` in the file (a fast scan in blocks), or None."""
    done = 0
    for block in iter_blocks(open_binary):
        found = block.find(byte)
        if found >= 0:
            return done + found
        done += len(block)
    return None


def line_at(open_binary: Opener, offset: int) -> int:
    """The 1-based line number of the byte at ``offset`` (CRLF, LF and CR all end a line)."""
    breaks = crlf = 0
    done = 0
    last = b""
    for block in iter_blocks(open_binary):
        part = block[: max(0, offset - done)]
        breaks += part.count(b"\n") + part.count(b"\r")
        crlf += part.count(b"\r\n") + (1 if last == b"\r" and part[:1] == b"\n" else 0)
        last = part[-1:]
        done += len(block)
        if done >= offset:
            break
    return breaks - crlf + 1


def _utf16_line_at(open_binary: Opener, offset: int, encoding: str) -> int:
    """The line number of a byte offset in a UTF-16 file (line breaks counted in the decoded text before it)."""
    with open_binary() as handle:
        text = handle.read(offset).decode(encoding, errors="replace")
    return text.count("\n") + text.count("\r") - text.count("\r\n") + 1


def _check_utf16(open_binary: Opener, head: bytes, encoding: str, file_name: str, declared: bool) -> str:
    """``encoding`` when the file really is UTF-16 text; a refusal naming the problem otherwise."""
    start = 2 if declared else 0
    sample = head[start : start + 4096].decode(encoding.replace("-sig", ""), errors="replace")
    if declared and len(sample) >= 32 and not any(c in sample for c in "\r\n,;\t"):
        # A UTF-16 table has line breaks and delimiters; bytes of UTF-8 text read as UTF-16 have none.
        raise InputRefused(t("ingest.bom_utf16_mismatch", file=file_name))
    bad = undecodable_at(open_binary, encoding)
    if bad is not None:
        line = _utf16_line_at(open_binary, bad, encoding)
        raise InputRefused(t("ingest.utf16_damaged", file=file_name, line=line))
    return encoding


def _refuse_nul(open_binary: Opener, head: bytes, file_name: str) -> None:
    """Refuse a non-UTF-16 file holding NUL bytes: binary data, or a text file with stray NULs (named by line)."""
    nul = head.find(b"\x00")
    if nul < 0:
        found = first_offset(open_binary, b"\x00")
        if found is None:
            return
        nul = found
    if looks_binary(head.decode("latin-1").replace("\x00", "")) or head.count(b"\x00") > max(8, len(head) // 100):
        raise InputRefused(t("ingest.binary_data", file=file_name))
    raise InputRefused(t("ingest.nul_bytes", file=file_name, line=line_at(open_binary, nul)))


def sniff_encoding(open_binary: Opener, head: bytes, file_name: str) -> str:
    """The text encoding: UTF-8 with BOM, UTF-16 (BOM or not), UTF-8, cp932, then cp1252 — checked in that order.

    A byte-order mark is checked against the text that follows it (a cp932 file behind a UTF-8 BOM is refused,
    not read as garbage), and NUL bytes anywhere in a file that is not UTF-16 are refused with their line.
    """
    if head.startswith(codecs.BOM_UTF8):
        _refuse_nul(open_binary, head, file_name)
        bad = undecodable_at(open_binary, "utf-8-sig")
        if bad is not None:
            line = line_at(open_binary, bad)
            raise InputRefused(t("ingest.bom_utf8_mismatch", file=file_name, line=line))
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        le = head.startswith(codecs.BOM_UTF16_LE)
        _check_utf16(open_binary, head, "utf-16-le" if le else "utf-16-be", file_name, declared=True)
        return "utf-16"
    bomless = _utf16_without_bom(head)
    if bomless:
        return _check_utf16(open_binary, head, bomless, file_name, declared=False)
    _refuse_nul(open_binary, head, file_name)
    # cp932, not shift_jis: Japanese Excel writes 髙, ① and other NEC/IBM extensions that shift_jis rejects.
    for encoding in ("utf-8", "cp932", "cp1252"):
        if _decodes(open_binary, encoding):
            return encoding
    bad = undecodable_at(open_binary, "utf-8") or 0
    raise InputRefused(t("ingest.undecodable", file=file_name, line=line_at(open_binary, bad)))


_CONTROLS = re.compile("[\x01-\x08\x0e-\x1f]")  # control characters but tab, line feed, vertical tab, form feed, CR


def looks_binary(text: str) -> bool:
    """Whether decoded text is really binary data: NULs or many control characters."""
    if "\x00" in text:
        return True
    return len(_CONTROLS.findall(text)) > max(2, len(text) // 100)


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
    if _one_column(text, best):
        return ONE_COLUMN
    return best


#: the "delimiter" of a file of one column: a character no text has, so that each line is one cell (quotes still
#: read), and a comment's commas stay in it
ONE_COLUMN = "\x1f"


def _one_column(text: str, delimiter: str) -> bool:
    """Whether the lines are one column whose cells happen to hold the delimiter ("Comment", then "Hello there, nice
    shop", then "Too slow"): the first line is one field; after the first line of more fields, lines of one field
    still come (a quarter of them or more: a table's rows keep its width); and the fields after a delimiter mostly
    start with a space, as prose does after a comma and a table's cells do not."""
    rows = [row for row in parse_records(text, delimiter, limit=50) if any(cell.strip() for cell in row)]
    widths = [len(row) for row in rows]
    if len(widths) < 3 or widths[0] != 1:
        return False
    wider = next((i for i, w in enumerate(widths) if w >= 2), None)
    if wider is None:
        return False
    after = widths[wider + 1 :]
    if not after or sum(w == 1 for w in after) * 4 < len(after):
        return False
    continued = [cell for row in rows[wider:] for cell in row[1:] if cell.strip()]
    return sum(cell[0].isspace() for cell in continued) * 2 >= len(continued) > 0


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


#: how much of a text file's start is looked at for Japanese answers before the file is read
SNIFF_BYTES = 64 * 1024
_FIELD_SEPARATORS = re.compile(r"[,\t;]")


def starts_japanese(source: bytes | Path) -> bool:
    """Whether the first lines of a text file (not a workbook) hold a Japanese answer long enough to be a comment,
    as ``cxdash.ingest.load.has_japanese_text`` tells from the read table: the embedding model's worker then starts
    with the others, before the file is read, instead of after."""
    try:
        if isinstance(source, bytes | bytearray | memoryview):
            head = bytes(source[:SNIFF_BYTES])
        else:
            with open(source, "rb") as f:
                head = f.read(SNIFF_BYTES)
    except OSError:
        return False
    if head.startswith((ZIP_MAGIC, OLE2_MAGIC)):
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head[: len(head) // 2 * 2].decode("utf-16", errors="ignore")
    else:
        head = head[: head.rfind(b"\n") + 1] or head  # whole lines: no character cut in two
        try:
            text = head.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = head.decode("cp932", errors="ignore")
    lines = text.splitlines()[1:200]  # not the header: Japanese column names over English answers are common
    return any(is_japanese_answer(f.strip(' "')) for line in lines for f in _FIELD_SEPARATORS.split(line))
