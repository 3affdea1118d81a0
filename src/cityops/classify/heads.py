"""One prediction head: a linear model over the shared features for one label space (catalog
class, or responsible unit).

The estimator is scikit-learn's ``SGDClassifier`` with logistic loss: it was the best
calibrated of the linear models we measured (see ``docs/classification.md``), it trains in
seconds on 100k orders, and it supports ``partial_fit`` for cheap updates from corrections.
Class balancing is done with explicit per-label weights, computed once at ``fit`` and reused
by ``partial_fit`` (scikit-learn's ``class_weight="balanced"`` cannot be used incrementally).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import SGDClassifier

from cityops.classify.errors import ClassifierError, NotTrainedError

_DISPLAY_NAMES = {"class": "类别预测", "unit": "责任单位预测"}


def display_name(head: str) -> str:
    """The head's name in messages for people."""
    return _DISPLAY_NAMES.get(head, head)


@dataclass(frozen=True, slots=True)
class HeadConfig:
    alpha: float = 2e-5  # L2 regularisation strength
    epochs: int = 50  # at most: large training sets get fewer passes (see ``passes_for``)
    min_epochs: int = 5
    updates: int = 1_000_000  # aim of passes × examples (scikit-learn's rule of thumb)
    balanced: bool = True  # weight labels inversely to their frequency
    threshold: float = 0.5  # below this top confidence the head makes no suggestion


class LinearHead:
    def __init__(self, name: str, config: HeadConfig, seed: int) -> None:
        self.name = name
        self.config = config
        self.seed = seed
        self._model: SGDClassifier | None = None
        self._label_weight: dict[str, float] = {}
        self.label_counts: dict[str, int] = {}

    @property
    def trained(self) -> bool:
        return self._model is not None

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(str(c) for c in self._model.classes_) if self._model is not None else ()

    def passes_for(self, n_examples: int) -> int:
        """SGD passes over the data: all ``epochs`` for small sets, down to ``min_epochs`` so
        that passes × examples stays near ``updates`` for large ones."""
        wanted = -(-self.config.updates // max(1, n_examples))
        return max(self.config.min_epochs, min(self.config.epochs, wanted))

    def _weights(self, labels: Sequence[str], weights: np.ndarray) -> np.ndarray:
        factor = np.array([self._label_weight.get(lab, 1.0) for lab in labels], dtype=np.float64)
        return weights * factor

    def fit(self, X: sp.csr_matrix, labels: Sequence[str], weights: np.ndarray) -> None:
        """Train from scratch. Needs at least two distinct labels."""
        counts = Counter(labels)
        if len(counts) < 2:
            raise ClassifierError(
                "classify.too_few_labels",
                f"{display_name(self.name)}至少需要两个不同的标签才能训练",
                head=self.name,
                labels=sorted(counts),
            )
        self.label_counts = dict(sorted(counts.items()))
        if self.config.balanced:
            total, k = len(labels), len(counts)
            self._label_weight = {lab: total / (k * n) for lab, n in counts.items()}
        else:
            self._label_weight = {}
        model = SGDClassifier(
            loss="log_loss",
            alpha=self.config.alpha,
            max_iter=self.passes_for(len(labels)),
            tol=None,
            random_state=self.seed,
        )
        model.fit(X, np.asarray(labels, dtype=object), sample_weight=self._weights(labels, weights))
        self._model = model

    def partial_fit(
        self, X: sp.csr_matrix, labels: Sequence[str], weights: np.ndarray, passes: int
    ) -> None:
        """A few more SGD passes over new examples whose labels the head already knows."""
        model = self._require()
        unknown = sorted(set(labels) - set(self.labels))
        if unknown:
            raise ClassifierError(
                "classify.unknown_label",
                f"新标签 {', '.join(unknown)} 不在模型中，需要完整重新训练",
                head=self.name,
                labels=unknown,
            )
        y = np.asarray(labels, dtype=object)
        w = self._weights(labels, weights)
        for _ in range(passes):
            model.partial_fit(X, y, sample_weight=w)
        for lab in labels:
            self.label_counts[lab] = self.label_counts.get(lab, 0) + 1

    def probabilities(self, X: sp.csr_matrix) -> np.ndarray:
        """One row per text, one column per label (in :attr:`labels` order), rows sum to 1."""
        return np.asarray(self._require().predict_proba(X))

    def probabilities_one(self, idx: np.ndarray, vals: np.ndarray) -> np.ndarray:
        """:meth:`probabilities` for one feature row given as (indices, values); the same
        one-vs-rest logistic normalisation as scikit-learn, without its per-call overhead."""
        model = self._require()
        decision = model.coef_[:, idx] @ vals + model.intercept_
        prob = 1.0 / (1.0 + np.exp(-np.clip(decision, -500.0, 500.0)))
        if len(prob) == 1:  # two labels: one decision for the second label
            return np.array([1.0 - prob[0], prob[0]])
        total = prob.sum()
        return prob / total if total > 0 else np.full(len(prob), 1.0 / len(prob))

    def _require(self) -> SGDClassifier:
        if self._model is None:
            raise NotTrainedError(
                message=f"{display_name(self.name)}尚未训练，没有可用的建议", head=self.name
            )
        return self._model
