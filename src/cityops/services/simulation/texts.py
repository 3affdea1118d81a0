"""Report descriptions in the words inspectors and citizens use."""

from __future__ import annotations

import random

_TEMPLATES = (
    "{address}发现{name}，请尽快处理。",
    "{address}有{name}问题，影响市容和通行。",
    "巡查发现：{address}{name}。",
    "市民反映{address}附近{name}，已持续多日。",
    "{address}存在{name}现象，需相关单位处置。",
    "{name}：位于{address}，现场已拍照。",
    "{address}{name}，周边群众意见较大。",
)


def describe(class_name: str, address: str, rng: random.Random) -> str:
    name = class_name.removesuffix("异常")
    if class_name.endswith("异常"):
        name = name + rng.choice(["破损", "缺失", "损坏", "移位", "异常"])
    return rng.choice(_TEMPLATES).format(address=address or "该处", name=name)
