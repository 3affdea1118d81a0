"""Quantified targets in a task's text: 不少于13条主次干道, 亮灯率99%以上, 新增300处垃圾分类房.

Every number followed by a measure unit (条, 处, 座, 个, %, 吨/日 …) is a candidate. Two
shapes are read:

* **subject first** — "亮灯率99%以上", "新建改造公共卫生间100座": the number closes its
  clause (or an enumeration with 、), and the subject is the words before it, without time
  words, adverbs and the comparator;
* **number first** — "新增300处垃圾分类房", "至少13条主次干道": the subject is the noun after
  the measure unit.

A qualifying verb that says what is counted (新增, 新建, 改造, 拆除 …) is kept with the
subject: "垃圾分类房(新增)". The comparator comes from the words around the number
(不少于/至少/达到/以上 → ">=", 不超过/以内 → "<=", …); a plain planned quantity means "at
least". A candidate whose subject cannot be read by these rules, or that counts what is
already done (已完成的151个), is returned as unparsed with its words, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from cityops.domain.workplan.model import Comparator, Target

UNITS = (
    "万平方米", "平方米", "平方公里", "万吨", "吨/日", "吨/天", "万元", "亿元", "万个", "万辆",
    "万户", "万人", "万株", "公里", "千米", "人次", "个", "条", "处", "座", "台", "辆", "家",
    "所", "项", "次", "名", "人", "件", "起", "棵", "株", "盏", "根", "套", "块", "间", "户",
    "批", "场", "轮", "支", "组", "张", "份", "篇", "段", "片", "吨", "元", "米", "%", "％",
)  # fmt: skip
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_CANDIDATE = re.compile(rf"(?<![\d.．第A-Za-z\-])(\d+(?:\.\d+)?)\s*(余|多)?\s*({_UNIT_ALT})")
_DURATION_AFTER = ("月", "工作日", "小时", "季度", "年")  # 3个月, 2个工作日: durations, not counts

CLAUSE_END = "，,。；;：:！!？?\n"
_AFTER_CMP = (("及以上", Comparator.AT_LEAST), ("以上", Comparator.AT_LEAST),
              ("及以下", Comparator.AT_MOST), ("以下", Comparator.AT_MOST),
              ("以内", Comparator.AT_MOST), ("之内", Comparator.AT_MOST),
              ("左右", Comparator.ABOUT))  # fmt: skip
_BEFORE_CMP = {
    "不少于": Comparator.AT_LEAST, "不低于": Comparator.AT_LEAST, "不小于": Comparator.AT_LEAST,
    "至少": Comparator.AT_LEAST, "超过": Comparator.MORE_THAN, "多于": Comparator.MORE_THAN,
    "高于": Comparator.MORE_THAN, "不超过": Comparator.AT_MOST, "不高于": Comparator.AT_MOST,
    "不多于": Comparator.AT_MOST, "不大于": Comparator.AT_MOST, "低于": Comparator.LESS_THAN,
    "少于": Comparator.LESS_THAN, "控制在": Comparator.AT_MOST, "提升至": Comparator.AT_LEAST,
    "提高至": Comparator.AT_LEAST, "提高到": Comparator.AT_LEAST, "提升到": Comparator.AT_LEAST,
    "增至": Comparator.AT_LEAST, "增加到": Comparator.AT_LEAST, "达到": Comparator.AT_LEAST,
    "保持在": Comparator.AT_LEAST, "稳定在": Comparator.AT_LEAST,
}  # fmt: skip
_BEFORE_CMP_RE = re.compile("|".join(sorted(_BEFORE_CMP, key=len, reverse=True)))
_BEFORE_CMP_TAIL = re.compile(f"({_BEFORE_CMP_RE.pattern}|达)$")
# Verbs that say what a count is of; kept with the subject as a qualifier.
QUALIFIER_VERBS = (
    "新建改造", "新建改建", "升级改造", "更新改造", "提档升级", "新（改）建", "新(改)建", "新改建",
    "新增打造", "新增", "新建", "改建", "扩建", "改造", "补建", "补植", "拆除", "淘汰", "提升",
    "增设", "增加",
)  # fmt: skip
# Other verbs and adverbs taken off the front of a subject.
LEAD_WORDS = (
    "力争", "确保", "争取", "努力", "进一步", "持续", "继续", "全市", "计划", "全面",
    "累计", "其中", "高水平", "高标准", "分别", "牵头", "指导", "组织", "推进", "推动",
    "打造", "建成", "建设", "完成", "实施", "设置", "设立", "推广", "开展", "举办",
    "召开", "培育", "形成", "创建", "建立", "实现", "达到", "引导", "开发", "上线",
    "出台", "制定", "修订", "协调", "发放", "配备", "配置", "安装", "更换", "覆盖",
    "保持", "开放", "试点", "刊发", "研究", "组建", "至少", "均",
)  # fmt: skip
_VERB_WORDS = tuple(sorted(set(QUALIFIER_VERBS) | set(LEAD_WORDS), key=len, reverse=True))
_TIME_LEAD = re.compile(
    r"^(\d{4}年(底|末|内)?前?|\d{1,2}月(底|末)?(前|份)?|年底前?|年内|全年|今年|上半年|下半年"
    r"|每年度?|每季度?|每月|每周|每日|每天|双月)"
)
_DECLINE_TAIL = re.compile(r"(环比|同比)?(下降|减少|降低)$")
_TRAIL_WORDS = re.compile(r"(均|都|总计|合计|累计|共计|共|两个|三个|四个|每日|每天)$")
METRIC_SUFFIXES = ("率", "量", "度", "数", "规模", "能力", "面积", "长度", "里程", "比例", "占比")
_QUOTES = "“”\"'‘’「」"
MAX_SUBJECT = 20
MAX_NOUN_AFTER = 15


@dataclass(frozen=True, slots=True)
class Candidate:
    """A number with a unit that did not become a target, with the reason."""

    text: str
    note: str


@dataclass(frozen=True, slots=True)
class _Found:
    target: Target
    start: int
    end: int
    qualifier: str


def mask_titles(text: str) -> str:
    """Blank out 《…》 titles (same length), so "《规划（2021-2035年）》" counts nothing."""
    out = list(text)
    depth = 0
    for i, ch in enumerate(text):
        if ch == "《":
            depth += 1
        elif ch == "》":
            depth = max(0, depth - 1)
        elif depth:
            out[i] = "□"
    return "".join(out)


def _clause_start(text: str, pos: int) -> int:
    i = pos
    while i > 0 and text[i - 1] not in CLAUSE_END:
        i -= 1
    return i


def _clause_end(text: str, pos: int) -> int:
    i = pos
    while i < len(text) and text[i] not in CLAUSE_END:
        i += 1
    return i


def _strip_lead(words: str) -> tuple[str, str]:
    """Take time words, adverbs and verbs off the front; return (qualifier, rest)."""
    qualifier = ""
    changed = True
    while changed and words:
        changed = False
        m = _TIME_LEAD.match(words)
        if m and m.end() < len(words):
            words, changed = words[m.end() :], True
            continue
        for verb in _VERB_WORDS:
            if words.startswith(verb) and len(words) > len(verb) + 1:
                if verb in QUALIFIER_VERBS:
                    qualifier += verb
                words, changed = words[len(verb) :], True
                break
    return qualifier, words


def _after_last_de(words: str) -> str:
    """ "以公园景区…为重点的社会公厕" → "社会公厕" (the head noun after the last 的)."""
    k = words.rfind("的")
    if 0 <= k < len(words) - 1:
        return words[k + 1 :]
    return words


def _clean(subject: str) -> str:
    subject = subject.strip(" \t、")
    if len(subject) > 2 and subject[0] in _QUOTES and subject[-1] in _QUOTES:
        subject = subject[1:-1]
    return subject


def _comparator_before(text: str, start: int, pos: int) -> Comparator | None:
    found = None
    for m in _BEFORE_CMP_RE.finditer(text, start, pos):
        found = _BEFORE_CMP[m.group(0)]
    if found is None and text[start:pos].rstrip().endswith("达"):
        found = Comparator.AT_LEAST
    return found


def _last_qualifier(text: str) -> str:
    """The qualifying verb nearest the end of ``text`` (the longest one ending there)."""
    best, best_end = "", -1
    for verb in QUALIFIER_VERBS:
        k = text.rfind(verb)
        if k < 0:
            continue
        end = k + len(verb)
        if end > best_end or (end == best_end and len(verb) > len(best)):
            best, best_end = verb, end
    return best


def _noun_after(text: str, pos: int) -> str:
    """The noun after a measure unit: up to the clause end, cut before a following
    number's enumeration (、 及 和 与), or after modifiers ending in 的."""
    end = _clause_end(text, pos)
    seg = text[pos:end]
    digit = re.search(r"\d", seg)
    if digit:
        head = seg[: digit.start()]
        cut = re.search(r"[、及和与]", head)
        seg = head[: cut.start()] if cut else head
    k = seg.find("的")
    if k > 0:
        before = seg[:k]
        seg = seg[k + 1 :] if "、" in before else before
    else:
        seg = seg.split("、")[0]
    for verb in ("推广", "开展", "实施", "进行", "完成", "实现", "协调", "建设和", "开放"):
        k = seg.find(verb)
        if k >= 1:
            seg = seg[:k]
    return _clean(seg)


