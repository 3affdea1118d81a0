"""Evaluation (综合评价) over HTTP: the figures, scores, grades and ranks of a period with
环比/同比, the indicator registry and targets, the district comprehensive assessment (综合考评),
and the bulletin (.docx), the ledgers (.xlsx) and case lists (CSV, .xlsx) as downloads.

Who may do what — the access table of ``docs/evaluation.md`` ("HTTP API"), applied here
before a service is called:

* leaders, evaluators and administrators see every figure; evaluators and administrators
  also set and measure targets and keep the assessment (schemes, entries, runs);
* the centre's desk roles (acceptor, shift leader, dispatcher) see every figure and download
  the bulletin and ledgers; a district sub-centre's case lists hold its district only;
* a handler sees its own units' figures: its unit and the units under it as 处置单位, and the
  regions those units govern (a street office: its street), the targets set on them, the
  assessment rows of its district, and the case lists of its units;
* an inspector sees his own figures (监督员) and the targets set on him;
* the public and machines see nothing. Anything else answers 403 with a code.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Response, status

from cityops.api.deps import RT, require_roles
from cityops.api.schemas import evaluation as s
from cityops.api.schemas.common import ERROR_RESPONSES
from cityops.domain.access import User
from cityops.domain.cases.vocabulary import Light, Role
from cityops.domain.catalog.model import CityProfile, UnitKind
from cityops.domain.evaluation.definitions import ObjectKind
from cityops.domain.evaluation.periods import EvalPeriod
from cityops.domain.evaluation.results import Evaluation, ObjectResult
from cityops.errors import ForbiddenError, NotFoundError, ValidationError
from cityops.services import cockpit
from cityops.services.evaluation import assessment as assess
from cityops.services.evaluation import targets as tg
from cityops.services.evaluation.case_lists import (
    CaseFilter,
    as_table,
    case_rows,
    column_widths,
    write_csv,
)
from cityops.services.evaluation.evaluate import evaluate, period_of
from cityops.services.evaluation.indicators import indicator, indicators, measure, parse_object
from cityops.services.runtime import Runtime

router = APIRouter(prefix="/evaluation", tags=["evaluation 综合评价"], responses=ERROR_RESPONSES)

BUREAU = (Role.LEADER, Role.EVALUATOR, Role.ADMIN)
CENTRE = (Role.ACCEPTOR, Role.SHIFT_LEADER, Role.DISPATCHER)
WRITERS = (Role.EVALUATOR, Role.ADMIN)
Reader = Annotated[User, Depends(require_roles(*BUREAU, *CENTRE, Role.HANDLER, Role.INSPECTOR))]
Writer = Annotated[User, Depends(require_roles(*WRITERS))]
AssessReader = Annotated[User, Depends(require_roles(*BUREAU, *CENTRE, Role.HANDLER))]
Downloader = Annotated[User, Depends(require_roles(*BUREAU, *CENTRE))]
Lister = Annotated[User, Depends(require_roles(*BUREAU, *CENTRE, Role.HANDLER))]

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_CASE_ROWS = 200_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

PeriodQuery = Annotated[
    str,
    Query(
        min_length=4,
        max_length=32,
        description="2025-10 (month), 2025-Q3, 2025, 2025-W40, 2025-10-05 or "
        "2025-10-01..2025-10-15, in the city's time zone",
        examples=["2025-10"],
    ),
]
Compare = Annotated[bool, Query(description="Also compute 环比 and 同比 (two more periods)")]
SchemeName = Annotated[str, Path(min_length=1, max_length=128, description="The scheme's name")]

REGION_OF_UNIT = {
    UnitKind.DISTRICT: ObjectKind.DISTRICT,
    UnitKind.STREET: ObjectKind.STREET,
    UnitKind.COMMUNITY: ObjectKind.COMMUNITY,
}


# ----------------------------------------------------------------------------- access


@dataclass(frozen=True)
class Sight:
    """The objects a user may see: every object, or codes per kind."""

    everything: bool
    codes: dict[ObjectKind, frozenset[str]] = field(default_factory=dict)

    def sees(self, kind: ObjectKind, code: str) -> bool:
        return self.everything or code in self.codes.get(kind, frozenset())

    def check(self, kind: ObjectKind, code: str) -> None:
        if not self.sees(kind, code):
            raise ForbiddenError(
                "evaluation.object_forbidden",
                f"无权查看该评价对象（{kind.label_zh} {code}）的数据",
                kind=kind.value,
                object_code=code,
            )

    def check_kind(self, kind: ObjectKind) -> None:
        if not self.everything and kind not in self.codes:
            raise ForbiddenError(
                "evaluation.kind_forbidden",
                f"无权查看{kind.label_zh}的评价数据",
                kind=kind.value,
                allowed=sorted(k.value for k in self.codes),
            )


def own_units(user: User) -> frozenset[str]:
    return user.units_below or (frozenset({user.unit}) if user.unit else frozenset())


def sight_of(user: User, profile: CityProfile) -> Sight:
    if user.role in BUREAU or user.role in CENTRE:
        return Sight(True)
    if user.role == Role.INSPECTOR:
        return Sight(False, {ObjectKind.INSPECTOR: frozenset({user.id})})
    if user.role == Role.HANDLER:
        units = own_units(user)
        codes: dict[ObjectKind, set[str]] = {ObjectKind.DEPARTMENT: set(units)}
        for code in units:
            unit = profile.units.get(code)
            if unit is not None and unit.region_code and unit.kind in REGION_OF_UNIT:
                codes.setdefault(REGION_OF_UNIT[unit.kind], set()).add(unit.region_code)
        return Sight(False, {k: frozenset(v) for k, v in codes.items()})
    return Sight(False)


# ----------------------------------------------------------------------------- helpers


def _period(rt: Runtime, text: str) -> EvalPeriod:
    p = period_of(rt.engine, text, rt.policy.profile)
    if p.start.year < MIN_YEAR or p.end.year > MAX_YEAR:
        raise ValidationError(
            "evaluation.period_out_of_range",
            f"期间应在{MIN_YEAR}年至{MAX_YEAR}年之间",
            period=text,
        )
    return p


def _evaluation(rt: Runtime, p: EvalPeriod, compare: bool) -> Evaluation:
    profile = rt.policy.profile
    ev: Evaluation = cockpit.cached_evaluation(
        rt.engine,
        p.label,
        compare=compare,
        compute=lambda: evaluate(rt.engine, p, profile=profile, compare=compare, now=rt.now()),
    )
    return ev


def _kind(text: str) -> ObjectKind:
    try:
        return ObjectKind(text)
    except ValueError:
        raise ValidationError(
            "evaluation.object_kind_unknown",
            f"未知的评价对象类型“{text}”",
            kind=text,
            known=[k.value for k in ObjectKind],
        ) from None


_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def download(content: bytes, media_type: str, name: str, fallback: str) -> Response:
    """A file to save under its UTF-8 name (RFC 6266 / 5987), with an ASCII fallback."""
    clean = _UNSAFE_NAME.sub("_", name).strip() or fallback
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{fallback}"; '
            f"filename*=UTF-8''{quote(clean, safe='')}",
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _ascii(label: str) -> str:
    return re.sub(r"[^0-9A-Za-z-]+", "_", label)


def _district_names(rt: Runtime) -> dict[str, str]:
    profile = rt.policy.profile
    return {code: r.name or code for code, r in profile.regions.items()}


# ----------------------------------------------------------------------------- evaluation


@router.get(
    "",
    summary="综合评价 The evaluation of a period",
    description="Counts, rates, composite scores, grades and ranks of every object (or of one "
    "`kind`) in a period, with 环比 (`mom`) and 同比 (`yoy`) unless `compare=false`. A handler "
    "gets its own units and regions, an inspector himself.",
    response_model=s.EvaluationOut,
)
def evaluation(
    rt: RT,
    user: Reader,
    period: PeriodQuery,
    kind: Annotated[ObjectKind | None, Query(description="One kind of object")] = None,
    compare: Compare = True,
    limit: Annotated[int | None, Query(ge=1, le=10000, description="The first N")] = None,
) -> s.EvaluationOut:
    sight = sight_of(user, rt.policy.profile)
    if kind is not None:
        sight.check_kind(kind)
    ev = _evaluation(rt, _period(rt, period), compare)
    objects: list[ObjectResult] = [
        o
        for k, objs in ev.objects.items()
        if kind is None or k == kind
        for o in objs
        if sight.sees(o.kind, o.code)
    ]
    return s.evaluation_out(ev, objects, limit)


@router.get(
    "/objects/{kind}/{code}",
    summary="一个对象的评价 One object's evaluation",
    description="`kind`: city (code `*`), district, street, community, grid, department (a "
    "unit code), inspector, acceptor, shift_leader, dispatcher (a login). 404 "
    "`evaluation.object_no_data` when the object has no figures in the period.",
    response_model=s.ObjectEvaluationOut,
)
def one_object(
    rt: RT,
    user: Reader,
    kind: Annotated[str, Path(max_length=16)],
    code: Annotated[str, Path(max_length=64)],
    period: PeriodQuery,
    compare: Compare = True,
) -> s.ObjectEvaluationOut:
    k = _kind(kind)
    sight_of(user, rt.policy.profile).check(k, code)
    ev = _evaluation(rt, _period(rt, period), compare)
    found = ev.get(k, code)
    if found is None:
        raise NotFoundError(
            "evaluation.object_no_data",
            f"{k.label_zh}“{code}”在{ev.period.label_zh}没有评价数据",
            kind=k.value,
            object_code=code,
            period=ev.period.label,
        )
    ranked = sum(1 for o in ev.of(k) if o.rank is not None)
    return s.ObjectEvaluationOut(
        period=ev.period.label,
        period_zh=ev.period.label_zh,
        computed_at=ev.computed_at.isoformat(),
        object=s.object_out(found, ranked),
    )


@router.get(
    "/indicators",
    summary="评价指标 The indicator registry",
    description="Every rate and count by key and Chinese name; `hotline.*` count only the "
    "cases that came in through the 12345 hotline.",
    response_model=list[s.IndicatorOut],
)
def indicator_list(user: Reader) -> list[s.IndicatorOut]:
    return [s.indicator_out(i) for i in indicators()]


@router.get(
    "/measure",
    summary="指标取值 One indicator of one object in a period",
    response_model=s.MeasureOut,
)
def measure_one(
    rt: RT,
    user: Reader,
    indicator_name: Annotated[str, Query(alias="indicator", max_length=64, examples=["结案率"])],
    period: PeriodQuery,
    object: Annotated[
        str | None, Query(max_length=80, description="kind:code; omitted: the city")
    ] = None,
) -> s.MeasureOut:
    ind = indicator(indicator_name)
    kind, code = parse_object(object)
    sight_of(user, rt.policy.profile).check(kind, code)
    p = _period(rt, period)
    return s.MeasureOut(
        indicator=ind.name,
        label_zh=ind.label_zh,
        unit=ind.unit,
        period=p.label,
        object=f"{kind.value}:{code}",
        value=measure(rt.engine, ind.name, p, (kind, code)),
    )


# ----------------------------------------------------------------------------- targets


@router.get(
    "/targets",
    summary="指标目标 Targets",
    description="All targets, or a period's; a handler or inspector sees the targets set on "
    "its own objects.",
    response_model=list[s.TargetOut],
)
def target_list(
    rt: RT,
    user: Reader,
    period: Annotated[str | None, Query(min_length=4, max_length=32)] = None,
) -> list[s.TargetOut]:
    sight = sight_of(user, rt.policy.profile)
    rows = tg.list_targets(rt.engine, _period(rt, period) if period else None)
    return [s.target_out(t) for t in rows if sight.sees(ObjectKind(t.object_kind), t.object_code)]


@router.post(
    "/targets",
    summary="设定目标 Set (or change) a target",
    description="One target per indicator, object and period; setting it again replaces it "
    "(and forgets its last measurement).",
    response_model=s.TargetOut,
)
def target_set(rt: RT, user: Writer, body: s.TargetIn) -> s.TargetOut:
    t = tg.set_target(
        rt.engine,
        indicator_name=body.indicator,
        period=_period(rt, body.period),
        comparator=body.comparator,
        target=body.target,
        object=body.object,
        note=body.note,
        actor=user.id,
        now=rt.now(),
    )
    return s.target_out(t)


@router.post(
    "/targets/measure",
    summary="测量目标 Measure targets",
    description="Measures the targets of a period (all targets without `period`) and keeps "
    "the measured value and the status (met, not_met, no_data).",
    response_model=list[s.TargetOut],
)
def target_measure(
    rt: RT,
    user: Writer,
    period: Annotated[str | None, Query(min_length=4, max_length=32)] = None,
) -> list[s.TargetOut]:
    p = _period(rt, period) if period else None
    return [s.target_out(t) for t in tg.measure_targets(rt.engine, p, now=rt.now())]


# ----------------------------------------------------------------------------- assessment


@router.get(
    "/assessment/schemes",
    summary="考评方案 Assessment schemes",
    response_model=list[s.SchemeSummaryOut],
)
def scheme_list(rt: RT, user: AssessReader) -> list[s.SchemeSummaryOut]:
    return [s.SchemeSummaryOut(**row) for row in cockpit.assessment_schemes_list(rt.engine)]


@router.post(
    "/assessment/schemes",
    status_code=status.HTTP_201_CREATED,
    summary="创建考评方案 Create a scheme",
    description="Items (platform indicators, manual entries, survey scores) with weights, "
    "and peer groups (同序列). The same document as `cityops eval assess scheme FILE.toml`.",
    response_model=s.SchemeOut,
)
def scheme_create(rt: RT, user: Writer, body: s.SchemeIn) -> s.SchemeOut:
    name, items, groups = assess.scheme_from_document(body.document())
    scheme = assess.create_scheme(
        rt.engine, name, items, groups, note=body.note, actor=user.id, now=rt.now()
    )
    return s.scheme_out(scheme)


@router.get(
    "/assessment/schemes/{name}",
    summary="一个考评方案 One scheme",
    response_model=s.SchemeOut,
)
def scheme_get(rt: RT, user: AssessReader, name: SchemeName) -> s.SchemeOut:
    return s.scheme_out(assess.get_scheme(rt.engine, name))


@router.post(
    "/assessment/schemes/{name}/entries",
    summary="录入考评分值 Enter manual or survey values",
    description="Values 0–100 per district for one manual or survey item of a period; the "
    "latest entry of a district counts.",
    response_model=s.EntriesOut,
)
def scheme_enter(rt: RT, user: Writer, name: SchemeName, body: s.EntriesIn) -> s.EntriesOut:
    p = _period(rt, body.period)
    n = assess.enter_values(
        rt.engine,
        name,
        p,
        body.item,
        dict(body.values),
        source_note=body.source,
        actor=user.id,
        now=rt.now(),
    )
    return s.EntriesOut(scheme=name, period=p.label, item=body.item, entered=n)


@router.post(
    "/assessment/schemes/{name}/runs",
    status_code=status.HTTP_201_CREATED,
    summary="计算综合考评 Run the assessment of a period",
    description="Scores and ranks every district within its peer group and overall, and keeps "
    "the result as a new version of the period.",
    response_model=s.RunOut,
)
def scheme_run(rt: RT, user: Writer, name: SchemeName, body: s.RunIn) -> s.RunOut:
    p = _period(rt, body.period)
    results = assess.run_assessment(rt.engine, name, p, actor=user.id, now=rt.now())
    names = _district_names(rt)
    return s.RunOut(
        scheme=name,
        period=p.label,
        results=[s.result_out(r, names.get(r.district_code, r.district_code)) for r in results],
    )


@router.get(
    "/assessment/schemes/{name}/history",
    summary="综合考评历史 Assessment history",
    description="The latest run of every period, oldest first; a handler sees its district's "
    "rows only.",
    response_model=list[s.HistoryRowOut],
)
def scheme_history(
    rt: RT,
    user: AssessReader,
    name: SchemeName,
    district: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
) -> list[s.HistoryRowOut]:
    sight = sight_of(user, rt.policy.profile)
    if district is not None:
        sight.check(ObjectKind.DISTRICT, district)
    names = _district_names(rt)
    rows = assess.history(rt.engine, name, district)
    return [
        s.history_out(r, names.get(r["district_code"], r["district_code"]))
        for r in rows
        if sight.sees(ObjectKind.DISTRICT, r["district_code"])
    ]


# ----------------------------------------------------------------------------- downloads


@router.get(
    "/bulletin.docx",
    summary="综合评价通报 The bulletin (.docx)",
    description="Summary, charts, rankings of districts, streets, departments and inspectors, "
    "and the changes against the period before and a year before.",
    response_class=Response,
    responses={200: {"content": {DOCX: {}}}},
)
def bulletin(rt: RT, user: Downloader, period: PeriodQuery, compare: Compare = True) -> Response:
    from cityops.reports.evaluation_docx import write_bulletin

    ev = _evaluation(rt, _period(rt, period), compare)
    buf = io.BytesIO()
    write_bulletin(ev, buf)
    p = ev.period
    return download(
        buf.getvalue(),
        DOCX,
        f"{ev.city_name}{p.label_zh}综合评价通报.docx",
        f"evaluation-bulletin-{_ascii(p.label)}.docx",
    )


@router.get(
    "/ledgers.xlsx",
    summary="评价台账 The ledgers (.xlsx)",
    description="全市汇总, the rankings of every kind of object, 案件台账 (the cases reported in "
    "the period) and 超期待处置清单 (overdue at its end). A district sub-centre's case sheets "
    "hold its district's cases only.",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
def ledgers(rt: RT, user: Downloader, period: PeriodQuery, compare: Compare = True) -> Response:
    from cityops.reports.evaluation_xlsx import evaluation_workbook

    ev = _evaluation(rt, _period(rt, period), compare)
    where = CaseFilter(period=ev.period, district=user.district, limit=MAX_CASE_ROWS)
    overdue = CaseFilter(
        period=ev.period, district=user.district, overdue_at_end=True, limit=MAX_CASE_ROWS
    )
    book = evaluation_workbook(
        ev,
        case_rows=as_table(case_rows(rt.engine, where)),
        case_header=column_widths(),
        overdue_rows=as_table(case_rows(rt.engine, overdue)),
    )
    buf = io.BytesIO()
    book.save(buf)
    p = ev.period
    return download(
        buf.getvalue(),
        XLSX,
        f"{ev.city_name}{p.label_zh}综合评价台账.xlsx",
        f"evaluation-ledgers-{_ascii(p.label)}.xlsx",
    )


class ListFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


def _list_scope(
    user: User, district: str | None, unit: str | None
) -> tuple[str | None, str | None]:
    """The district and unit a user's case list is limited to."""
    if user.role == Role.HANDLER:
        mine = own_units(user)
        if unit is None:
            return district, user.unit
        if unit not in mine:
            raise ForbiddenError(
                "evaluation.object_forbidden",
                f"只能导出本单位的案件清单，“{unit}”不是本单位",
                kind=ObjectKind.DEPARTMENT.value,
                object_code=unit,
            )
        return district, unit
    if user.district:
        if district and district != user.district:
            raise ForbiddenError(
                "evaluation.object_forbidden",
                "区分中心人员只能导出本区的案件清单",
                kind=ObjectKind.DISTRICT.value,
                object_code=district,
            )
        return user.district, unit
    return district, unit


