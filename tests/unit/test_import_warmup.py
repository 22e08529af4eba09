"""Before a large file is read, its first lines tell whether the embedding model's worker should start with the
others: when they hold a Japanese answer long enough to be a comment, in any of the encodings an import reads."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from cxdash.ingest.sniff import SNIFF_BYTES, starts_japanese

JAPANESE = "id,nps,会員,comment\n1,9,ゴールド,スタッフの対応がとても丁寧でした\n2,3,一般,待ち時間が長すぎる\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932", "utf-16"])
def test_japanese_answers_are_seen_in_every_encoding(encoding: str, tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_bytes(JAPANESE.encode(encoding))
    assert starts_japanese(path)
    assert starts_japanese(path.read_bytes())


@pytest.mark.parametrize(
    "content",
    [
        "id,nps,comment\n1,9,Great staff and a quick checkout\n",
        # a Japanese header only
        "回答ID,推奨度,ご意見・ご感想をお聞かせください\n1,9,Great staff and a quick checkout\n",
        "id,会員,性別\n1,ゴールド会員,男性\n2,一般,女性\n",  # short Japanese values: segments, not comments
    ],
    ids=["english", "japanese-header", "short-values"],
)
def test_no_japanese_comment_no_early_embedding_worker(content: str) -> None:
    assert not starts_japanese(content.encode("utf-8"))


def test_workbooks_and_unreadable_sources_are_not_guessed(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    pd.DataFrame({"comment": ["スタッフの対応がとても丁寧でした"] * 3}).to_excel(buffer, index=False)
    assert not starts_japanese(buffer.getvalue())
    assert not starts_japanese(tmp_path / "missing.csv")


def test_a_character_cut_at_the_end_of_the_look_is_no_matter() -> None:
    line = "1,スタッフの対応がとても丁寧でした\n".encode("cp932")
    head = b"id,comment\n" + line * (SNIFF_BYTES // len(line) + 2)
    assert starts_japanese(head)  # the look ends inside a two-byte character: whole lines are decoded
    assert starts_japanese(head.decode("cp932").encode("utf-8"))
