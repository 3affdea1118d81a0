"""Orders generated from class templates, for tests, demonstrations and load measurements.

Each template is a national catalog class (GB/T 47678.5 matter codes) with the phrases a
citizen uses for it and the unit that usually handles it; an order combines a place, one or
two phrases of its class, shared filler and sometimes a caller's name and phone number (which
normalisation must mask). Seeded, so the same arguments give the same orders.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Template:
    class_code: str
    unit: str
    phrases: tuple[str, ...]


TEMPLATES: tuple[Template, ...] = (
    Template(
        "06010",
        "环卫处",
        (
            "路边垃圾堆了好几天没人清运",
            "垃圾桶旁边垃圾散落一地",
            "生活垃圾露天堆放发臭",
            "垃圾没有及时清理招苍蝇",
        ),
    ),
    Template(
        "06028",
        "生态环境局",
        (
            "晚上噪音很大吵得睡不着",
            "广场舞音响声音太大扰民",
            "商铺大喇叭循环播放噪声扰民",
            "深夜机器轰鸣影响休息",
        ),
    ),
    Template(
        "09006",
        "城管执法局",
        (
            "流动摊贩占道经营堵塞人行道",
            "商户把货物摆到人行道上经营",
            "早市摊位占用机动车道",
            "水果摊占道影响通行",
        ),
    ),
    Template(
        "01037",
        "路灯管理所",
        (
            "路灯晚上不亮一片漆黑",
            "连续几盏路灯损坏不亮",
            "路灯杆倾斜存在安全隐患",
            "路灯白天也亮着浪费电",
        ),
    ),
    Template(
        "08004",
        "住建局",
        (
            "工地扬尘很大没有洒水降尘",
            "施工工地裸土没有覆盖尘土飞扬",
            "渣土车出入工地带出大量泥土扬尘",
            "拆迁工地灰尘漫天",
        ),
    ),
    Template(
        "07001",
        "城管执法局",
        (
            "墙上贴满了非法小广告",
            "电线杆上到处是办证小广告",
            "楼道里被喷涂了小广告电话",
            "公交站牌被乱贴广告",
        ),
    ),
)

PLACES = (
    "经十路与舜耕路路口",
    "泉城路",
    "历山路东侧",
    "和平路小区门口",
    "燕山立交桥下",
    "解放东路公交站",
    "千佛山北门",
    "文化西路菜市场",
    "二环东路辅路",
    "花园路社区",
)
FILLERS = (
    "请相关部门尽快处理",
    "已经反映过多次",
    "市民来电反映",
    "希望尽快解决",
    "影响周边居民生活",
    "请派人来看看",
    "严重影响市容",
    "多次投诉未果",
)
NAMES = ("王先生", "李女士", "张师傅", "刘阿姨", "陈先生")


def template_orders(
    n: int, seed: int = 0, templates: tuple[Template, ...] = TEMPLATES
) -> tuple[list[str], list[str], list[str]]:
    """``n`` orders: (texts, class codes, units), classes in turn so every class appears."""
    rng = random.Random(seed)
    texts, classes, units = [], [], []
    for i in range(n):
        t = templates[i % len(templates)]
        parts = [rng.choice(PLACES), *rng.sample(t.phrases, rng.choice((1, 2)))]
        parts.insert(rng.randrange(len(parts) + 1), rng.choice(FILLERS))
        if rng.random() < 0.3:
            phone = (
                "1" + str(rng.choice((3, 5, 8))) + "".join(str(rng.randrange(10)) for _ in range(9))
            )
            parts.append(f"{rng.choice(NAMES)}联系电话{phone}")
        texts.append("，".join(parts) + "。")
        classes.append(t.class_code)
        units.append(t.unit)
    return texts, classes, units
