"""Benchmark: classification of hotline orders (cityops.classify).

    .venv/bin/python bench/classifier.py [SIZE] [--runs R] [--latency N] [--jobs J]
                                         [--skip-cv] [--data DIR] [--seed S]

Needs the real messages of the TipDM 2020 problem C set (``teddy2020c_gov_messages``) in the
shared data folder beside the project (or ``--data``/``CITYOPS_SHARED_DATA``); they are read,
never copied.

1. Quality, stratified 5-fold cross-validation (seed 0) on real messages:
   - class head: ``messages_labeled_sample_fujian2.csv`` (495 messages, 7 first-level labels);
   - unit head: ``messages_with_replies_fujian4.csv``, department kinds read from the official
     replies by ``reply_units`` (kinds with at least 10 messages).
   The model against the majority-class baseline and the keyword baseline (every keyword-list
   size and minimum document frequency of a small grid, best shown: optimistic for it).
2. Latency of single-order suggestions (both heads) on N real messages of
   ``messages_with_votes_fujian3.csv`` with a model trained on the two sets above; peers in the
   same run: the same model through scikit-learn's batch path, and the keyword baseline.
3. Training time on SIZE synthetic orders built by recombining real messages: each order takes
   the title of a real message and 2–6 sentences drawn from messages of the same label (class
   label from set 2, or unit kind from set 4, never both), so vocabulary, length and label
   structure are real while no order is a copy. Full fit with 1 and with J segmentation
   processes, and a ``partial_fit`` of 100 corrections; peer in the same run: scikit-learn's
   ``LogisticRegression`` (lbfgs) on the same features for the class head.

Prints Markdown for BENCHMARKS.md and writes the figures as JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

import cityops.classify.model as model_module
from cityops.classify.baselines import KeywordClassifier, MajorityClassifier
from cityops.classify.evaluate import CrossValidation, HeadOnly, TextClassifier, cross_validate
from cityops.classify.features import Featurizer
from cityops.classify.message_sets import Message, read_messages
from cityops.classify.model import (
    CLASS_HEAD,
    UNIT_HEAD,
    Candidate,
    ModelConfig,
    OrderClassifier,
)
from cityops.classify.reply_units import unit_from_reply
from cityops.classify.segment import Segmenter

FOLDER = "teddy2020c_gov_messages"
KEYWORD_GRID = [(n, d) for n in (10, 30, 100, 300) for d in (2, 3)]
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")


def default_data_dir() -> Path:
    env = os.environ.get("CITYOPS_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "data"


def load_sets(data: Path) -> tuple[list[Message], list[tuple[str, str]], list[Message]]:
    folder = data / FOLDER
    labelled = read_messages(folder / "messages_labeled_sample_fujian2.csv")
    replies = read_messages(folder / "messages_with_replies_fujian4.csv")
    units = [(m.text, u) for m in replies if (u := unit_from_reply(m.reply or ""))]
    counts = Counter(u for _, u in units)
    units = [(t, u) for t, u in units if counts[u] >= 10]
    probes = read_messages(folder / "messages_with_votes_fujian3.csv", label=None, reply=None)
    return labelled, units, probes


# ------------------------------------------------------------------------------ quality


def compare(texts: list[str], labels: list[str], head: str, seg: Segmenter) -> dict[str, Any]:
    out: dict[str, Any] = {"n": len(texts), "labels": dict(Counter(labels).most_common())}
    started = time.perf_counter()
    model_cv = cross_validate(lambda: HeadOnly(OrderClassifier(segmenter=seg), head), texts, labels)
    out["model_seconds"] = time.perf_counter() - started
    out["model"] = summary(model_cv)
    out["model"]["thresholds"] = {
        str(t): dict(zip(("coverage", "accuracy"), model_cv.at_threshold(t), strict=True))
        for t in THRESHOLDS
    }
    out["majority"] = summary(cross_validate(MajorityClassifier, texts, labels))
    grid = {}
    for per_label, min_df in KEYWORD_GRID:

        def factory(p: int = per_label, d: int = min_df) -> KeywordClassifier:
            return KeywordClassifier(per_label=p, min_df=d, segmenter=seg)

        grid[f"{per_label}/{min_df}"] = summary(cross_validate(factory, texts, labels))
    best = max(grid, key=lambda key: grid[key]["accuracy"][0])
    out["keywords_grid"] = grid
    out["keywords_best"] = {"setting": best, **grid[best]}
    return out


def summary(cv: CrossValidation) -> dict[str, Any]:
    return {
        "accuracy": (cv.accuracy.mean, cv.accuracy.std),
        "macro_f1": (cv.macro_f1.mean, cv.macro_f1.std),
        "top3": (cv.top_k_accuracy.mean, cv.top_k_accuracy.std),
        "ece": cv.expected_calibration_error(),
    }


class EstimatorOnFeatures:
    """Any scikit-learn classifier with ``predict_proba`` on our features (model selection)."""

    def __init__(self, make: Callable[[], Any], seg: Segmenter) -> None:
        self.make, self.seg = make, seg

    def fit(self, texts: Sequence[str], labels: Sequence[str], /) -> EstimatorOnFeatures:
        self.featurizer = Featurizer(self.seg, ModelConfig().features)
        self.estimator = self.make().fit(self.featurizer.fit_transform(texts), list(labels))
        return self

    def rank(self, texts: Sequence[str], k: int = 3, /) -> list[list[Candidate]]:
        P = self.estimator.predict_proba(self.featurizer.transform(texts))
        labels = [str(c) for c in self.estimator.classes_]
        order = np.argsort(-P, axis=1, kind="stable")[:, :k]
        return [
            [Candidate(labels[j], float(p[j])) for j in idx]
            for p, idx in zip(P, order, strict=True)
        ]


def estimators(texts: list[str], labels: list[str], seg: Segmenter) -> dict[str, Any]:
    """The linear models we chose between, on the same features and folds."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import ComplementNB
    from sklearn.svm import LinearSVC

    candidates: dict[str, Callable[[], TextClassifier]] = {
        "SGD logistic, balanced (chosen)": lambda: HeadOnly(OrderClassifier(segmenter=seg)),
        "LogisticRegression C=30, balanced": lambda: EstimatorOnFeatures(
            lambda: LogisticRegression(C=30, max_iter=3000, class_weight="balanced"), seg
        ),
        "ComplementNB alpha=0.3": lambda: EstimatorOnFeatures(lambda: ComplementNB(alpha=0.3), seg),
        "LinearSVC + Platt (sigmoid) calibration": lambda: EstimatorOnFeatures(
            lambda: CalibratedClassifierCV(LinearSVC(C=0.5), method="sigmoid", cv=3), seg
        ),
        "LinearSVC balanced + temperature calibration": lambda: EstimatorOnFeatures(
            lambda: CalibratedClassifierCV(
                LinearSVC(C=0.5, class_weight="balanced"),
                method="temperature",
                cv=3,
                ensemble=False,
            ),
            seg,
        ),
    }
    out = {}
    for name, factory in candidates.items():
        started = time.perf_counter()
        cv = cross_validate(factory, texts, labels)
        out[name] = {
            **summary(cv),
            "log_loss": log_loss(cv),
            "seconds": time.perf_counter() - started,
        }
    return out


