"""Segmentation with a city's own words, kept private to each segmenter."""

from __future__ import annotations

import pickle

import jieba
import pytest

from cityops.classify.errors import ClassifierError
from cityops.classify.normalize import PHONE
from cityops.classify.segment import Segmenter, UserWord, clauses
from cityops.classify.vocabulary import read_user_dictionary, words_from_names

TEXT = "东风里社区北门路灯不亮"
WORD = "东风里社区北门"


@pytest.fixture(scope="module")
def plain() -> Segmenter:
    return Segmenter()


def test_a_user_word_stays_whole(plain: Segmenter):
    assert WORD not in plain.words(TEXT)
    assert WORD in Segmenter([WORD]).words(TEXT)


def test_user_words_do_not_leak_to_other_segmenters_or_to_jieba_itself(plain: Segmenter):
    with_word = Segmenter([UserWord(WORD, tag="ns")])
    assert WORD in with_word.words(TEXT)
    assert WORD not in plain.words(TEXT)
    assert WORD not in Segmenter().words(TEXT)
    assert WORD not in jieba.lcut(TEXT)


def test_words_added_after_first_use_take_effect():
    seg = Segmenter()
    assert WORD not in seg.words(TEXT)
    seg.add_words([WORD])
    assert WORD in seg.words(TEXT)


def test_a_pickled_segmenter_keeps_its_words_but_not_the_dictionary():
    seg = Segmenter([WORD])
    seg.words(TEXT)  # build the tokenizer
    blob = pickle.dumps(seg)
    assert len(blob) < 10_000
    assert WORD in pickle.loads(blob).words(TEXT)


def test_punctuation_is_dropped_and_placeholders_are_kept(plain: Segmenter):
    tokens = plain.words(f"路灯不亮，电话{PHONE}！")
    assert PHONE in tokens
    assert "，" not in tokens and "！" not in tokens


@pytest.mark.parametrize("bad", [UserWord("路"), UserWord("两 字"), UserWord("路灯", freq=0)])
def test_bad_user_words_are_refused_and_none_is_added(bad: UserWord):
    seg = Segmenter()
    with pytest.raises(ClassifierError) as err:
        seg.add_words([UserWord("好词语"), bad])
    assert err.value.code == "classify.user_word_invalid"
    assert seg.user_words == ()


def test_clauses_split_on_punctuation():
    assert clauses("路灯不亮,请处理。谢谢") == "路灯不亮 请处理 谢谢"


def test_names_are_split_into_words():
    words = words_from_names(["历下区、市中区", "经十路(东段)", "路"])
    assert [w.word for w in words] == ["历下区", "市中区", "经十路", "东段"]


def test_a_jieba_user_dictionary_file_is_read(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("# roads\n经十路 100 ns\n舜耕路\n\n", encoding="utf-8")
    assert read_user_dictionary(path) == [UserWord("经十路", 100, "ns"), UserWord("舜耕路")]
    path.write_text("经十路 many\n", encoding="utf-8")
    with pytest.raises(ClassifierError) as err:
        read_user_dictionary(path)
    assert err.value.details["line"] == 1
