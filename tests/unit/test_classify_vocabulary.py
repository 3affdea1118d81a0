"""A city's vocabulary from its profile."""

from __future__ import annotations

from cityops.classify.segment import Segmenter
from cityops.classify.vocabulary import words_from_profile
from cityops.domain.catalog.profile_loader import load_profile
from cityops.services.profile import demo_profile_path


def test_the_demo_city_gives_class_and_unit_names_as_user_words():
    profile = load_profile(demo_profile_path())
    words = words_from_profile(profile)
    by_word = {w.word: w for w in words}
    assert len(by_word) == len(words)  # no duplicates
    some_class = next(iter(profile.classes.values())).name
    some_unit = next(iter(profile.units.values())).name
    assert by_word[some_class].tag == "n"
    assert by_word[some_unit].tag == "nt"
    assert some_unit in Segmenter(words).words(f"请{some_unit}尽快处理")