def log_loss(cv: CrossValidation) -> float:
    """Mean negative log of the probability given to the true label (top-k only; a true label
    outside the top k counts as probability 1e-3)."""
    losses = []
    for truth, ranked in zip(cv.truth, cv.ranked, strict=True):
        p = next((c.confidence for c in ranked if c.label == truth), 1e-3)
        losses.append(-math.log(max(p, 1e-3)))
    return statistics.fmean(losses)


# ------------------------------------------------------------------------------ latency


def train_both_heads(
    labelled: list[Message], units: list[tuple[str, str]], seg: Segmenter, seed: int
) -> OrderClassifier:
    texts = [m.text for m in labelled] + [t for t, _ in units]
    classes = [m.label for m in labelled] + [None] * len(units)
    unit_labels: list[str | None] = [None] * len(labelled) + [u for _, u in units]
    return OrderClassifier(ModelConfig(seed=seed), seg).fit(texts, classes, unit_labels)


def percentiles(samples: Sequence[float]) -> tuple[float, float]:
    p50, p99 = np.percentile(np.asarray(samples) * 1000.0, [50, 99])
    return float(p50), float(p99)


def latency(
    model: OrderClassifier, keyword: KeywordClassifier, probes: list[str], runs: int
) -> dict[str, Any]:
    """Wall-clock p50/p99 per path; for our path also the CPU time per call, which other work
    on the machine does not inflate."""
    cpu_runs: list[tuple[float, float]] = []

    def timed(call: Callable[[str], object], cpu: bool = False) -> list[float]:
        wall, used = [], []
        for text in probes:
            started, started_cpu = time.perf_counter(), time.process_time()
            call(text)
            wall.append(time.perf_counter() - started)
            used.append(time.process_time() - started_cpu)
        if cpu:
            cpu_runs.append(percentiles(used))
        return wall

    model.suggest(probes[:5])  # build the tokenizer and the fast path first
    keyword.rank(probes[:5], 3)
    results: dict[str, list[tuple[float, float]]] = {
        "model": [],
        "sklearn_path": [],
        "keywords": [],
    }
    for _ in range(runs):
        results["model"].append(percentiles(timed(lambda t: model.suggest([t], k=3), cpu=True)))
        saved = model_module.FAST_BATCH
        model_module.FAST_BATCH = 0  # force scikit-learn's transform/predict_proba
        try:
            results["sklearn_path"].append(percentiles(timed(lambda t: model.suggest([t], k=3))))
        finally:
            model_module.FAST_BATCH = saved
        results["keywords"].append(percentiles(timed(lambda t: keyword.rank([t], 3))))
    results["model_cpu"] = cpu_runs
    lengths = [len(t) for t in probes]
    return {
        "n": len(probes),
        "chars_p50_p99": (float(np.percentile(lengths, 50)), float(np.percentile(lengths, 99))),
        **{
            name: {
                "p50_ms": statistics.median(r[0] for r in runs_),
                "p99_ms": statistics.median(r[1] for r in runs_),
                "runs": runs_,
            }
            for name, runs_ in results.items()
        },
    }


