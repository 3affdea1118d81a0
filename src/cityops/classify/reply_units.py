"""Deriving the responsible unit from an official reply, for training the unit head from a
city's history when its orders record the reply text but not the unit.

A reply names the unit that handled a message in a few set phrasings: the signature at its
end ("…感谢您的关注。A7县交通运输局 2013年8月22日"), a transfer note ("已转市人社局调查处理"),
"经区住建局核实", or "A3区住建局高度重视". Only these are used; replies that speak of
"我局" without a name give no label (better no label than a guessed one). The unit name is
then reduced to the kind of department (住建, 教育, 街道乡镇 …) by :data:`DEPARTMENT_KINDS`,
because the same function is called differently across districts and years; offices that
only forward messages (网宣, 电子政务) and whole governments (县委县政府) are not units that
handle a problem and are dropped.
"""

from __future__ import annotations

import re

_SUFFIX = r"(?:局|委员会|委|办公室|办事处|街道|政府|中心|支队|大队|分局|公司|所)"
_UNIT = r"[\u4e00-\u9fffA-Za-z0-9（）()]{2,24}?" + _SUFFIX
_DATE = r"(?:[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日?|[0-9]{4}[-./][0-9]{1,2}[-./][0-9]{1,2})"
_SPACE = re.compile(r"[\s\u3000\xa0]+")
_PATTERNS = (
    re.compile(r"(?:^|[。！!）)”])(" + _UNIT + r")" + _DATE + r"?[。.]?$"),  # signature
    re.compile(
        r"(?:已转交至|已转交|已转至|已转|转交至|转交给|转交|转至|交由|交给)("
        + _UNIT
        + r")(?:调查|办理|处理|核实|答复|回复)"
    ),
    re.compile(r"经(" + _UNIT + r")(?:调查|核实|核查)"),
    re.compile(r"[，,。！!]\s*(" + _UNIT + r")(?:领导)?(?:高度重视|非常重视|十分重视)"),
)
_NOT_A_NAME = re.compile(r"^(?:我|本|贵|该|各|相关|有关|对此|此事|上述|其|由|及|与|请|向)")

# (pattern on the unit name, department kind); the first match wins, order matters.
DEPARTMENT_KINDS: tuple[tuple[str, str | None], ...] = (
    (r"网宣|网络宣传|网络文化|电子政务|信访|督查室|热线|公开电话", None),  # forwarders
    (r"交警|交通警察|公安|派出所", "公安交警"),
    (r"教育|学校|学院|中学|小学|幼儿园", "教育"),
    (r"人社|人力资源|社会保障|社保|医保|医疗保障|医疗保险|就业", "人社医保"),
    (r"卫生|卫健|卫计|医院|疾控", "卫生健康"),
    (r"环保|环境保护|生态环境", "生态环境"),
    (r"规划|自然资源|国土", "规划自然资源"),
    (r"城管|城市管理|行政执法|综合执法|环卫", "城管执法"),
    (r"住建|住房|城乡建设|建设局|房产|房管|房屋|不动产|物业|建设工程", "住建房产"),
    (r"交通运输|交通局|公路|运管|公交|巴士|地铁|轨道", "交通运输"),
    (r"市场监|工商|质监|食品药品|物价|价格", "市场监管"),
    (r"商务|商粮", "商务"),
    (r"水务|水利|供水|自来水|排水", "水务"),
    (r"电力|供电|国网|燃气|通信|移动|联通|电信|邮政", "公用事业企业"),
    (r"(?<!人)民政", "民政"),
    (r"发改|发展和改革|财政|税务", "发改财税"),
    (r"文旅|旅游|文化|体育|广电", "文旅体育"),
    (r"农业|农村|农委|林业|畜牧", "农业农村"),
    (r"街道|镇|乡|社区|村委", "街道乡镇"),
    # whole governments and party committees are not a handling unit
)
_KINDS = tuple((re.compile(p), kind) for p, kind in DEPARTMENT_KINDS)


def unit_name_from_reply(reply: str) -> str | None:
    """The handling unit's name as written in the reply, or None when no set phrasing names
    one."""
    text = _SPACE.sub("", reply)
    for pattern in _PATTERNS:
        match = pattern.search(text)
        if match and not _NOT_A_NAME.match(match.group(1)):
            return match.group(1)
    return None


def department_kind(unit_name: str) -> str | None:
    """The kind of department a unit name denotes, or None (forwarding offices, whole
    governments, names not in the table)."""
    for pattern, kind in _KINDS:
        if pattern.search(unit_name):
            return kind
    return None


def unit_from_reply(reply: str) -> str | None:
    """Department kind of the unit a reply names, or None."""
    name = unit_name_from_reply(reply)
    return department_kind(name) if name else None
