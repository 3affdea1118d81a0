"""Measuring a text classifier honestly: stratified k-fold cross-validation with a fixed seed,
accuracy and macro-F1 per fold (mean ± standard deviation), top-k accuracy, calibration
(expected calibration error) and the coverage/accuracy trade-off of a confidence threshold,
all from out-of-fold predictions."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from cityops.classify.errors import ClassifierError
from cityops.classify.model import CLASS_HEAD, Candidate, OrderClassifier


class TextClassifier(Protocol):
    def fit(self, texts: Sequence[str], labels: Sequence[str], /) -> object: ...

    def rank(self, texts: Sequence[str], k: int = 3, /) -> list[list[Candidate]]: ...


class HeadOnly:
    """An :class:`OrderClassifier` seen as a one-head classifier (for cross-validation)."""

    def __init__(self, model: OrderClassifier, head: str = CLASS_HEAD) -> None:
        self.model, self.head = model, head

    def fit(self, texts: Sequence[str], labels: Sequence[str], /) -> HeadOnly:
        if self.head == CLASS_HEAD:
            self.model.fit(texts, classes=labels)
        else:
            self.model.fit(texts, units=labels)
        return self

    def rank(self, texts: Sequence[str], k: int = 3, /) -> list[list[Candidate]]:
        return self.model.rank(texts, k, self.head)


@dataclass(frozen=True, slots=True)
class FoldScore:
    accuracy: float
    macro_f1: float
    top_k_accuracy: float
    n_test: int


@dataclass(frozen=True, slots=True)
class MeanStd:
    mean: float
    std: float  # population standard deviation over folds

    def __str__(self) -> str:
        return f"{self.mean:.3f} ± {self.std:.3f}"


@dataclass
class CrossValidation:
    folds: list[FoldScore]
    k: int  # of top-k accuracy
    truth: list[str] = field(default_factory=list)  # out-of-fold, in data order
    ranked: list[list[Candidate]] = field(default_factory=list)

    def _summary(self, values: list[float]) -> MeanStd:
        return MeanStd(statistics.fmean(values), statistics.pstdev(values))

    @property
    def accuracy(self) -> MeanStd:
        return self._summary([f.accuracy for f in self.folds])

    @property
    def macro_f1(self) -> MeanStd:
        return self._summary([f.macro_f1 for f in self.folds])

    @property
    def top_k_accuracy(self) -> MeanStd:
        return self._summary([f.top_k_accuracy for f in self.folds])

    def expected_calibration_error(self, bins: int = 10) -> float:
        """|accuracy − confidence| averaged over equal-width confidence bins, weighted by the
        share of predictions in each bin (0 = perfectly calibrated)."""
        conf = np.array([r[0].confidence for r in self.ranked])
        correct = np.array([r[0].label == t for r, t in zip(self.ranked, self.truth, strict=True)])
        error = 0.0
        for b in range(bins):
            low, high = b / bins, (b + 1) / bins
            in_bin = (conf > low) & (conf <= high) if b else (conf >= low) & (conf <= high)
            if in_bin.any():
                error += in_bin.mean() * abs(correct[in_bin].mean() - conf[in_bin].mean())
        return float(error)

    def at_threshold(self, threshold: float) -> tuple[float, float]:
        """(coverage, accuracy of the suggestions made) when texts whose best confidence is
        below ``threshold`` get no suggestion."""
        made = [
            (r[0].label == t)
            for r, t in zip(self.ranked, self.truth, strict=True)
            if r[0].confidence >= threshold
        ]
        coverage = len(made) / len(self.truth)
        return coverage, (sum(made) / len(made) if made else float("nan"))


def cross_validate(
    factory: Callable[[], TextClassifier],
    texts: Sequence[str],
    labels: Sequence[str],
    folds: int = 5,
    seed: int = 0,
    k: int = 3,
) -> CrossValidation:
    """Stratified ``folds``-fold cross-validation; a fresh model from ``factory`` per fold."""
    if len(texts) != len(labels):
        raise ClassifierError(
            "classify.evaluation_invalid",
            "文本数与标签数不一致",
            texts=len(texts),
            labels=len(labels),
        )
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    rare = sorted(lab for lab, n in counts.items() if n < folds)
    if rare:
        raise ClassifierError(
            "classify.evaluation_invalid",
            f"每个标签至少需要 {folds} 条样本才能做 {folds} 折交叉验证",
            labels=rare,
        )
    y = np.asarray(labels, dtype=object)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    result = CrossValidation(folds=[], k=k, truth=list(labels), ranked=[[] for _ in labels])
    for train, test in splitter.split(np.zeros(len(y)), y):
        model = factory()
        model.fit([texts[i] for i in train], [labels[i] for i in train])
        ranked = model.rank([texts[i] for i in test], k)
        predicted = [r[0].label for r in ranked]
        truth = [labels[i] for i in test]
        for i, r in zip(test, ranked, strict=True):
            result.ranked[i] = r
        result.folds.append(
            FoldScore(
                accuracy=float(np.mean([p == t for p, t in zip(predicted, truth, strict=True)])),
                macro_f1=float(f1_score(truth, predicted, average="macro", zero_division=0)),
                top_k_accuracy=float(
                    np.mean([t in {c.label for c in r} for r, t in zip(ranked, truth, strict=True)])
                ),
                n_test=len(test),
            )
        )
    return result