# ------------------------------------------------------------------------------ training


def recombined_orders(
    labelled: list[Message], units: list[tuple[str, str]], size: int, seed: int
) -> tuple[list[str], list[str | None], list[str | None]]:
    """``size`` orders recombined from real messages (see the module doc)."""
    rng = random.Random(seed)
    pools: dict[tuple[str, str], list[tuple[str, list[str]]]] = {}
    for m in labelled:
        pools.setdefault((CLASS_HEAD, m.label or ""), []).append((m.title, sentences(m.body)))
    for text, unit in units:
        title, _, body = text.partition("。")
        pools.setdefault((UNIT_HEAD, unit), []).append((title, sentences(body)))
    keys = sorted(pools)
    weights = [len(pools[k]) for k in keys]
    texts: list[str] = []
    classes: list[str | None] = []
    unit_labels: list[str | None] = []
    for head, label in rng.choices(keys, weights=weights, k=size):
        pool = pools[(head, label)]
        title = rng.choice(pool)[0]
        parts = [
            s for _ in range(rng.randint(2, 6)) if (s := rng.choice(rng.choice(pool)[1] or [""]))
        ]
        texts.append(f"{title}。{''.join(parts)}")
        classes.append(label if head == CLASS_HEAD else None)
        unit_labels.append(label if head == UNIT_HEAD else None)
    return texts, classes, unit_labels


def sentences(body: str) -> list[str]:
    return [s for s in SENTENCE.findall(body) if len(s) >= 4]


