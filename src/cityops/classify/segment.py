"""Chinese word segmentation with a city's own vocabulary.

Each :class:`Segmenter` owns a private ``jieba.Tokenizer``: the city's road, place, community,
unit and catalog-class names are added to that tokenizer only, never to jieba's module-level
default, so two cities' models in one process cannot see each other's words. The tokenizer is
built on first use from a private copy of jieba's default dictionary (loaded once per process,
about a second, then copied in milliseconds) and is not pickled: a saved model stores only the
user words and rebuilds the tokenizer when loaded.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import jieba

from cityops.classify.errors import ClassifierError
from cityops.classify.normalize import PLACEHOLDERS

_BASE_LOCK = threading.Lock()
_base_dictionary: tuple[dict[str, int], int] | None = None


def _base() -> tuple[dict[str, int], int]:
    """jieba's default dictionary as (word → frequency, total), loaded once into a tokenizer
    of our own and never modified; every :class:`Segmenter` works on a copy."""
    global _base_dictionary
    with _BASE_LOCK:
        if _base_dictionary is None:
            loader = jieba.Tokenizer()
            loader.initialize()
            _base_dictionary = (loader.FREQ, loader.total)
        return _base_dictionary


def _new_tokenizer() -> jieba.Tokenizer:
    freq, total = _base()
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total = dict(freq), total
    tokenizer.initialized = True
    return tokenizer


_TOKEN_CONTENT = re.compile(r"[\u4e00-\u9fffa-z]")
_PUNCT_OR_SPACE = re.compile(r"[^\u4e00-\u9fffa-z\ue000-\uf8ff]+")


@dataclass(frozen=True, slots=True)
class UserWord:
    """A word of the city's vocabulary. ``freq`` None lets jieba pick a frequency that makes
    the word stay whole; ``tag`` is an optional part-of-speech tag (``ns`` place, ``nt`` unit)."""

    word: str
    freq: int | None = None
    tag: str | None = None


class Segmenter:
    """Splits normalised text into word tokens, with the city's words kept whole."""

    def __init__(self, user_words: Iterable[UserWord | str] = (), hmm: bool = False) -> None:
        self.hmm = hmm
        self._user_words: dict[str, UserWord] = {}
        self._tokenizer: jieba.Tokenizer | None = None
        self._lock = threading.Lock()
        self.add_words(user_words)

    @property
    def user_words(self) -> tuple[UserWord, ...]:
        return tuple(self._user_words.values())

    def add_words(self, words: Iterable[UserWord | str]) -> None:
        """Add words to this segmenter only. A word needs at least two characters and a positive
        frequency (jieba's "delete a word" with frequency 0 would touch a global table)."""
        added = []
        for item in words:
            uw = UserWord(item) if isinstance(item, str) else item
            word = uw.word.strip()
            if len(word) < 2 or any(ch.isspace() for ch in word):
                raise ClassifierError(
                    "classify.user_word_invalid",
                    f"自定义词“{uw.word}”无效：至少两个字，且不能含空白",
                    word=uw.word,
                )
            if uw.freq is not None and uw.freq <= 0:
                raise ClassifierError(
                    "classify.user_word_invalid",
                    f"自定义词“{uw.word}”的词频必须为正数",
                    word=uw.word,
                    freq=uw.freq,
                )
            added.append(UserWord(word, uw.freq, uw.tag))
        for uw in added:
            self._user_words[uw.word] = uw
            if self._tokenizer is not None:
                self._tokenizer.add_word(uw.word, uw.freq, uw.tag)

    def _ready(self) -> jieba.Tokenizer:
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    tokenizer = _new_tokenizer()
                    for uw in self._user_words.values():
                        tokenizer.add_word(uw.word, uw.freq, uw.tag)
                    self._tokenizer = tokenizer
        return self._tokenizer

    def words(self, normalized: str) -> list[str]:
        """Word tokens of a normalised text: punctuation and white space dropped, placeholders
        kept as tokens of their own."""
        return list(self._iter_words(normalized))

    def _iter_words(self, normalized: str) -> Iterator[str]:
        for token in self._ready().cut(normalized, HMM=self.hmm):
            if token in PLACEHOLDERS or _TOKEN_CONTENT.search(token):
                yield token

    def __getstate__(self) -> dict[str, Any]:
        return {"hmm": self.hmm, "user_words": list(self._user_words.values())}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.hmm = state["hmm"]
        self._user_words = {uw.word: uw for uw in state["user_words"]}
        self._tokenizer = None
        self._lock = threading.Lock()


def clauses(normalized: str) -> str:
    """The text with punctuation turned into spaces, so character n-grams stay inside a clause."""
    return _PUNCT_OR_SPACE.sub(" ", normalized).strip()
