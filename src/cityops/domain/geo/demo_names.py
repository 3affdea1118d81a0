"""Names for the demo city's generated features.

Main roads take real 济南 road names, placed roughly where the real road runs (positions are
approximate, from general knowledge of the city; the geometry is generated). Everything else —
secondary roads beyond the listed ones, communities, villages, compounds — gets a name built
from common naming patterns, unique within the city.
"""

from __future__ import annotations

import random

# (name, approximate latitude) of east–west and (name, approximate longitude) of north–south
# roads of central 济南, used for the generated main roads nearest to those positions.
URBAN_EW_ROADS: list[tuple[str, float]] = [
    ("南外环路", 36.575),
    ("二环南路", 36.622),
    ("经十路", 36.652),
    ("经七路", 36.658),
    ("泉城路", 36.665),
    ("解放路", 36.672),
    ("工业南路", 36.681),
    ("北园大街", 36.690),
    ("工业北路", 36.700),
    ("小清河北路", 36.712),
    ("清河北路", 36.724),
    ("鹊山路", 36.738),
    ("黄河大街", 36.760),
    ("北外环路", 36.785),
]
URBAN_NS_ROADS: list[tuple[str, float]] = [
    ("西外环路", 116.850),
    ("腊山河西路", 116.875),
    ("刘长山路", 116.900),
    ("二环西路", 116.935),
    ("纬十二路", 116.955),
    ("纬六路", 116.975),
    ("英雄山路", 116.995),
    ("舜耕路", 117.012),
    ("历山路", 117.030),
    ("山大路", 117.047),
    ("二环东路", 117.065),
    ("华龙路", 117.085),
    ("奥体西路", 117.105),
    ("奥体中路", 117.120),
    ("凤鸣路", 117.140),
    ("港西路", 117.170),
    ("春晖路", 117.200),
    ("东外环路", 117.225),
]
URBAN_SECONDARY_ROADS = [
    "经一路",
    "经二路",
    "经三路",
    "经四路",
    "经五路",
    "经六路",
    "纬二路",
    "纬三路",
    "纬四路",
    "纬五路",
    "纬八路",
    "纬九路",
    "纬十路",
    "和平路",
    "文化东路",
    "文化西路",
    "山师东路",
    "千佛山路",
    "玉函路",
    "建设路",
    "大明湖路",
    "明湖东路",
    "花园路",
    "七里河路",
    "华信路",
    "阳光新路",
    "六里山路",
    "七里山路",
    "郎茂山路",
    "堤口路",
    "无影山中路",
    "标山路",
    "匡山路",
    "张庄路",
    "段店北路",
    "兴福寺路",
    "美里路",
    "齐州路",
    "华能路",
    "洪楼西路",
    "新泺大街",
    "开拓路",
    "丁豪路",
    "少年路",
    "共青团路",
    "趵突泉北路",
    "黑虎泉北路",
    "朝山街",
    "天地坛街",
    "青年东路",
    "历黄路",
    "洪家楼南路",
    "祝舜路",
    "二七南路",
    "舜华路",
    "玉兴路",
    "济泺路",
    "无影山路",
    "北坦街",
    "药山西路",
    "凤凰路",
    "辛祝路",
    "燕子山路",
    "羊头峪路",
    "甸柳庄路",
    "姚家路",
    "龙鼎大道",
    "新泺大街",
    "飞跃大道",
    "华山路",
    "王舍人路",
    "荷花路",
    "桑园路",
    "经八路",
    "纬一路",
    "顺河街",
    "营市街",
    "道德街",
    "西市场路",
    "五里沟路",
    "青年西路",
    "南辛庄西路",
    "机场路",
    "腊山北路",
    "兴福路",
    "吴家堡路",
    "党杨路",
    "十六里河路",
    "兴隆路",
    "英雄山南路",
    "白马山路",
    "七贤路",
    "王官庄路",
    "大观园路",
    "杆石桥路",
    "四里村路",
]
SHANGHE_ROADS = [
    "商中路",
    "鑫源路",
    "商西路",
    "商东路",
    "青年路",
    "富源街",
    "滨河路",
    "银河路",
    "黄河路",
    "长青街",
    "花园街",
    "文昌路",
    "兴商街",
    "开元路",
    "新华路",
    "温泉路",
    "建设街",
    "政通路",
]

_NAME_HEADS = list("文和金安明兴华康丰祥瑞福泉柳荷新阳嘉佳盛玉锦秀振德仁清博民永春")
_NAME_TAILS = list("苑园庭景城港湾居华光河泉山林桥源安福康乐丰盛府馨和苑里")
_SURNAMES = list(
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方白邹孟熊秦邱江尹薛闫段雷侯史陶贺顾毛郝"
)
_VILLAGE_TAILS = ["家庄", "家寨", "家店", "家集", "家洼", "庄", "官庄", "家屯", "家楼", "家湾"]
_VILLAGE_PREFIXES = ["", "", "", "东", "西", "南", "北", "前", "后", "大", "小"]
_ROAD_TAILS = ["路", "路", "街", "大街", "巷"]
_COMPOUND_TAILS = ["小区", "花园", "家园", "苑", "嘉园", "新村", "公寓"]


class NamePool:
    """Hands out unique names; deterministic for a given random generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def take(self, candidate: str) -> str | None:
        if candidate in self.used:
            return None
        self.used.add(candidate)
        return candidate

    def word(self) -> str:
        for _ in range(200):
            w = self.rng.choice(_NAME_HEADS) + self.rng.choice(_NAME_TAILS)
            if w[0] != w[1]:
                return w
        return "新城"

    def community(self) -> str:
        for _ in range(500):
            name = self.take(self.word() + "社区")
            if name:
                return name
        return self._numbered("社区")

    def village(self) -> str:
        for _ in range(500):
            base = (
                self.rng.choice(_VILLAGE_PREFIXES)
                + self.rng.choice(_SURNAMES)
                + self.rng.choice(_VILLAGE_TAILS)
            )
            name = self.take(base + "村")
            if name:
                return name
        return self._numbered("村")

    def road(self, preferred: list[str]) -> str:
        """The first free name of ``preferred``, else a made-up one."""
        while preferred:
            name = self.take(preferred.pop(0))
            if name:
                return name
        for _ in range(500):
            name = self.take(self.word() + self.rng.choice(_ROAD_TAILS))
            if name:
                return name
        return self._numbered("路")

    def compound(self, community_stem: str) -> str:
        for _ in range(100):
            stem = community_stem if self.rng.random() < 0.4 else self.word()
            name = self.take(stem + self.rng.choice(_COMPOUND_TAILS))
            if name:
                return name
        return self._numbered("小区")

    def park(self) -> str:
        for _ in range(200):
            name = self.take(self.word() + "公园")
            if name:
                return name
        return self._numbered("公园")

    def market(self, stem: str) -> str:
        for candidate in (stem + "农贸市场", self.word() + "农贸市场", self.word() + "市场"):
            name = self.take(candidate)
            if name:
                return name
        return self._numbered("市场")

    def _numbered(self, tail: str) -> str:
        n = 1
        while f"第{n}{tail}" in self.used:
            n += 1
        self.used.add(f"第{n}{tail}")
        return f"第{n}{tail}"
