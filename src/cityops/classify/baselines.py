"""The two baselines every model must beat.

* :class:`MajorityClassifier` always answers the most frequent label.
* :class:`KeywordClassifier` is what a bureau would build by hand: for each label a list of
  keywords, and an order goes to the label whose keywords it contains most (weighted). The
  lists are either given (e.g. from catalog class names) or derived from training data: the
  words whose presence most distinguishes a label from the others (document-frequency
  log-odds, words seen in at least ``min_df`` documents of the label). Matching is by
  substring of the normalised text, so it does not depend on segmentation.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence

from cityops.classify.model import Candidate
from cityops.classify.normalize import PLACEHOLDERS, normalize
from cityops.classify.segment import Segmenter


class MajorityClassifier:
    def __init__(self) -> None:
        self.prior: list[Candidate] = []

    def fit(self, texts: Sequence[str], labels: Sequence[str], /) -> MajorityClassifier:
        counts = Counter(labels)
        total = sum(counts.values())
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        self.prior = [Candidate(lab, n / total) for lab, n in ordered]
        return self

    def rank(self, texts: Sequence[str], k: int = 3, /) -> list[list[Candidate]]:
        return [list(self.prior[:k]) for _ in texts]


class KeywordClassifier:
    def __init__(
        self,
        keywords: Mapping[str, Mapping[str, float]] | None = None,
        per_label: int = 30,
        min_df: int = 2,
        segmenter: Segmenter | None = None,
    ) -> None:
        self.keywords: dict[str, dict[str, float]] = {
            lab: dict(words) for lab, words in (keywords or {}).items()
        }
        self.per_label = per_label
        self.min_df = min_df
        self.segmenter = segmenter or Segmenter()
        self.prior: list[Candidate] = []

    def fit(self, texts: Sequence[str], labels: Sequence[str], /) -> KeywordClassifier:
        """Derive ``per_label`` keywords per label from the training texts."""
        self.prior = MajorityClassifier().fit(texts, labels).prior
        docs = [set(self._words(text)) for text in texts]
        n_label = Counter(labels)
        df_label: dict[str, Counter[str]] = {lab: Counter() for lab in n_label}
        df_all: Counter[str] = Counter()
        for words, label in zip(docs, labels, strict=True):
            df_label[label].update(words)
            df_all.update(words)
        n_total = len(labels)
        keywords: dict[str, dict[str, float]] = {}
        for label, n_in in n_label.items():
            n_out = n_total - n_in
            scored = []
            for word, df_in in df_label[label].items():
                if df_in < self.min_df:
                    continue
                df_out = df_all[word] - df_in
                odds_in = (df_in + 0.5) / (n_in - df_in + 0.5)
                odds_out = (df_out + 0.5) / (n_out - df_out + 0.5)
                score = math.log(odds_in / odds_out)
                if score > 0:
                    scored.append((score, word))
            scored.sort(key=lambda sw: (-sw[0], sw[1]))
            keywords[label] = {word: score for score, word in scored[: self.per_label]}
        self.keywords = keywords
        return self

    def _words(self, text: str) -> list[str]:
        return [
            w
            for w in self.segmenter.words(normalize(text))
            if len(w) >= 2 and w not in PLACEHOLDERS
        ]

    def rank(self, texts: Sequence[str], k: int = 3, /) -> list[list[Candidate]]:
        """Labels by summed weight of their keywords found in the text; a text without any
        keyword gets the label frequencies (the majority label first)."""
        out = []
        for text in texts:
            norm = normalize(text)
            scores = {
                label: sum(w for word, w in words.items() if word in norm)
                for label, words in self.keywords.items()
            }
            total = sum(scores.values())
            if total <= 0:
                out.append(list(self.prior[:k]) or [])
                continue
            ordered = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
            out.append([Candidate(lab, s / total) for lab, s in ordered[:k]])
        return out
