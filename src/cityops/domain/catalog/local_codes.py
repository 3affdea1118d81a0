"""Where a city's own (local) class codes may live, so they never collide with the national
catalog, today or when the standard grows.

A local code has 5 digits like a national one and is in one of two ranges:

* a **local major** 90–99, any minor 001–999 (e.g. ``90001``): a class group of the city's
  own, with its own major name;
* a **national major** 01–10 with a minor 900–999 (e.g. ``06901``): a local class inside a
  national group; its major name must be the national one. National minors stay far below
  900 (the largest in GB/T 47678.5-2026 is 077).

Legacy CJ/T 214 codes have 4 digits and cannot collide with either range.
"""

from __future__ import annotations

import re

LOCAL_MAJORS = range(90, 100)
NATIONAL_MAJORS = range(1, 11)
LOCAL_MINORS_IN_NATIONAL_MAJOR = range(900, 1000)

_CODE = re.compile(r"[0-9]{5}")


def local_code_problem(code: str) -> str | None:
    """None if ``code`` is a valid local code, else a Chinese explanation."""
    if not _CODE.fullmatch(code):
        return f"本市扩展类别编码“{code}”必须为5位数字（2位大类+3位小类）"
    major, minor = int(code[:2]), int(code[2:])
    if minor == 0:
        return f"本市扩展类别编码“{code}”的小类不能为000"
    if major in LOCAL_MAJORS:
        return None
    if major in NATIONAL_MAJORS:
        if minor in LOCAL_MINORS_IN_NATIONAL_MAJOR:
            return None
        return (
            f"本市扩展类别编码“{code}”占用了国家标准的编码范围："
            "在国标大类01–10下，本市小类须为900–999"
        )
    return f"本市扩展类别编码“{code}”的大类须为90–99（本市大类）或01–10（国标大类，小类900–999）"


def is_local_code(code: str) -> bool:
    return local_code_problem(code) is None