def training(
    texts: list[str],
    classes: list[str | None],
    units: list[str | None],
    seg: Segmenter,
    runs: int,
    jobs: int,
    seed: int,
) -> dict[str, Any]:
    from sklearn.linear_model import LogisticRegression

    base = ModelConfig(seed=seed)
    parallel = replace(base, features=replace(base.features, n_jobs=jobs))
    fit_1, fit_j, partial, peer_lr, sgd_class = [], [], [], [], []
    fit_1_cpu, peer_lr_cpu, sgd_class_cpu = [], [], []
    model: OrderClassifier | None = None
    for run in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        OrderClassifier(base, seg).fit(texts, classes, units)
        fit_1.append(time.perf_counter() - started)
        fit_1_cpu.append(time.process_time() - started_cpu)
        started = time.perf_counter()
        model = OrderClassifier(parallel, seg).fit(texts, classes, units)
        fit_j.append(time.perf_counter() - started)
        corrections = texts[run * 100 : run * 100 + 100]
        fixes = [model.labels(CLASS_HEAD)[i % len(model.labels(CLASS_HEAD))] for i in range(100)]
        started = time.perf_counter()
        model.partial_fit(corrections, classes=fixes, weights=[3.0] * 100)
        partial.append(time.perf_counter() - started)
        # peer: the class head alone, SGD (ours) and LogisticRegression, on the same features
        assert model.featurizer is not None
        rows = [i for i, c in enumerate(classes) if c]
        X = model.featurizer.transform([texts[i] for i in rows])
        y = [classes[i] for i in rows]
        started, started_cpu = time.perf_counter(), time.process_time()
        model.heads[CLASS_HEAD].fit(X, [str(c) for c in y], np.ones(len(rows)))
        sgd_class.append(time.perf_counter() - started)
        sgd_class_cpu.append(time.process_time() - started_cpu)
        started, started_cpu = time.perf_counter(), time.process_time()
        LogisticRegression(C=30, max_iter=200).fit(X, y)
        peer_lr.append(time.perf_counter() - started)
        peer_lr_cpu.append(time.process_time() - started_cpu)
    assert model is not None and model.info is not None
    return {
        "size": len(texts),
        "chars_median": statistics.median(len(t) for t in texts),
        "class_rows": sum(1 for c in classes if c),
        "unit_rows": sum(1 for u in units if u),
        "n_features": model.info.n_features,
        "fit_1_process_s": statistics.median(fit_1),
        "fit_1_process_cpu_s": statistics.median(fit_1_cpu),
        f"fit_{jobs}_processes_s": statistics.median(fit_j),
        "partial_fit_100_s": statistics.median(partial),
        "class_head_sgd_s": statistics.median(sgd_class),
        "class_head_sgd_cpu_s": statistics.median(sgd_class_cpu),
        "class_head_logreg_peer_s": statistics.median(peer_lr),
        "class_head_logreg_peer_cpu_s": statistics.median(peer_lr_cpu),
        "runs": {
            "fit_1": fit_1,
            f"fit_{jobs}": fit_j,
            "partial": partial,
            "sgd": sgd_class,
            "logreg": peer_lr,
        },
    }


# ------------------------------------------------------------------------------ report


def fmt(pair: Sequence[float]) -> str:
    return f"{pair[0]:.3f} ± {pair[1]:.3f}"


def row(name: str, r: dict[str, Any]) -> str:
    cells = [fmt(r["accuracy"]), fmt(r["macro_f1"]), fmt(r["top3"]), f"{r['ece']:.3f}"]
    return f"| {name} | " + " | ".join(cells) + " |"


