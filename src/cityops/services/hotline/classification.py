"""Automatic classification of hotline orders, wired to ``cityops.classify``.

- **Training** (``train``): examples from the city's own history — closed hotline orders (their
  final class, and the unit that replied when the order was closed resolved), closed cases of
  the loop (filed class, the unit that handled them) — plus every dispatcher correction kept in
  ``hotline_training_examples`` (weighted ×3 and overriding older labels of the same text).
  The model is saved to the database (``hotline_models``, one row active) so that every process
  of the platform uses the same one.
- **Suggesting** (``suggest``, at intake): the class and the unit with their confidences (each
  head only when confident enough), and the routing rule's unit for the suggested class and the
  order's place. For dispatching (``suggested_unit``) the routing rules win whenever the order
  is placed to a street or finer; the learned unit serves orders placed no better than a
  district (the benchmark shows why: on the demo city the rules are right whenever the class
  is, the unit head only about half the time).
- **Corrections** (``record_choice``): when a dispatcher sets a class or a unit other than the
  suggestion, a training example is written in the same transaction as the command.
- **Retraining**: on demand (``cityops hotline train``) and periodically: ``retrain_if_due``
  retrains when enough corrections arrived or the model is old (run it from a timer with
  ``cityops hotline train --if-due``).
"""

from __future__ import annotations

import tempfile
import threading
import time
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, and_, func, insert, select, update

from cityops.adapters.db.tables.cases import cases
from cityops.adapters.db.tables.hotline import (
    hotline_models,
    hotline_orders,
    hotline_training_examples,
)
from cityops.adapters.db.unit_of_work import SqlUnitOfWork
from cityops.domain.cases.model import Actor
from cityops.domain.catalog.routing import suggest_unit
from cityops.domain.geo.model import Location
from cityops.domain.hotline.model import Order, Placement
from cityops.errors import CityopsError, ValidationError
from cityops.services.runtime import Runtime

MODEL_CHECK_SECONDS = 30.0
DEFAULT_MAX_EXAMPLES = 200_000


@dataclass
class _Loaded:
    model_id: int
    model: Any  # cityops.classify.OrderClassifier
    checked_at: float


_models: weakref.WeakKeyDictionary[Engine, _Loaded] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


# --------------------------------------------------------------------------- the active model


def _active_id(rt: Runtime) -> int | None:
    with rt.uow(readonly=True) as uow:
        value = uow.conn.execute(
            select(func.max(hotline_models.c.id)).where(hotline_models.c.active.is_(True))
        ).scalar()
    return int(value) if value is not None else None


def _load(rt: Runtime, model_id: int) -> Any:
    from cityops.classify import load_model

    with rt.uow(readonly=True) as uow:
        content = uow.conn.execute(
            select(hotline_models.c.content).where(hotline_models.c.id == model_id)
        ).scalar_one()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.joblib"
        path.write_bytes(bytes(content))
        return load_model(path)


def active_model(rt: Runtime) -> tuple[int, Any] | None:
    """(model id, classifier) of the active model, cached per engine; None when none is
    trained (or the saved one cannot be loaded any more: then retrain)."""
    with _lock:
        hit = _models.get(rt.engine)
    now = time.monotonic()
    if hit is not None and now - hit.checked_at < MODEL_CHECK_SECONDS:
        return hit.model_id, hit.model
    model_id = _active_id(rt)
    if model_id is None:
        return None
    if hit is not None and hit.model_id == model_id:
        hit.checked_at = now
        return hit.model_id, hit.model
    try:
        model = _load(rt, model_id)
    except CityopsError:
        return None
    with _lock:
        _models[rt.engine] = _Loaded(model_id, model, now)
    return model_id, model


def forget_model(rt: Runtime) -> None:
    with _lock:
        _models.pop(rt.engine, None)


# --------------------------------------------------------------------------- suggestions


def _routing_unit(rt: Runtime, class_code: str | None, placement: Placement) -> str | None:
    if not class_code or placement.level == "none":
        return None
    loc = Location(
        placement.lon or 0.0,
        placement.lat or 0.0,
        placement.grid_code,
        placement.community_code,
        placement.street_code,
        placement.district_code,
    )
    s = suggest_unit(rt.policy.profile, class_code, loc)
    return s.unit_code if s else None


