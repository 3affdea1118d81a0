"""Automatic classification of hotline orders and citizens' reports.

For each new order the platform suggests the catalog class and the responsible unit, with a
confidence, from a linear model trained on the city's own history; dispatchers' corrections
are recorded and the model retrains from them. See ``docs/classification.md``.

Nothing is trained or loaded at import time.
"""

from cityops.classify.errors import ClassifierError, ExampleError, ModelFileError, NotTrainedError
from cityops.classify.examples import (
    Example,
    ExampleStore,
    Source,
    apply_corrections,
    retrain,
)
from cityops.classify.model import (
    CLASS_HEAD,
    UNIT_HEAD,
    Candidate,
    ModelConfig,
    OrderClassifier,
    Suggestion,
    order_text,
)
from cityops.classify.normalize import normalize
from cityops.classify.persist import load_model, save_model
from cityops.classify.segment import Segmenter, UserWord

__all__ = [
    "CLASS_HEAD",
    "UNIT_HEAD",
    "Candidate",
    "ClassifierError",
    "Example",
    "ExampleError",
    "ExampleStore",
    "ModelConfig",
    "ModelFileError",
    "NotTrainedError",
    "OrderClassifier",
    "Segmenter",
    "Source",
    "Suggestion",
    "UserWord",
    "apply_corrections",
    "load_model",
    "normalize",
    "order_text",
    "retrain",
    "save_model",
]
