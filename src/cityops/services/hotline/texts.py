"""Order texts in the words callers use, for the order generator (tests, demo, benchmarks).

A class with colloquial phrases below speaks in them; any other class is described from its
catalog name. Every text names its place, so the gazetteer has something to find.
"""

from __future__ import annotations

import random

# Colloquial phrases for frequent matter classes (GB/T 47678.5-2026 codes).
PHRASES: dict[str, tuple[str, ...]] = {
    "06010": ("垃圾堆了好几天没人清运", "路边垃圾散落一地发臭", "垃圾没有及时清理招苍蝇"),
    "06011": ("垃圾桶满了溢出来没人管", "垃圾箱破了到处是垃圾"),
    "06004": ("路面上有一大片油污很滑", "道路不干净到处是泥土"),
    "06013": ("施工渣土撒了一路", "渣土车沿路遗撒"),
    "06028": ("晚上噪音很大吵得睡不着", "商铺大喇叭循环播放扰民"),
    "06001": ("有人在绿地里私搭乱建", "违章搭建的棚子越来越多"),
    "06020": ("井盖丢了很危险", "路上有个坑没人修"),
    "07001": ("墙上贴满了小广告", "电线杆上到处是牛皮癣广告"),
    "07002": ("有人在路口发传单", "违规悬挂横幅"),
    "09001": ("流动摊贩占道经营堵路", "小摊小贩占了人行道"),
    "09002": ("店铺把货摆到人行道上", "门店出店经营影响通行"),
    "09005": ("共享单车乱停乱放挡路", "电动车停满了盲道"),
    "09010": ("夜市烧烤油烟很大", "露天烧烤烟熏火燎"),
    "01001": ("供水井盖松动一踩就响", "自来水井盖破了"),
    "01030": ("路灯不亮晚上很黑", "一排路灯坏了好几天"),
    "08001": ("工地晚上施工噪音扰民", "工地围挡倒了没人管"),
}

OPENINGS = ("市民来电反映：", "来电人称：", "市民反映", "来电反映", "")
ASKS = (
    "请尽快处理。",
    "希望相关部门管一管。",
    "已经反映过一次了还没解决。",
    "影响居民生活，请核实处理。",
    "",
)
CONSULT_ASKS = ("请问该找哪个部门？", "想咨询一下怎么办理。", "请问有什么规定？")


def phrase_for(class_code: str, class_name: str, rng: random.Random) -> str:
    options = PHRASES.get(class_code)
    if options:
        return rng.choice(options)
    name = class_name.removesuffix("异常")
    if class_name.endswith("异常"):
        return name + rng.choice(("坏了", "破损", "缺失", "出了问题"))
    return rng.choice((f"有{name}问题", f"存在{name}现象", f"{name}很严重"))


def order_text(
    class_code: str, class_name: str, address: str, kind: str, rng: random.Random
) -> str:
    phrase = phrase_for(class_code, class_name, rng)
    if kind == "consult":
        return f"{rng.choice(OPENINGS)}{address}{phrase}，{rng.choice(CONSULT_ASKS)}"
    if kind == "suggestion":
        return f"{rng.choice(OPENINGS)}建议加强{address}的管理，经常{phrase}。"
    return f"{rng.choice(OPENINGS)}{address}{phrase}，{rng.choice(ASKS)}"
