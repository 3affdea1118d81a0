"""From raw order text to a sparse feature vector: normalised text → jieba words (uni- and
bigrams) and character n-grams inside clauses (robust to segmentation errors), each block
TF-IDF weighted with sublinear term frequency and L2-normalised, then joined side by side."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from cityops.classify.normalize import normalize
from cityops.classify.segment import Segmenter, clauses

PARALLEL_MIN_TEXTS = 4000


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (1, 3)
    min_df: int = 1
    max_word_features: int | None = 300_000
    max_char_features: int | None = 300_000
    char_weight: float = 1.0
    max_chars: int | None = None  # only the first characters count (bounds latency)
    n_jobs: int = 1  # worker processes for segmentation of large training sets


@dataclass(frozen=True, slots=True)
class PreparedText:
    words: list[str]
    clauses: str


def _word_ngrams(tokens: list[str], low: int, high: int) -> list[str]:
    grams: list[str] = []
    for n in range(low, high + 1):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


def _prepare_chunk(
    segmenter: Segmenter, texts: Sequence[str], max_chars: int | None
) -> list[PreparedText]:
    out = []
    for text in texts:
        norm = normalize(text[:max_chars] if max_chars else text)
        out.append(PreparedText(segmenter.words(norm), clauses(norm)))
    return out


class Featurizer:
    """Fitted on the training texts (vocabulary and IDF), then turns any text into features."""

    def __init__(self, segmenter: Segmenter, config: FeatureConfig | None = None) -> None:
        self.segmenter = segmenter
        self.config = config or FeatureConfig()
        low, high = self.config.word_ngrams
        self._words = TfidfVectorizer(
            analyzer=functools.partial(_word_ngrams, low=low, high=high),
            min_df=self.config.min_df,
            max_features=self.config.max_word_features,
            sublinear_tf=True,
            dtype=np.float32,
        )
        self._chars = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=self.config.char_ngrams,
            lowercase=False,
            min_df=self.config.min_df,
            max_features=self.config.max_char_features,
            sublinear_tf=True,
            dtype=np.float32,
        )
        self.fitted = False
        self._fast: _FastPath | None = None

    def prepare(self, texts: Sequence[str]) -> list[PreparedText]:
        """Normalise and segment; large batches are split over ``n_jobs`` processes."""
        n_jobs = self.config.n_jobs
        if n_jobs <= 1 or len(texts) < PARALLEL_MIN_TEXTS:
            return _prepare_chunk(self.segmenter, texts, self.config.max_chars)
        from joblib import Parallel, delayed

        size = -(-len(texts) // (n_jobs * 4))
        chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
        parts = Parallel(n_jobs=n_jobs)(
            delayed(_prepare_chunk)(self.segmenter, c, self.config.max_chars) for c in chunks
        )
        return [p for part in parts for p in part]

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.fit_transform_prepared(self.prepare(texts))

    def fit_transform_prepared(self, prepared: Sequence[PreparedText]) -> sp.csr_matrix:
        words = self._words.fit_transform([p.words for p in prepared])
        chars = self._chars.fit_transform([p.clauses for p in prepared])
        self.fitted = True
        return self._join(words, chars)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.transform_prepared(self.prepare(texts))

    def transform_prepared(self, prepared: Sequence[PreparedText]) -> sp.csr_matrix:
        words = self._words.transform([p.words for p in prepared])
        chars = self._chars.transform([p.clauses for p in prepared])
        return self._join(words, chars)

    def _join(self, words: sp.spmatrix, chars: sp.spmatrix) -> sp.csr_matrix:
        if self.config.char_weight != 1.0:
            chars = chars * np.float32(self.config.char_weight)
        return sp.hstack([words, chars], format="csr", dtype=np.float32)

    @property
    def n_features(self) -> int:
        return len(self._words.vocabulary_) + len(self._chars.vocabulary_)

    def vectorize_one(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The feature row of one text as (column indices, values): the same numbers as
        :meth:`transform`, without scikit-learn's per-call overhead (single-order latency)."""
        if self._fast is None:
            self._fast = _FastPath(self)
        prepared = _prepare_chunk(self.segmenter, [text], self.config.max_chars)[0]
        return self._fast.vectorize(prepared)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_fast"] = None
        return state


class _FastPath:
    """Vocabulary lookups and TF-IDF arithmetic in plain Python/NumPy for one document."""

    def __init__(self, featurizer: Featurizer) -> None:
        self.blocks = []
        offset = 0
        weights = (1.0, featurizer.config.char_weight)
        for vec, weight in zip((featurizer._words, featurizer._chars), weights, strict=True):
            idf = np.asarray(vec.idf_, dtype=np.float64)
            self.blocks.append((vec.build_analyzer(), vec.vocabulary_, idf, offset, weight))
            offset += len(vec.vocabulary_)

    def vectorize(self, prepared: PreparedText) -> tuple[np.ndarray, np.ndarray]:
        all_idx, all_vals = [], []
        for (analyzer, vocab, idf, offset, weight), doc in zip(
            self.blocks, (prepared.words, prepared.clauses), strict=True
        ):
            counts: dict[int, int] = {}
            for gram in analyzer(doc):
                j = vocab.get(gram)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            if not counts:
                continue
            idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            vals = (np.log(tf) + 1.0) * idf[idx]
            vals *= weight / np.sqrt(np.dot(vals, vals))
            all_idx.append(idx + offset)
            all_vals.append(vals)
        if not all_idx:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        return np.concatenate(all_idx), np.concatenate(all_vals)