def suggest(rt: Runtime, text: str, placement: Placement) -> dict[str, Any] | None:
    """The classifier's suggestion for a new order (None when no model is trained yet)."""
    loaded = active_model(rt)
    if loaded is None:
        return None
    model_id, model = loaded
    s = model.suggest([text], k=3)[0]
    top_class = s.classes[0] if s.classes else None
    top_unit = s.units[0] if s.units else None
    return {
        "model_id": model_id,
        "class_code": top_class.label if top_class else None,
        "class_confidence": round(top_class.confidence, 4) if top_class else None,
        "classes": [{"code": c.label, "confidence": round(c.confidence, 4)} for c in s.classes],
        "unit": top_unit.label if top_unit else None,
        "unit_confidence": round(top_unit.confidence, 4) if top_unit else None,
        "units": [{"code": c.label, "confidence": round(c.confidence, 4)} for c in s.units],
        "routing_unit": _routing_unit(rt, top_class.label if top_class else None, placement),
    }


def suggested_unit(rt: Runtime, order: Order) -> str | None:
    """The unit to dispatch to when the dispatcher names none. The city's routing rules come
    first (class × place, the authority on who answers for what where); the classifier's unit
    only when the order could not be placed finely enough for the rules, and only if it kept
    the suggested class."""
    s = order.suggestion or {}
    units = rt.policy.profile.units
    class_code = order.class_code or s.get("class_code")
    if order.placement.street_code or order.placement.grid_code:
        unit = _routing_unit(rt, class_code, order.placement)
        if unit:
            return unit
    kept_class = order.class_code is None or order.class_code == s.get("class_code")
    if s.get("unit") and kept_class and s["unit"] in units:
        return str(s["unit"])
    unit = _routing_unit(rt, class_code, order.placement)
    if unit:
        return unit
    return str(s["routing_unit"]) if s.get("routing_unit") in units else None


def record_choice(
    uow: SqlUnitOfWork,
    order: Order,
    actor: Actor,
    now: datetime,
    *,
    class_code: str | None = None,
    unit: str | None = None,
) -> bool:
    """Keep a dispatcher's choice that differs from the suggestion as a training example
    (inside the command's transaction). Agreements are not stored: closed orders teach them."""
    s = order.suggestion or {}
    wrong_class = class_code is not None and s.get("class_code") not in (None, class_code)
    wrong_unit = unit is not None and s.get("unit") not in (None, unit)
    if not (wrong_class or wrong_unit):
        return False
    uow.conn.execute(
        insert(hotline_training_examples).values(
            order_id=order.id,
            text=order.content,
            class_code=class_code if wrong_class else None,
            unit_code=unit if wrong_unit else None,
            source="correction",
            suggested_class=s.get("class_code"),
            suggested_unit=s.get("unit"),
            created_at=now,
            created_by=actor.id,
        )
    )
    return True


# --------------------------------------------------------------------------- training


@dataclass(frozen=True)
class TrainingReport:
    model_id: int
    examples: int
    corrections: int
    classes: int
    units: int
    seconds: float
    metrics: dict[str, Any]


def history_examples(
    rt: Runtime, *, since: datetime | None = None, limit: int = DEFAULT_MAX_EXAMPLES
) -> list[Any]:
    """Examples (``cityops.classify.Example``) from closed orders, closed cases and the
    recorded corrections, the most recent first up to ``limit`` each."""
    from cityops.classify import Example, Source

    out: list[Example] = []
    o = hotline_orders
    c = cases
    t = hotline_training_examples
    with rt.uow(readonly=True) as uow:
        q = (
            select(
                o.c.content, o.c.class_code, o.c.replied_by_unit, o.c.closed_resolved, o.c.closed_at
            )
            .where(and_(o.c.state == "closed", o.c.class_code.is_not(None)))
            .order_by(o.c.closed_at.desc())
            .limit(limit)
        )
        if since is not None:
            q = q.where(o.c.closed_at >= since)
        for r in uow.conn.execute(q):
            unit = r.replied_by_unit if r.closed_resolved else None
            out.append(Example(r.content, r.class_code, unit, Source.HISTORY, r.closed_at))
        q2 = (
            select(c.c.description, c.c.class_code, c.c.assigned_unit, c.c.closed_at)
            .where(and_(c.c.state == "closed", c.c.class_code.is_not(None)))
            .order_by(c.c.closed_at.desc())
            .limit(limit)
        )
        if since is not None:
            q2 = q2.where(c.c.closed_at >= since)
        for r2 in uow.conn.execute(q2):
            out.append(
                Example(
                    r2.description, r2.class_code, r2.assigned_unit, Source.HISTORY, r2.closed_at
                )
            )
        q3 = (
            select(t.c.text, t.c.class_code, t.c.unit_code, t.c.created_at)
            .order_by(t.c.created_at.desc())
            .limit(limit)
        )
        for r3 in uow.conn.execute(q3):
            if r3.class_code or r3.unit_code:
                out.append(
                    Example(r3.text, r3.class_code, r3.unit_code, Source.CORRECTION, r3.created_at)
                )
    return out


