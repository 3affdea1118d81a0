"""The plan's issuer, title and year, read from the lines before its first heading."""

from __future__ import annotations

import re

_ISSUER_LABEL = re.compile(r"(发布机构|发文机关|信息来源|来源)\s*[:：]?\s*([^\s:：]*)")
_ORG_LINE = re.compile(r"^[\u4e00-\u9fff（）()]{4,30}(局|委员会|委|办公室|政府|中心|厅|队)$")
# A title may end with a remark in brackets: （征求意见稿）, （试行）, （示范数据）.
_TITLE = re.compile(
    r"^[\u4e00-\u9fff《》“”]*\d{4}年[\u4e00-\u9fff\d年和及、]*(工作要点|工作计划|工作安排|工作方案|任务清单)"
    r"(（[^（）]{1,12}）|\([^()]{1,12}\))?$"
)
_YEAR_BEFORE_PLAN = re.compile(
    r"(\d{4})年(?:[^\d\n]{0,20}?)(工作要点|工作计划|工作安排|工作方案|要点|计划)"
)
_ANY_YEAR = re.compile(r"(20\d{2})年")


def find_issuer(preamble: list[str], title: str | None) -> str | None:
    """From a "发布机构" field (same line or the next), else an organisation's name standing on
    its own line, else the words before the year in the title."""
    for i, line in enumerate(preamble):
        m = _ISSUER_LABEL.search(line)
        if not m or m.group(1) not in ("发布机构", "发文机关"):
            continue
        value = m.group(2).strip("- ")
        if not value and i + 1 < len(preamble):
            value = preamble[i + 1].strip("- ").split()[0] if preamble[i + 1].strip("- ") else ""
        if value:
            return value
    for line in preamble:
        text = line.strip("- ").strip()
        if _ORG_LINE.match(text):
            return text
    for line in preamble:
        m = _ISSUER_LABEL.search(line)
        if m and m.group(2):
            return m.group(2).strip("- ")
    if title:
        m = re.match(r"^(.{4,30}?(局|委员会|政府))\d{4}年", title)
        if m:
            return m.group(1)
    return None


def find_title(preamble: list[str]) -> str | None:
    """The plan's own title line ("济宁市城市管理局2025年工作要点"), the last one before the
    body; else the title quoted in a "关于印发《…》的通知" line."""
    found = None
    for line in preamble:
        text = re.sub(r"\s+", "", line)
        if _TITLE.match(text) and not text.startswith("关于"):
            found = text
    if found:
        return found
    for line in preamble:
        m = re.search(r"《([^》]*\d{4}年[^》]*)》", line)
        if m:
            return m.group(1)
    return None


def find_year(title: str | None, preamble: list[str]) -> int | None:
    """The year the plan is for: the year just before 工作要点/计划 in the title (so
    "2024年工作总结和2025年工作计划" is 2025), else the first year in the preamble."""
    for text in ([title] if title else []) + preamble:
        m = _YEAR_BEFORE_PLAN.search(text)
        if m:
            return int(m.group(1))
    for text in preamble:
        m = _ANY_YEAR.search(text)
        if m:
            return int(m.group(1))
    return None


def is_summary_and_plan(title: str | None) -> bool:
    """A "工作总结和…工作计划" document: a review first, then the plan."""
    return bool(title and "总结" in title and re.search(r"计划|打算|安排|要点|思路", title))


_PLAN_PART = re.compile(
    r"(工作计划|工作打算|工作安排|工作思路|工作要点|重点工作|\d{4}年.{0,6}计划)"
)


def is_plan_heading(heading: str) -> bool:
    return bool(_PLAN_PART.search(heading))
