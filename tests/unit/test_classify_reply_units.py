"""Deriving the handling unit's kind from an official reply (phrasings written for the test)."""

from __future__ import annotations

import pytest

from cityops.classify.reply_units import department_kind, unit_from_reply, unit_name_from_reply


@pytest.mark.parametrize(
    ("reply", "name"),
    [
        (
            "感谢您的关注，我们将继续改进。\u3000\u3000B2县交通运输局\xa02015年3月2日",
            "B2县交通运输局",
        ),
        ("您的留言已收悉，关于您反映的问题，已转市人社局调查处理。", "市人社局"),
        ("网友：您反映的问题已转交至住建局调查办复。2019年5月", "住建局"),
        ("您好！经C1区城管执法大队调查核实，现答复如下：", "C1区城管执法大队"),
        ("来信收悉，C3区东湖街道高度重视，立即组织调查。", "C3区东湖街道"),
    ],
)
def test_the_unit_is_read_from_the_usual_phrasings(reply: str, name: str):
    assert unit_name_from_reply(reply) == name


@pytest.mark.parametrize(
    "reply",
    [
        "您好，我局高度重视，立即组织人员调查。2019年4月1日",
        "经调查核实，该路段路灯已修复。",
        "网友：您好！留言已收悉",
    ],
)
def test_replies_that_do_not_name_a_unit_give_no_label(reply: str):
    assert unit_from_reply(reply) is None


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("A7县住房和城乡建设局", "住建房产"),
        ("市城乡规划局", "规划自然资源"),
        ("县城乡居民医疗保险服务中心", "人社医保"),
        ("A5区交警大队", "公安交警"),
        ("高桥镇人民政府", "街道乡镇"),
        ("泉塘街道办事处", "街道乡镇"),
        ("市民政局", "民政"),
        ("A市人民政府", None),  # a whole government is not a handling unit
        ("M2县电子政务管理办公室", None),  # forwards messages only
        ("县气象局", None),  # not in the table
    ],
)
def test_unit_names_reduce_to_a_department_kind(name: str, kind: str | None):
    assert department_kind(name) == kind
