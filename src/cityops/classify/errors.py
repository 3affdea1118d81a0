"""Errors of the classifier, with stable codes (see ``docs/classification.md``)."""

from __future__ import annotations

from cityops.errors import CityopsError, ValidationError


class ClassifierError(CityopsError):
    """A model file or a training request that cannot be used as it is."""

    http_status = 422
    default_code = "classify.invalid"


class ModelFileError(ClassifierError):
    """A saved model is missing, damaged, of another format or of an unknown version."""

    default_code = "classify.model_file"


class NotTrainedError(ClassifierError):
    """A prediction was asked of a head that has never been trained."""

    http_status = 409
    default_code = "classify.not_trained"


class ExampleError(ValidationError):
    """A training example or a correction that breaks a rule (no text, no label, bad weight)."""

    default_code = "classify.example_invalid"