def _segmenter(rt: Runtime) -> Any:
    from cityops.adapters.db.tables import geography as g
    from cityops.classify import Segmenter
    from cityops.classify.vocabulary import words_from_names, words_from_profile

    words = words_from_profile(rt.policy.profile)
    with rt.uow(readonly=True) as uow:
        names = list(uow.conn.execute(select(g.roads.c.name).distinct()).scalars())
        names += list(uow.conn.execute(select(g.places.c.name)).scalars())
    known = {w.word for w in words}
    words += [w for w in words_from_names(names, "ns") if w.word not in known]
    return Segmenter(words)


def train(
    rt: Runtime,
    actor: str,
    *,
    since: datetime | None = None,
    limit: int = DEFAULT_MAX_EXAMPLES,
    seed: int = 7,
) -> TrainingReport:
    """Train a new model from the history and corrections and make it the active one."""
    from cityops.classify import ExampleStore, ModelConfig, OrderClassifier, save_model

    examples = history_examples(rt, since=since, limit=limit)
    if not examples:
        raise ValidationError(
            "hotline.no_training_data", "没有可用于训练的历史工单、案卷或纠正记录", since=str(since)
        )
    store = ExampleStore(examples)
    data = store.training_set()
    started = time.perf_counter()
    model = OrderClassifier(ModelConfig(seed=seed), _segmenter(rt))
    model.fit(data.texts, data.classes, data.units, data.weights, now=rt.now())
    seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.joblib"
        save_model(model, path)
        content = path.read_bytes()
    corrections = sum(1 for e in examples if e.source.value == "correction")
    metrics = {
        "train_seconds": round(seconds, 3),
        "texts": len(data.texts),
        "labels": {k: len(v) for k, v in (model.info.label_counts if model.info else {}).items()},
    }
    with rt.uow() as uow:
        uow.conn.execute(update(hotline_models).values(active=False))
        model_id = int(
            uow.conn.execute(
                insert(hotline_models)
                .values(
                    created_at=rt.now(),
                    created_by=actor,
                    examples=len(data.texts),
                    metrics=metrics,
                    content=content,
                    active=True,
                )
                .returning(hotline_models.c.id)
            ).scalar_one()
        )
        uow.commit()
    with _lock:
        _models[rt.engine] = _Loaded(model_id, model, time.monotonic())
    return TrainingReport(
        model_id,
        len(data.texts),
        corrections,
        len(model.labels("class")),
        len(model.labels("unit")),
        seconds,
        metrics,
    )


# A history a classifier cannot learn from yet: the scheduled retraining waits for more.
NOTHING_TO_LEARN = frozenset({"hotline.no_training_data", "classify.too_few_labels"})


def retrain_if_due(
    rt: Runtime,
    actor: str,
    *,
    min_corrections: int = 50,
    max_age: timedelta = timedelta(days=7),
) -> TrainingReport | None:
    """Retrain when there is no model, when ``min_corrections`` corrections arrived since the
    active model, or when it is older than ``max_age`` and orders were closed since. A city
    with nothing to learn from yet (no orders, cases or corrections) is not an error here:
    None, and the next run looks again."""
    with rt.uow(readonly=True) as uow:
        last = uow.conn.execute(
            select(hotline_models.c.created_at)
            .where(hotline_models.c.active.is_(True))
            .order_by(hotline_models.c.id.desc())
            .limit(1)
        ).scalar()
        if last is not None:
            new_corrections = int(
                uow.conn.execute(
                    select(func.count())
                    .select_from(hotline_training_examples)
                    .where(hotline_training_examples.c.created_at > last)
                ).scalar_one()
            )
            newly_closed = uow.conn.execute(
                select(hotline_orders.c.id).where(hotline_orders.c.closed_at > last).limit(1)
            ).first()
    if last is None:
        due = True
    else:
        due = new_corrections >= min_corrections or (
            rt.now() - last > max_age and newly_closed is not None
        )
    if not due:
        return None
    try:
        return train(rt, actor)
    except CityopsError as exc:
        if exc.code not in NOTHING_TO_LEARN:
            raise
        return None


def models(rt: Runtime) -> list[dict[str, Any]]:
    m = hotline_models
    with rt.uow(readonly=True) as uow:
        rows = uow.conn.execute(
            select(m.c.id, m.c.created_at, m.c.created_by, m.c.examples, m.c.metrics, m.c.active)
            .order_by(m.c.id.desc())
            .limit(50)
        ).mappings()
        return [dict(r) for r in rows]
