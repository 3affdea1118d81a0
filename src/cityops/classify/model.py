"""The order classifier: one shared text featurizer and two heads, the catalog class and the
responsible unit. Either head may be missing from the training data (a city that has classes
but no unit history trains only the class head); a head without training makes no suggestion.

Typical use::

    model = OrderClassifier(ModelConfig(seed=7), Segmenter(words_from_profile(profile)))
    model.fit(texts, classes=class_codes, units=unit_codes)
    model.predict(["东风路与经十路路口路灯不亮"], k=3)        # class head
    # [[Candidate(label='01030', confidence=0.81), Candidate(...), Candidate(...)]]
    model.suggest(["..."])                                   # both heads, thresholds applied
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, NamedTuple

import numpy as np

from cityops.classify.errors import ClassifierError, ExampleError, NotTrainedError
from cityops.classify.features import FeatureConfig, Featurizer
from cityops.classify.heads import HeadConfig, LinearHead, display_name
from cityops.classify.segment import Segmenter

CLASS_HEAD = "class"
UNIT_HEAD = "unit"
HEADS = (CLASS_HEAD, UNIT_HEAD)
SMALL_CORPUS = 50  # below this many training texts every term is kept (min_df = 1)
FAST_BATCH = 8  # up to this many texts are scored one by one on the low-latency path


def order_text(title: str, body: str) -> str:
    """The one text an order is classified by: its title (subject) and its content."""
    title, body = title.strip(), body.strip()
    return f"{title}。{body}" if title and body else title or body


class Candidate(NamedTuple):
    label: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Suggestion:
    """What the dispatcher sees for one order: ranked candidates per head. A head's list is
    empty when its best confidence is under the head's threshold ("no suggestion")."""

    classes: tuple[Candidate, ...]
    units: tuple[Candidate, ...]

    @property
    def class_code(self) -> str | None:
        return self.classes[0].label if self.classes else None

    @property
    def unit(self) -> str | None:
        return self.units[0].label if self.units else None


@dataclass(frozen=True, slots=True)
class ModelConfig:
    seed: int = 0
    features: FeatureConfig = field(
        default_factory=lambda: FeatureConfig(
            word_ngrams=(1, 1), char_ngrams=(1, 2), min_df=2, max_chars=1000
        )
    )
    class_head: HeadConfig = field(default_factory=HeadConfig)
    unit_head: HeadConfig = field(default_factory=HeadConfig)

    def head(self, name: str) -> HeadConfig:
        return self.class_head if name == CLASS_HEAD else self.unit_head


@dataclass
class TrainingInfo:
    """Facts about the last training, saved with the model."""

    trained_at: datetime
    n_texts: int
    n_features: int
    label_counts: dict[str, dict[str, int]]  # head → label → examples
    seed: int
    metrics: dict[str, Any] = field(default_factory=dict)  # e.g. cross-validation figures
    updates: int = 0  # partial_fit calls since the last full training


