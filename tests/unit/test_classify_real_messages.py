"""On real citizen messages (TipDM 2020 problem C, read from the shared data folder, never
copied): the model must beat the majority-class and the keyword baselines clearly, for the
class head (7 first-level labels) and for the unit head (department kinds read from the
official replies)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from cityops.classify.baselines import KeywordClassifier, MajorityClassifier
from cityops.classify.evaluate import CrossValidation, HeadOnly, cross_validate
from cityops.classify.message_sets import read_messages
from cityops.classify.model import CLASS_HEAD, UNIT_HEAD, OrderClassifier
from cityops.classify.reply_units import unit_from_reply
from cityops.classify.segment import Segmenter

pytestmark = [pytest.mark.shared_data, pytest.mark.slow]

FOLDER = "teddy2020c_gov_messages"
MARGIN = 0.08  # accuracy and macro-F1 over the better baseline, averaged over 5 folds


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return Segmenter()


def _compare(texts: list[str], labels: list[str], head: str, segmenter: Segmenter, per_label: int):
    model = cross_validate(
        lambda: HeadOnly(OrderClassifier(segmenter=segmenter), head), texts, labels
    )
    majority = cross_validate(MajorityClassifier, texts, labels)
    keywords = cross_validate(
        lambda: KeywordClassifier(per_label=per_label, segmenter=segmenter), texts, labels
    )
    return model, majority, keywords


def _assert_clear_win(model: CrossValidation, *baselines: CrossValidation) -> None:
    for baseline in baselines:
        assert model.accuracy.mean >= baseline.accuracy.mean + MARGIN
        assert model.macro_f1.mean >= baseline.macro_f1.mean + MARGIN


def test_the_class_head_beats_both_baselines_on_labelled_messages(
    shared_data: Path, segmenter: Segmenter
):
    messages = read_messages(shared_data / FOLDER / "messages_labeled_sample_fujian2.csv")
    texts = [m.text for m in messages]
    labels = [m.label or "" for m in messages]
    assert len(texts) == 495 and len(set(labels)) == 7
    model, majority, keywords = _compare(texts, labels, CLASS_HEAD, segmenter, per_label=100)
    _assert_clear_win(model, majority, keywords)
    assert model.accuracy.mean >= 0.72
    assert model.top_k_accuracy.mean >= 0.93
    assert model.expected_calibration_error() <= 0.12


def test_the_unit_head_beats_both_baselines_on_units_named_in_replies(
    shared_data: Path, segmenter: Segmenter
):
    messages = read_messages(shared_data / FOLDER / "messages_with_replies_fujian4.csv")
    pairs = [(m.text, unit_from_reply(m.reply or "")) for m in messages]
    counts = Counter(u for _, u in pairs if u)
    kept = [(t, u) for t, u in pairs if u and counts[u] >= 10]
    assert len(kept) >= 250 and len({u for _, u in kept}) >= 6
    texts, labels = [t for t, _ in kept], [u for _, u in kept]
    model, majority, keywords = _compare(texts, labels, UNIT_HEAD, segmenter, per_label=30)
    _assert_clear_win(model, majority, keywords)
