"""The demo city's staff: one inspector per community, desk staff for the supervision and
command centres, a handler for every unit, leaders and evaluators. Ids are stable, so the
accounts created for the demo city and the simulated history name the same people."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from cityops.domain.cases.model import Actor
from cityops.domain.cases.vocabulary import Role
from cityops.domain.catalog.model import CityProfile
from cityops.domain.geo.model import Location


def inspector_id(community_code: str) -> str:
    return f"inspector.{community_code}"


def handler_id(unit_code: str) -> str:
    return f"handler.{unit_code}"


@dataclass
class Staff:
    acceptors: list[Actor] = field(default_factory=list)
    shift_leaders: list[Actor] = field(default_factory=list)
    dispatchers: list[Actor] = field(default_factory=list)
    leaders: list[Actor] = field(default_factory=list)
    evaluators: list[Actor] = field(default_factory=list)
    inspectors: dict[str, Actor] = field(default_factory=dict)  # by community code
    handlers: dict[str, Actor] = field(default_factory=dict)  # by unit code
    system: Actor = field(
        default_factory=lambda: Actor("system.video-ai", Role.SYSTEM, None, "视频智能识别")
    )

    def inspector_for(self, loc: Location) -> str | None:
        actor = self.inspectors.get(loc.community_code or "")
        return actor.id if actor else None

    def inspector_actor(self, community_code: str | None) -> Actor:
        actor = self.inspectors.get(community_code or "")
        if actor is None:
            return next(iter(self.inspectors.values()))
        return actor

    def everyone(self) -> list[Actor]:
        return [
            *self.acceptors,
            *self.shift_leaders,
            *self.dispatchers,
            *self.leaders,
            *self.evaluators,
            *self.inspectors.values(),
            *self.handlers.values(),
        ]


def demo_staff(profile: CityProfile, communities: Iterable[tuple[str, str]]) -> Staff:
    """``communities``: (code, name) of every community with grids."""
    center = "center" if "center" in profile.units else None
    staff = Staff(
        acceptors=[
            Actor(f"acceptor.{i}", Role.ACCEPTOR, center, f"受理员{i}") for i in range(1, 7)
        ],
        shift_leaders=[
            Actor(f"shift_leader.{i}", Role.SHIFT_LEADER, center, f"值班长{i}") for i in range(1, 4)
        ],
        dispatchers=[
            Actor(f"dispatcher.{i}", Role.DISPATCHER, center, f"派遣员{i}") for i in range(1, 5)
        ],
        leaders=[Actor("leader.1", Role.LEADER, center, "局领导")],
        evaluators=[Actor("evaluator.1", Role.EVALUATOR, center, "考评员")],
    )
    for code, name in communities:
        staff.inspectors[code] = Actor(inspector_id(code), Role.INSPECTOR, None, f"{name}监督员")
    for unit in profile.units.values():
        if unit.code == center:
            continue
        staff.handlers[unit.code] = Actor(
            handler_id(unit.code), Role.HANDLER, unit.code, f"{unit.name}处置员"
        )
    return staff