def extract_targets(text: str) -> tuple[list[Target], list[Candidate]]:
    """Targets in ``text`` (a task without its unit clause), and the candidates left over."""
    masked = mask_titles(text)
    targets: list[Target] = []
    leftovers: list[Candidate] = []
    previous: _Found | None = None
    for m in _CANDIDATE.finditer(masked):
        start, unit_end = m.start(), m.end()
        number, approx, unit = m.group(1), m.group(2), m.group(3)
        if unit == "％":
            unit = "%"
        rest = masked[unit_end:]
        if unit == "个" and rest.startswith(_DURATION_AFTER):
            continue
        end = unit_end
        comparator: Comparator | None = None
        for word, cmp_ in _AFTER_CMP:
            if rest.startswith(word):
                comparator, end = cmp_, unit_end + len(word)
                break
        cstart = _clause_start(masked, start)
        clause_before = masked[cstart:start]
        words = text[cstart : _clause_end(masked, end)]
        if "已" in clause_before:
            leftovers.append(Candidate(words, "已完成的数量，不是目标"))
            continue
        comparator = comparator or _comparator_before(masked, cstart, start)
        if approx and comparator is None:
            comparator = Comparator.AT_LEAST
        value = Decimal(number)
        follows = masked[end : end + 1]
        chained = (
            previous is not None
            and previous.end >= cstart
            and masked[previous.end : start].strip() in ("", "、")
        )
        found: list[tuple[str, str]]  # (subject, qualifier)
        if not follows or follows in CLAUSE_END + "、)）":
            found, suffix = _subjects_before(
                masked, cstart, start, previous, comparator is not None
            )
            unit += suffix
            if not found and previous is not None and masked[previous.end : start][:1] in "，,、":
                # "新建改造公共卫生间80座,城管驿站30座": the second count shares the first's verb.
                subject = _clean(masked[previous.end + 1 : start])
                if 0 < len(subject) <= MAX_SUBJECT:
                    found = [(subject, previous.qualifier)]
                    comparator = comparator or previous.target.comparator
        else:
            subject = _noun_after(masked, end)
            if subject.startswith(_VERB_WORDS):
                subject = ""  # "按照60%开展创建": a verb, not a noun, follows the number
            qualifier = _last_qualifier(clause_before)
            if not qualifier and chained and previous is not None:
                qualifier = previous.qualifier
            found = [(subject, qualifier)] if 0 < len(subject) <= MAX_NOUN_AFTER else []
        if not found:
            leftovers.append(Candidate(words, "看不出指标的对象"))
            continue
        for subject, qualifier in found:
            full = f"{subject}({qualifier})" if qualifier else subject
            target = Target(full, comparator or Comparator.AT_LEAST, value, unit, words)
            targets.append(target)
            previous = _Found(target, start, end, qualifier)
    return targets, leftovers


