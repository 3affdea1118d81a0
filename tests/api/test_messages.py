"""Pure pieces of the HTTP layer: validation problems in Chinese, and what a role sees of an
event's data."""

from __future__ import annotations

from cityops.api.errors import problem_zh
from cityops.api.presenters import mask_event_data
from cityops.domain.access import User
from cityops.domain.cases.vocabulary import Role


def test_validation_problems_read_as_chinese_with_their_limits():
    assert problem_zh({"type": "missing", "msg": "Field required"}) == "必须填写"
    assert problem_zh({"type": "less_than_equal", "ctx": {"le": 90.0}}) == "不能大于90"
    assert problem_zh({"type": "greater_than", "ctx": {"gt": 0.5}}) == "须大于0.5"
    assert problem_zh({"type": "string_too_long", "ctx": {"max_length": 64}}) == "不能超过64个字符"
    assert problem_zh({"type": "enum", "ctx": {"expected": "'wgs84', 'gcj02' or 'bd09'"}}) == (
        "须为以下之一：'wgs84', 'gcj02' or 'bd09'"
    )
    assert (
        problem_zh({"type": "value_error", "msg": "Value error, until 须带时区"})
        == "until 须带时区"
    )
    assert problem_zh({"type": "something_new", "msg": "whatever"}) == "不符合要求"
    assert problem_zh({"type": "string_too_short", "ctx": {}}) == "不符合要求"


def test_contact_data_and_citizens_logins_only_for_the_roles_that_talk_to_reporters():
    data = {"reporter_name": "张*", "reporter_phone": "138****5678", "tracking_code": "ABC", "x": 1}
    for role, keeps in ((Role.ACCEPTOR, True), (Role.LEADER, True), (Role.DISPATCHER, False)):
        user = User("u", "u", role)
        seen, actor = mask_event_data(user, "public", "13812345678", dict(data))
        assert (seen == data) is keeps
        assert seen["x"] == 1
        assert actor == ("13812345678" if keeps else "市民")
    staff, actor = mask_event_data(User("d", "d", Role.DISPATCHER), "inspector", "inspector.1", {})
    assert actor == "inspector.1" and staff == {}
