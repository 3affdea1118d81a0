"""Normalisation: width folding, and personal data masked before any feature is made."""

from __future__ import annotations

import pytest

from cityops.classify.normalize import (
    ID_NUMBER,
    LINK,
    NAME,
    NUMBER,
    PHONE,
    fold,
    normalize,
    readable,
)


@pytest.mark.parametrize(
    "raw",
    [
        "联系电话13812345678请回电",
        "联系电话138 1234 5678请回电",
        "联系电话138-1234-5678请回电",
        "联系电话+86 13812345678请回电",
        "联系电话０５３１－８６０１２３４５请回电",
        "联系电话0531-86012345请回电",
        "联系电话400-123-4567请回电",
    ],
)
def test_phone_numbers_are_masked_in_every_usual_spelling(raw: str):
    out = normalize(raw)
    assert out == f"联系电话{PHONE}请回电"
    assert not any(ch.isdigit() for ch in out)


def test_identity_card_numbers_are_masked_before_they_could_look_like_a_phone():
    assert normalize("身份证43010219900101123X") == f"身份证{ID_NUMBER}"


def test_links_and_mail_addresses_are_masked():
    assert normalize("见 http://example.cn/a?b=1 或发邮件 li.si@example.com") == (
        f"见 {LINK} 或发邮件 {LINK}"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("王先生来电反映", f"{NAME}先生来电反映"),
        ("欧阳女士说", f"{NAME}女士说"),
        ("姓名：张小明，地址不详", f"姓名:{NAME},地址不详"),
        ("我叫李四，住在这里", f"我叫{NAME},住在这里"),
    ],
)
def test_names_in_hotline_phrasings_are_masked(raw: str, expected: str):
    assert normalize(raw) == expected


def test_function_words_before_a_title_are_not_taken_for_a_surname():
    assert normalize("他和老板吵架") == "他和老板吵架"
    assert normalize("该女士反映") == "该女士反映"


def test_other_digit_runs_become_one_placeholder_each():
    assert normalize("3栋502室，欠薪2.5万元") == f"{NUMBER}栋{NUMBER}室,欠薪{NUMBER}万元"


def test_full_width_letters_digits_and_spaces_are_folded():
    assert fold("ＡＢＣ　公司\u3000\xa0  欠薪") == "abc 公司 欠薪"


def test_readable_shows_placeholders_as_words():
    assert readable(normalize("王女士电话13812345678")) == "〈姓名〉女士电话〈电话〉"
