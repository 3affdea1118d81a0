"""The examples a model learns from, and retraining from dispatcher corrections.

Every example is (text, class code, unit, source, time). Sources: ``history`` (imported past
orders), ``confirmation`` (a dispatcher accepted a suggestion) and ``correction`` (a dispatcher
chose another class or unit). Corrections weigh more (default ×3) and override: for a text that
was corrected, the latest correction's label replaces every other label of that text for that
head (texts are the same when equal after normalisation, white space ignored). The store
is append-only; it can be kept in a JSON Lines file, one example per line.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from cityops.classify.errors import ClassifierError, ExampleError
from cityops.classify.model import CLASS_HEAD, UNIT_HEAD, ModelConfig, OrderClassifier
from cityops.classify.normalize import normalize
from cityops.classify.segment import Segmenter


class Source(StrEnum):
    HISTORY = "history"
    CONFIRMATION = "confirmation"
    CORRECTION = "correction"


DEFAULT_WEIGHTS: Mapping[Source, float] = {
    Source.HISTORY: 1.0,
    Source.CONFIRMATION: 1.0,
    Source.CORRECTION: 3.0,
}


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    class_code: str | None
    unit: str | None
    source: Source
    at: datetime
    weight: float | None = None  # None: the store's weight for the source

    def label(self, head: str) -> str | None:
        return self.class_code if head == CLASS_HEAD else self.unit

    def validate(self) -> None:
        if not self.text or not self.text.strip():
            raise ExampleError(message="样本文本不能为空")
        if not self.class_code and not self.unit:
            raise ExampleError(message="样本至少要有类别或责任单位之一", text=self.text[:50])
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise ExampleError(message="样本时间必须带时区", at=self.at.isoformat())
        if self.weight is not None and not (math.isfinite(self.weight) and self.weight > 0):
            raise ExampleError(message="样本权重必须是正数", weight=self.weight)

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "class_code": self.class_code,
            "unit": self.unit,
            "source": self.source.value,
            "at": self.at.isoformat(),
            "weight": self.weight,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Example:
        try:
            example = cls(
                text=data["text"],
                class_code=data.get("class_code"),
                unit=data.get("unit"),
                source=Source(data["source"]),
                at=datetime.fromisoformat(data["at"]),
                weight=data.get("weight"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ExampleError(message=f"样本记录无效：{exc}") from exc
        example.validate()
        return example


@dataclass(frozen=True, slots=True)
class TrainingSet:
    texts: list[str]
    classes: list[str | None]
    units: list[str | None]
    weights: list[float]


class ExampleStore:
    """Append-only examples in memory; :meth:`load_jsonl`/:meth:`append_jsonl` persist them."""

    def __init__(
        self, examples: Iterable[Example] = (), weights: Mapping[Source, float] | None = None
    ) -> None:
        self.weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
        self._examples: list[Example] = []
        self.extend(examples)

    def __len__(self) -> int:
        return len(self._examples)

    def __iter__(self) -> Iterator[Example]:
        return iter(self._examples)

    def extend(self, examples: Iterable[Example]) -> list[Example]:
        """Add examples; all are checked first, so a bad one adds none."""
        batch = list(examples)
        for example in batch:
            example.validate()
        self._examples.extend(batch)
        return batch

    def add_correction(
        self,
        text: str,
        at: datetime,
        class_code: str | None = None,
        unit: str | None = None,
        weight: float | None = None,
    ) -> Example:
        """Record what a dispatcher chose for an order (class, unit or both)."""
        example = Example(text, class_code, unit, Source.CORRECTION, at, weight)
        self.extend([example])
        return example

    def training_set(self) -> TrainingSet:
        """Texts, labels and weights to train on, with corrections applied (see module doc)."""
        latest: dict[tuple[str, str], Example] = {}
        keys = [_same_text_key(ex.text) for ex in self._examples]
        for key, ex in zip(keys, self._examples, strict=True):
            if ex.source is not Source.CORRECTION:
                continue
            for head in (CLASS_HEAD, UNIT_HEAD):
                if ex.label(head):
                    best = latest.get((key, head))
                    if best is None or ex.at >= best.at:
                        latest[(key, head)] = ex
        out = TrainingSet([], [], [], [])
        for key, ex in zip(keys, self._examples, strict=True):
            labels = []
            for head in (CLASS_HEAD, UNIT_HEAD):
                winner = latest.get((key, head))
                labels.append(ex.label(head) if winner is None or winner is ex else None)
            if not any(labels):
                continue
            out.texts.append(ex.text)
            out.classes.append(labels[0])
            out.units.append(labels[1])
            out.weights.append(ex.weight if ex.weight is not None else self.weights[ex.source])
        return out

    @classmethod
    def load_jsonl(cls, path: Path, weights: Mapping[Source, float] | None = None) -> ExampleStore:
        """Read a store; a bad line stops the load with its line number (nothing is skipped)."""
        examples = []
        with path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    examples.append(Example.from_json(json.loads(line)))
                except (json.JSONDecodeError, ExampleError) as exc:
                    raise ExampleError(
                        message=f"样本文件 {path.name} 第 {number} 行无效",
                        path=str(path),
                        line=number,
                        reason=str(exc),
                    ) from exc
        return cls(examples, weights)

    @staticmethod
    def append_jsonl(path: Path, examples: Sequence[Example]) -> None:
        """Append examples to a store file (validated first; one line each)."""
        for example in examples:
            example.validate()
        lines = "".join(json.dumps(ex.to_json(), ensure_ascii=False) + "\n" for ex in examples)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(lines)


def _same_text_key(text: str) -> str:
    """Texts equal after normalisation and without white space count as the same order."""
    return "".join(normalize(text).split())


def retrain(
    store: ExampleStore,
    config: ModelConfig | None = None,
    segmenter: Segmenter | None = None,
    now: datetime | None = None,
) -> OrderClassifier:
    """A new model trained from the whole store: history plus weighted corrections."""
    data = store.training_set()
    model = OrderClassifier(config, segmenter)
    return model.fit(data.texts, data.classes, data.units, data.weights, now=now)


def apply_corrections(
    model: OrderClassifier,
    store: ExampleStore,
    corrections: Sequence[Example],
    now: datetime | None = None,
) -> tuple[OrderClassifier, str]:
    """Record corrections and bring the model up to date: a cheap ``partial_fit`` when every
    label is already known to the model, otherwise a full :func:`retrain`. Returns the model
    to use from now on and ``"partial_fit"`` or ``"retrain"``."""
    added = store.extend(corrections)
    weights = [ex.weight if ex.weight is not None else store.weights[ex.source] for ex in added]
    try:
        model.partial_fit(
            [ex.text for ex in added],
            [ex.class_code for ex in added],
            [ex.unit for ex in added],
            weights,
        )
        return model, "partial_fit"
    except ClassifierError as exc:
        if exc.code != "classify.unknown_label":
            raise
        return retrain(store, model.config, model.segmenter, now), "retrain"
