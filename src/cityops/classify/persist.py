"""Saving and loading a trained classifier.

A model file is a joblib pickle of ``{"format", "version", "libraries", "metadata", "model"}``.
The format version changes whenever the saved objects change shape; the library versions are
checked on load because scikit-learn does not promise that a pickle of one release works in
another. A model is a derived artefact: when it cannot be loaded, retrain it from the example
store (``retrain``), which is the record that matters.

Pickles run code when loaded: load only model files this installation wrote itself.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

import joblib

from cityops.classify.errors import ModelFileError
from cityops.classify.model import OrderClassifier

FORMAT = "cityops.order-classifier"
FORMAT_VERSION = 1
LIBRARIES = ("scikit-learn", "jieba", "numpy", "scipy")


def library_versions() -> dict[str, str]:
    return {name: version(name) for name in LIBRARIES}


def metadata(model: OrderClassifier) -> dict[str, Any]:
    """Plain-data description of a model: training date, size, label sets, metrics, config."""
    info = model.info
    return {
        "trained_at": info.trained_at.isoformat() if info else None,
        "n_texts": info.n_texts if info else 0,
        "n_features": info.n_features if info else 0,
        "label_counts": info.label_counts if info else {},
        "metrics": info.metrics if info else {},
        "updates": info.updates if info else 0,
        "seed": model.config.seed,
        "thresholds": dict(model.thresholds),
        "config": dataclasses.asdict(model.config),
        "user_words": len(model.segmenter.user_words),
    }


def save_model(model: OrderClassifier, path: Path) -> None:
    """Write the model atomically: a failed save leaves an existing file untouched."""
    payload = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "libraries": library_versions(),
        "metadata": metadata(model),
        "model": model,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        joblib.dump(payload, tmp, compress=3)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def read_payload(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ModelFileError(message=f"模型文件不存在：{path.name}", path=str(path))
    try:
        payload = joblib.load(path)
    except Exception as exc:  # any unpickling failure means the file is unusable
        raise ModelFileError(
            message=f"模型文件已损坏或无法读取：{path.name}", path=str(path), reason=repr(exc)
        ) from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ModelFileError(message=f"不是 cityops 分类模型文件：{path.name}", path=str(path))
    if payload.get("version") != FORMAT_VERSION:
        raise ModelFileError(
            message=f"模型文件格式版本 {payload.get('version')} 不受支持，请重新训练",
            path=str(path),
            found=payload.get("version"),
            expected=FORMAT_VERSION,
        )
    return payload


def load_model(path: Path, allow_other_libraries: bool = False) -> OrderClassifier:
    """Load a model saved by :func:`save_model`. Library versions must match those it was
    saved with, unless ``allow_other_libraries`` (then predictions may differ or fail)."""
    payload = read_payload(path)
    saved, current = payload.get("libraries", {}), library_versions()
    if saved != current and not allow_other_libraries:
        raise ModelFileError(
            message="模型由其他版本的程序库训练，请用样本库重新训练",
            path=str(path),
            saved=saved,
            current=current,
        )
    model = payload["model"]
    if not isinstance(model, OrderClassifier):
        raise ModelFileError(message=f"模型文件内容无效：{path.name}", path=str(path))
    return model