def markdown(res: dict[str, Any], args: argparse.Namespace) -> str:
    load = res.get("load_average", (0.0, 0.0))
    lines = [
        f"Machine: {os.cpu_count()} vCPU ({platform.machine()}), "
        f"Python {platform.python_version()}; load average {load[0]:.1f} at the start and "
        f"{load[1]:.1f} at the end of the run. Command: `.venv/bin/python bench/classifier.py "
        f"{args.size} --runs {args.runs} --latency {args.latency} --jobs {args.jobs}`.",
        "",
    ]
    for key, title in (("class", "Class head"), ("unit", "Unit head")):
        if key not in res:
            continue
        r = res[key]
        kb = r["keywords_best"]
        lines += [
            f"{title}: {r['n']} messages, labels {r['labels']}. Stratified 5-fold CV, seed 0, "
            "mean ± std over folds.",
            "",
            "| classifier | accuracy | macro-F1 | top-3 accuracy | ECE |",
            "|---|---:|---:|---:|---:|",
            row("model (TF-IDF words + char 1–2-grams, SGD logistic)", r["model"]),
            row(f"keyword baseline (best: {kb['setting']} keywords/min df)", kb),
            row("majority class", r["majority"]),
            "",
            "Threshold → share of orders with a suggestion / accuracy of those suggestions: "
            + ", ".join(
                f"{t}: {v['coverage']:.0%} / {v['accuracy']:.0%}"
                for t, v in r["model"]["thresholds"].items()
            )
            + ".",
            "",
        ]
    if "estimators" in res:
        lines += [
            "Model selection, class head, same features and folds (log-loss over the top 3):",
            "",
            "| estimator | accuracy | macro-F1 | top-3 accuracy | ECE | log-loss | CV time |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for name, r in res["estimators"].items():
            lines.append(row(name, r)[:-1] + f"| {r['log_loss']:.3f} | {r['seconds']:.0f} s |")
        lines.append("")
    if "latency" in res:
        lat = res["latency"]
        lines += [
            f"Latency of one order (both heads, top 3), {lat['n']} real messages (median "
            f"{lat['chars_p50_p99'][0]:.0f}, p99 {lat['chars_p50_p99'][1]:.0f} characters), "
            f"median of {args.runs} runs:",
            "",
            "| path | p50 | p99 |",
            "|---|---:|---:|",
            f"| `OrderClassifier.suggest([text])` | {lat['model']['p50_ms']:.2f} ms "
            f"| {lat['model']['p99_ms']:.2f} ms |",
            f"| same, CPU time per call | {lat['model_cpu']['p50_ms']:.2f} ms "
            f"| {lat['model_cpu']['p99_ms']:.2f} ms |",
            f"| same model through scikit-learn's batch path (peer) | "
            f"{lat['sklearn_path']['p50_ms']:.2f} ms | {lat['sklearn_path']['p99_ms']:.2f} ms |",
            f"| keyword baseline (peer) | {lat['keywords']['p50_ms']:.2f} ms "
            f"| {lat['keywords']['p99_ms']:.2f} ms |",
            "",
        ]
    if "training" in res:
        tr = res["training"]
        lines += [
            f"Training on {tr['size']:,} recombined orders (median {tr['chars_median']:.0f} "
            f"characters; {tr['class_rows']:,} with a class, {tr['unit_rows']:,} with a unit; "
            f"{tr['n_features']:,} features), median of {args.runs} runs:",
            "",
            "| step | wall time | CPU time |",
            "|---|---:|---:|",
            f"| full fit, both heads, 1 process | {tr['fit_1_process_s']:.1f} s "
            f"| {tr['fit_1_process_cpu_s']:.1f} s |",
            f"| full fit, both heads, {args.jobs} segmentation processes "
            f"| {tr[f'fit_{args.jobs}_processes_s']:.1f} s | — |",
            "| `partial_fit` of 100 corrections (5 passes) "
            f"| {tr['partial_fit_100_s']:.2f} s | — |",
            f"| class head only, SGD (ours), features given | {tr['class_head_sgd_s']:.1f} s "
            f"| {tr['class_head_sgd_cpu_s']:.1f} s |",
            f"| class head only, LogisticRegression lbfgs (peer), same features "
            f"| {tr['class_head_logreg_peer_s']:.1f} s "
            f"| {tr['class_head_logreg_peer_cpu_s']:.1f} s |",
            "",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "size", nargs="?", type=int, default=100_000, help="synthetic orders to train on"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency", type=int, default=2000, help="real messages timed one by one")
    parser.add_argument("--jobs", type=int, default=2, help="segmentation processes for the fit")
    parser.add_argument("--skip-cv", action="store_true")
    parser.add_argument(
        "--estimators", action="store_true", help="also compare linear models (class head)"
    )
    parser.add_argument("--data", type=Path, default=default_data_dir())
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not (args.data / FOLDER).is_dir():
        print(f"real messages not found under {args.data / FOLDER}", file=sys.stderr)
        return 2
    seg = Segmenter()
    labelled, units, probes = load_sets(args.data)
    res: dict[str, Any] = {"load_average": [os.getloadavg()[0]]}
    if not args.skip_cv:
        print("cross-validation …", file=sys.stderr)
        res["class"] = compare(
            [m.text for m in labelled], [m.label or "" for m in labelled], CLASS_HEAD, seg
        )
        res["unit"] = compare([t for t, _ in units], [u for _, u in units], UNIT_HEAD, seg)
    if args.estimators:
        print("estimators …", file=sys.stderr)
        res["estimators"] = estimators(
            [m.text for m in labelled], [m.label or "" for m in labelled], seg
        )
    if args.latency > 0:
        print("latency …", file=sys.stderr)
        model = train_both_heads(labelled, units, seg, args.seed)
        keyword = KeywordClassifier(per_label=100, segmenter=seg).fit(
            [m.text for m in labelled], [m.label or "" for m in labelled]
        )
        probe_texts = [m.text for m in probes[: args.latency]]
        res["latency"] = latency(model, keyword, probe_texts, args.runs)
    if args.size > 0:
        print(f"training on {args.size} orders …", file=sys.stderr)
        texts, classes, unit_labels = recombined_orders(labelled, units, args.size, args.seed)
        res["training"] = training(
            texts, classes, unit_labels, seg, args.runs, args.jobs, args.seed
        )
    res["load_average"].append(os.getloadavg()[0])
    out_dir = Path(__file__).resolve().parent / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "classifier.json").write_text(json.dumps(res, ensure_ascii=False, indent=1))
    print(markdown(res, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
