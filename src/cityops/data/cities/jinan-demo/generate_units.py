"""Regenerate ``units.csv`` of the 济南市 demo profile.

The departments and companies are listed below by hand; the district offices and the street
and town offices come from the real administrative code list in ``data/admin_codes``
(``jinan_level4.csv``). Run ``python generate_units.py`` in this directory after editing the
lists; the written ``units.csv`` is what ships (review the diff).
"""

from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
CODES = HERE.parent.parent / "admin_codes" / "jinan_level4.csv"

CENTER = ("center", "济南市数字化城市管理监督指挥中心")
DEPARTMENTS = (
    ("dept.roads", "济南市市政工程服务中心"),
    ("dept.greening", "济南市园林和林业绿化局"),
    ("dept.sanitation", "济南市环境卫生服务中心"),
    ("dept.lighting", "济南市城市照明服务中心"),
    ("dept.drainage", "济南市城市排水服务中心"),
    ("dept.enforcement", "济南市城市管理综合行政执法支队"),
    ("dept.housing", "济南市住房和城乡建设局"),
    ("dept.traffic_police", "济南市公安局交通警察支队"),
    ("dept.police", "济南市公安局"),
    ("dept.natural_resources", "济南市自然资源和规划局"),
    ("dept.ecology", "济南市生态环境局"),
    ("dept.water", "济南市水务局"),
    ("dept.transport", "济南市交通运输局"),
    ("dept.market", "济南市市场监督管理局"),
    ("dept.civil_affairs", "济南市民政局"),
    ("dept.fire", "济南市消防救援支队"),
    ("dept.culture_tourism", "济南市文化和旅游局"),
)
COMPANIES = (
    ("company.water", "济南水务集团有限公司"),
    ("company.gas", "济南港华燃气有限公司"),
    ("company.power", "国网济南供电公司"),
    ("company.telecom", "中国电信济南分公司"),
    ("company.heating", "济南热力集团有限公司"),
)
# District code → name of its city-management office.
DISTRICTS = {
    "370102": "历下区城市管理局",
    "370103": "市中区城市管理局",
    "370104": "槐荫区城市管理局",
    "370105": "天桥区城市管理局",
    "370112": "历城区城市管理局",
    "370126": "商河县城市管理局",
}


def street_office_name(full_name: str) -> str:
    """街道 → 街道办事处, 镇/乡 → 镇/乡人民政府."""
    return full_name + ("办事处" if full_name.endswith("街道") else "人民政府")


def rows() -> list[tuple[str, str, str, str, str]]:
    out = [(CENTER[0], CENTER[1], "center", "", "")]
    out += [(code, name, "department", "", "") for code, name in DEPARTMENTS]
    with CODES.open(encoding="utf-8") as f:
        level4 = list(csv.DictReader(f))
    for district, office in DISTRICTS.items():
        out.append((f"district.{district}", office, "district", "", district))
        for r in level4:
            if r["deep"] == "3" and r["pid"] == district:
                out.append(
                    (
                        f"street.{r['id']}",
                        street_office_name(r["ext_name"]),
                        "street",
                        f"district.{district}",
                        r["id"],
                    )
                )
    out += [(code, name, "company", "", "") for code, name in COMPANIES]
    return out


def main() -> None:
    with (HERE / "units.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(("code", "name", "kind", "parent_code", "region_code"))
        writer.writerows(rows())


if __name__ == "__main__":
    main()