class OrderClassifier:
    def __init__(self, config: ModelConfig | None = None, segmenter: Segmenter | None = None):
        self.config = config or ModelConfig()
        self.segmenter = segmenter or Segmenter()
        self.featurizer: Featurizer | None = None
        self.heads: dict[str, LinearHead] = {}
        self.thresholds = {name: self.config.head(name).threshold for name in HEADS}
        self.info: TrainingInfo | None = None

    # -- training -------------------------------------------------------------------------
    def fit(
        self,
        texts: Sequence[str],
        classes: Sequence[str | None] | None = None,
        units: Sequence[str | None] | None = None,
        weights: Sequence[float] | None = None,
        now: datetime | None = None,
    ) -> OrderClassifier:
        """Train both heads from scratch. ``classes``/``units`` hold one label or None per
        text; a head is trained on the texts that have its label and needs two labels at
        least. ``weights`` (default 1) scale each example, e.g. dispatcher corrections."""
        n = len(texts)
        columns = {
            name: column
            for name, column in ((CLASS_HEAD, classes), (UNIT_HEAD, units))
            if column is not None
        }
        for name, column in columns.items():
            if len(column) != n:
                raise ExampleError(
                    message=f"标签数（{len(column)}）与文本数（{n}）不一致", head=name
                )
        w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
        if len(w) != n or not np.all(np.isfinite(w)) or np.any(w <= 0):
            raise ExampleError(message="样本权重必须是与文本一一对应的正数")
        usable: dict[str, list[int]] = {}
        for name, col in columns.items():
            rows = [i for i, lab in enumerate(col) if lab]
            if len({col[i] for i in rows}) >= 2:
                usable[name] = rows
        if not usable:
            raise ClassifierError(
                "classify.too_few_labels",
                "训练数据中没有任何一项（类别或责任单位）具备两个以上不同的标签",
                n_texts=n,
            )
        used = sorted({i for rows in usable.values() for i in rows})
        feature_config = self.config.features
        if len(used) < SMALL_CORPUS:
            feature_config = replace(feature_config, min_df=1)
        featurizer = Featurizer(self.segmenter, feature_config)
        X_used = featurizer.fit_transform([texts[i] for i in used])
        position = {row: pos for pos, row in enumerate(used)}
        heads: dict[str, LinearHead] = {}
        for name, rows in usable.items():
            head = LinearHead(name, self.config.head(name), self.config.seed)
            labels = [str(columns[name][i]) for i in rows]
            head.fit(X_used[[position[i] for i in rows]], labels, w[rows])
            heads[name] = head
        self.featurizer, self.heads = featurizer, heads
        self.info = TrainingInfo(
            trained_at=(now or datetime.now(UTC)).astimezone(UTC),
            n_texts=len(used),
            n_features=featurizer.n_features,
            label_counts={name: dict(h.label_counts) for name, h in heads.items()},
            seed=self.config.seed,
        )
        return self

    def partial_fit(
        self,
        texts: Sequence[str],
        classes: Sequence[str | None] | None = None,
        units: Sequence[str | None] | None = None,
        weights: Sequence[float] | None = None,
        passes: int = 5,
    ) -> OrderClassifier:
        """Nudge trained heads towards new examples without retraining. Only labels the head
        already knows are allowed (a new label raises ``classify.unknown_label``: retrain),
        and the vocabulary stays that of the last full training."""
        featurizer = self._require_featurizer()
        X = featurizer.transform(texts)
        w = np.ones(len(texts)) if weights is None else np.asarray(weights, dtype=np.float64)
        planned = []
        for name, column in ((CLASS_HEAD, classes), (UNIT_HEAD, units)):
            if column is None:
                continue
            rows = [i for i, lab in enumerate(column) if lab]
            if rows:
                head = self.heads.get(name)
                if head is None:
                    raise ClassifierError(
                        "classify.unknown_label",
                        f"{display_name(name)}尚未训练，需要完整重新训练",
                        head=name,
                    )
                labels = [str(column[i]) for i in rows]
                unknown = sorted(set(labels) - set(head.labels))
                if unknown:  # check every head before changing any
                    raise ClassifierError(
                        "classify.unknown_label",
                        f"新标签 {', '.join(unknown)} 不在模型中，需要完整重新训练",
                        head=name,
                        labels=unknown,
                    )
                planned.append((head, rows, labels))
        for head, rows, labels in planned:
            head.partial_fit(X[rows], labels, w[rows], passes)
        if self.info is not None and planned:
            self.info.updates += 1
            self.info.label_counts = {name: dict(h.label_counts) for name, h in self.heads.items()}
        return self

    # -- prediction -----------------------------------------------------------------------
    def rank(
        self, texts: Sequence[str], k: int = 3, head: str = CLASS_HEAD
    ) -> list[list[Candidate]]:
        """Top ``k`` labels with confidences for each text, best first, no threshold."""
        if head not in HEADS:
            raise ClassifierError("classify.unknown_head", f"未知的预测项“{head}”", head=head)
        model = self.heads.get(head)
        if model is None:
            return [[] for _ in texts]
        return _top_k(self._probabilities(texts, [model])[0], model.labels, k)

    def predict(
        self, texts: Sequence[str], k: int = 3, head: str = CLASS_HEAD
    ) -> list[list[Candidate]]:
        """Like :meth:`rank`, but a text whose best confidence is below the head's threshold
        gets an empty list: no suggestion."""
        threshold = self.thresholds.get(head, 0.0)
        return [c if c and c[0].confidence >= threshold else [] for c in self.rank(texts, k, head)]

    def suggest(self, texts: Sequence[str], k: int = 3) -> list[Suggestion]:
        """Both heads for each text, thresholds applied; the text is featurized once."""
        present = [(name, self.heads[name]) for name in HEADS if name in self.heads]
        probs = self._probabilities(texts, [head for _, head in present])
        per_head: dict[str, list[list[Candidate]]] = {name: [[] for _ in texts] for name in HEADS}
        for (name, model), P in zip(present, probs, strict=True):
            ranked = _top_k(P, model.labels, k)
            threshold = self.thresholds[name]
            per_head[name] = [c if c[0].confidence >= threshold else [] for c in ranked]
        return [
            Suggestion(tuple(per_head[CLASS_HEAD][i]), tuple(per_head[UNIT_HEAD][i]))
            for i in range(len(texts))
        ]

    def labels(self, head: str = CLASS_HEAD) -> tuple[str, ...]:
        model = self.heads.get(head)
        return model.labels if model is not None else ()

    def _probabilities(self, texts: Sequence[str], heads: list[LinearHead]) -> list[np.ndarray]:
        """Per head, a (texts × labels) probability matrix; the text is featurized once."""
        featurizer = self._require_featurizer()
        if len(texts) <= FAST_BATCH:
            rows = [featurizer.vectorize_one(text) for text in texts]
            return [
                np.array([h.probabilities_one(idx, vals) for idx, vals in rows]).reshape(
                    len(texts), len(h.labels)
                )
                for h in heads
            ]
        X = featurizer.transform(texts)
        return [h.probabilities(X) for h in heads]

    def _require_featurizer(self) -> Featurizer:
        if self.featurizer is None:
            raise NotTrainedError(message="模型尚未训练，没有可用的建议")
        return self.featurizer


def _top_k(P: np.ndarray, labels: Sequence[str], k: int) -> list[list[Candidate]]:
    k = max(1, min(k, P.shape[1]))
    # by confidence, best first; exact ties keep the (sorted) label order
    order = np.argsort(-P, axis=1, kind="stable")[:, :k]
    return [
        [Candidate(labels[j], float(row[j])) for j in idx]
        for row, idx in zip(P, order, strict=True)
    ]