def _subjects_before(
    masked: str, cstart: int, start: int, previous: _Found | None, has_comparator: bool
) -> tuple[list[tuple[str, str]], str]:
    """Subjects of a "subject first" target, [] when the words give no clear subject."""
    left = cstart
    if (
        previous is not None
        and previous.end >= cstart
        and masked[previous.end : start].startswith("、")
    ):
        left = previous.end + 1
    words = masked[left:start].strip()
    unit_suffix = ""
    explicit = has_comparator
    for _ in range(3):
        m = _BEFORE_CMP_TAIL.search(words)
        if m:
            words, explicit = words[: m.start()], True
            continue
        t = _TRAIL_WORDS.search(words)
        if t:
            if t.group(0) in ("每日", "每天"):
                unit_suffix = "/日"
            words = words[: t.start()]
            continue
        break
    decline = _DECLINE_TAIL.search(words)
    qualifier_tail = ""
    if decline:
        qualifier_tail, words = decline.group(0), words[: decline.start()]
    qualifier, words = _strip_lead(words)
    # Adverbs before a comparator ("力争", "力争全年") may now be at the end or the front.
    words = re.sub(r"(力争|确保|争取)$", "", words)
    words = _clean(_after_last_de(words))
    if len(words) > 12:
        words = _after_last_verb(words)
    qualifier = qualifier + qualifier_tail
    if not words:
        return [], unit_suffix
    pieces = [p for p in words.split("、") if p]
    if len(pieces) > 1 and all(p.endswith(METRIC_SUFFIXES) for p in pieces):
        return [(_clean(p), qualifier) for p in pieces], unit_suffix
    if len(pieces) > 1 and _TIME_LEAD.match(pieces[-1]):
        # "每月开展警示教育、每季度安全生产暗访不少于1次": the count is the last piece's.
        more, words = _strip_lead(pieces[-1])
        qualifier += more
    signal = (
        explicit
        or qualifier
        or words.endswith(METRIC_SUFFIXES)
        or _starts_with_verb(masked[left:start])
    )
    if not signal or len(words) > MAX_SUBJECT:
        return [], unit_suffix
    return [(words, qualifier)], unit_suffix


def _after_last_verb(words: str) -> str:
    """ "以简报形式刊发城市管理改革案例" → "城市管理改革案例"."""
    best = -1
    for verb in _VERB_WORDS:
        k = words.rfind(verb)
        if k >= 0 and len(words) - (k + len(verb)) >= 2:
            best = max(best, k + len(verb))
    return words[best:] if best > 0 else words


def _starts_with_verb(words: str) -> bool:
    words = words.strip()
    m = _TIME_LEAD.match(words)
    if m:
        words = words[m.end() :]
    return words.startswith(_VERB_WORDS)
