"""Report descriptions in the words inspectors and citizens use."""

from __future__ import annotations

import random

# By who reports: an inspector on patrol, a citizen (app, hotline, media), a machine.
_PATROL = (
    "巡查发现：{address}{name}。",
    "{address}发现{name}，请尽快处理。",
    "{address}存在{name}现象，需相关单位处置。",
    "{name}：位于{address}，现场已拍照。",
)
_CITIZEN = (
    "{address}有{name}问题，影响市容和通行。",
    "市民反映{address}{name}，已持续多日。",
    "{address}{name}，周边群众意见较大。",
    "{address}{name}，希望尽快处理。",
)
_MACHINE = (
    "智能识别：{address}疑似{name}。",
    "监测告警：{address}{name}。",
)
_BY_CHANNEL = {
    "inspector": _PATROL,
    "leader": _PATROL,
    "video_ai": _MACHINE,
    "sensor": _MACHINE,
}


def describe(class_name: str, address: str, rng: random.Random, channel: str = "inspector") -> str:
    name = class_name.removesuffix("异常")
    if class_name.endswith("异常"):
        name = name + rng.choice(["破损", "缺失", "损坏", "移位", "异常"])
    templates = _BY_CHANNEL.get(channel, _CITIZEN)
    return rng.choice(templates).format(address=address or "该处", name=name)
