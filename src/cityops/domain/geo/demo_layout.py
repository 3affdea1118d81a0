"""Where things are in the demo city: rough outlines and courses in WGS84 (lon, lat).

The outlines place each district roughly where it really is around the centre of 济南
(≈117.00 E, 36.66 N): 历下 east-centre, 市中 south-centre, 槐荫 west, 天桥 north (across the
小清河 and the 黄河), 历城 east and north-east around them, and 商河 as a separate county town
about 60 km north. They are hand-drawn approximations, not surveyed boundaries: the generated
districts follow the generated roads and only keep to these outlines block by block.
"""

from __future__ import annotations

from dataclasses import dataclass

LonLat = tuple[float, float]

CITY_CODE = "370100"
CITY_CENTRE: LonLat = (117.000, 36.660)
SHANGHE_CENTRE: LonLat = (117.157, 37.305)

URBAN_OUTLINE: list[LonLat] = [
    (116.830, 36.640), (116.855, 36.690), (116.905, 36.735), (116.950, 36.770),
    (116.975, 36.800), (117.060, 36.805), (117.150, 36.800), (117.225, 36.780),
    (117.250, 36.720), (117.245, 36.620), (117.215, 36.565), (117.120, 36.545),
    (117.030, 36.550), (116.960, 36.550), (116.915, 36.575), (116.870, 36.605),
]  # fmt: skip

# Urban districts by priority: a block goes to the first outline that holds its
# representative point; 历城 takes what is left of the urban outline.
URBAN_DISTRICTS: list[tuple[str, list[LonLat]]] = [
    ("370102", [  # 历下区
        (117.003, 36.692), (117.055, 36.692), (117.080, 36.690), (117.160, 36.688),
        (117.170, 36.640), (117.120, 36.610), (117.060, 36.612), (117.030, 36.628),
        (117.010, 36.650), (117.002, 36.664),
    ]),
    ("370103", [  # 市中区
        (116.950, 36.666), (117.002, 36.664), (117.010, 36.650), (117.030, 36.628),
        (117.060, 36.612), (117.055, 36.540), (116.960, 36.540), (116.905, 36.570),
        (116.905, 36.620), (116.935, 36.650),
    ]),
    ("370104", [  # 槐荫区
        (116.820, 36.630), (116.850, 36.700), (116.920, 36.712), (116.955, 36.700),
        (116.950, 36.666), (116.935, 36.650), (116.905, 36.620), (116.870, 36.595),
    ]),
    ("370105", [  # 天桥区
        (116.920, 36.712), (116.955, 36.700), (116.950, 36.666), (117.002, 36.664),
        (117.003, 36.692), (117.055, 36.692), (117.045, 36.730), (117.060, 36.810),
        (116.960, 36.810), (116.900, 36.740),
    ]),
]  # fmt: skip
REMAINDER_DISTRICT = "370112"  # 历城区

SHANGHE_CODE = "370126"
SHANGHE_OUTLINE: list[LonLat] = [
    (117.070, 37.240), (117.160, 37.232), (117.250, 37.245), (117.262, 37.310),
    (117.245, 37.380), (117.150, 37.388), (117.065, 37.370), (117.055, 37.300),
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class RiverCourse:
    name: str
    points: list[LonLat]
    meander_m: float


URBAN_RIVERS = [
    RiverCourse("黄河", [
        (116.800, 36.655), (116.860, 36.700), (116.920, 36.725), (116.970, 36.735),
        (117.000, 36.738), (117.050, 36.748), (117.110, 36.765), (117.170, 36.785),
        (117.270, 36.800),
    ], 180.0),
    RiverCourse("小清河", [
        (116.820, 36.678), (116.900, 36.697), (116.960, 36.703), (117.000, 36.706),
        (117.050, 36.710), (117.100, 36.716), (117.160, 36.722), (117.270, 36.735),
    ], 90.0),
]  # fmt: skip
SHANGHE_RIVERS = [
    RiverCourse("沙河", [
        (117.040, 37.283), (117.120, 37.290), (117.170, 37.282), (117.280, 37.272),
    ], 120.0),
]  # fmt: skip

# Arterials that cut across the grid (name, course).
URBAN_DIAGONALS: list[tuple[str, list[LonLat]]] = [
    ("济齐路", [(116.962, 36.664), (116.905, 36.690), (116.830, 36.722)]),
    ("旅游路", [(117.035, 36.641), (117.110, 36.628), (117.180, 36.606), (117.260, 36.590)]),
    ("历黄路", [(117.058, 36.688), (117.072, 36.740), (117.095, 36.815)]),
]
SHANGHE_DIAGONALS: list[tuple[str, list[LonLat]]] = [
    ("商济路", [(117.155, 37.300), (117.110, 37.268), (117.050, 37.228)]),
]

# Real landmarks at approximate positions (kind, name, lon, lat).
LANDMARKS: list[tuple[str, str, float, float]] = [
    ("park", "大明湖风景区", 117.0255, 36.6755),
    ("park", "趵突泉公园", 117.0160, 36.6615),
    ("park", "五龙潭公园", 117.0115, 36.6660),
    ("park", "千佛山风景区", 117.0395, 36.6390),
    ("park", "泉城公园", 117.0235, 36.6455),
    ("park", "英雄山风景区", 116.9935, 36.6355),
    ("landmark", "泉城广场", 117.0200, 36.6625),
    ("landmark", "芙蓉街", 117.0190, 36.6680),
    ("landmark", "黑虎泉", 117.0270, 36.6620),
    ("landmark", "济南站", 116.9890, 36.6700),
    ("landmark", "济南西站", 116.8905, 36.6710),
    ("landmark", "济南奥体中心", 117.1185, 36.6625),
    ("school", "山东大学中心校区", 117.0600, 36.6740),
    ("hospital", "山东省立医院", 116.9985, 36.6590),
    ("hospital", "山东大学齐鲁医院", 117.0165, 36.6550),
    ("landmark", "洪家楼天主教堂", 117.0615, 36.6840),
]