@router.get(
    "/cases",
    summary="案件清单 A case list (CSV or .xlsx)",
    description="Cases reported in `period` (or, with `overdue=true`, those overdue and "
    "unhandled at its end), narrowed by region, unit, class, channels, states and light. CSV is "
    "UTF-8 with a BOM (Excel opens the Chinese headers). `X-Row-Count` gives the rows; "
    "`X-Truncated: true` says `limit` cut the list. A handler gets its own units' cases; a "
    "district sub-centre its district's.",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, XLSX: {}}}},
)
def case_list(
    rt: RT,
    user: Lister,
    format: Annotated[ListFormat, Query()] = ListFormat.CSV,
    period: Annotated[str | None, Query(min_length=4, max_length=32)] = None,
    district: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    street: Annotated[str | None, Query(pattern=r"^\d{9}$")] = None,
    community: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None,
    grid: Annotated[str | None, Query(pattern=r"^\d{14,15}$")] = None,
    unit: Annotated[str | None, Query(max_length=64, pattern=r"^[\w.\-]+$")] = None,
    class_code: Annotated[str | None, Query(max_length=16, pattern=r"^[\w.\-]+$")] = None,
    channel: Annotated[list[str] | None, Query(max_length=16)] = None,
    state: Annotated[list[str] | None, Query(max_length=16)] = None,
    light: Annotated[Light | None, Query()] = None,
    overdue: Annotated[bool, Query(description="超期待处置 at the end of `period`")] = False,
    limit: Annotated[int, Query(ge=1, le=MAX_CASE_ROWS)] = 50_000,
) -> Response:
    district, unit = _list_scope(user, district, unit)
    p = _period(rt, period) if period else None
    rows = case_rows(
        rt.engine,
        CaseFilter(
            period=p,
            district=district,
            street=street,
            community=community,
            grid=grid,
            unit=unit,
            class_code=class_code,
            channels=channel or None,
            states=state or None,
            light=light.value if light else None,
            overdue_at_end=overdue,
            limit=limit,
        ),
    )
    label = p.label if p else "all"
    title = f"{'超期待处置清单' if overdue else '案件清单'}{('_' + p.label) if p else ''}"
    if format == ListFormat.CSV:
        text = io.StringIO()
        write_csv(rows, text)
        response = download(
            text.getvalue().encode("utf-8-sig"),
            "text/csv; charset=utf-8",
            f"{title}.csv",
            f"cases-{_ascii(label)}.csv",
        )
    else:
        from cityops.reports.evaluation_xlsx import case_workbook

        buf = io.BytesIO()
        case_workbook(
            as_table(rows), column_widths(), "超期待处置清单" if overdue else "案件清单"
        ).save(buf)
        response = download(buf.getvalue(), XLSX, f"{title}.xlsx", f"cases-{_ascii(label)}.xlsx")
    response.headers["X-Row-Count"] = str(len(rows))
    response.headers["X-Truncated"] = "true" if len(rows) >= limit else "false"
    return response
