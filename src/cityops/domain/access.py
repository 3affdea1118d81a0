"""Who may see which cases (unit-scoped access) and which fields of them.

A pure description of the scope; the case queries turn it into SQL and every single-case
read checks it again with ``can_see``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cityops.domain.cases.model import Case
from cityops.domain.cases.vocabulary import Role

CENTRE_ROLES = frozenset(
    {Role.ACCEPTOR, Role.SHIFT_LEADER, Role.DISPATCHER, Role.LEADER, Role.EVALUATOR, Role.ADMIN}
)
# Roles that talk to reporters and may see the (already masked) name and phone.
CONTACT_ROLES = frozenset({Role.ACCEPTOR, Role.SHIFT_LEADER, Role.LEADER})


@dataclass(frozen=True)
class User:
    id: str
    name: str
    role: Role
    unit: str | None = None
    # Codes of the units this user's unit contains (itself included), for hierarchical scope.
    units_below: frozenset[str] = frozenset()
    # A district code when a centre role works for one district's sub-centre; None = the city.
    district: str | None = None
    grids: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class CaseScope:
    """Every case (``all_cases``), or those matching any of the listed conditions."""

    all_cases: bool = False
    district: str | None = None
    units: frozenset[str] = frozenset()
    grids: frozenset[str] = frozenset()
    people: frozenset[str] = frozenset()  # reported_by / verifier / checker

    @property
    def empty(self) -> bool:
        return not (self.all_cases or self.district or self.units or self.grids or self.people)


def scope_of(user: User) -> CaseScope:
    if user.role in CENTRE_ROLES:
        if user.district:
            return CaseScope(district=user.district)
        return CaseScope(all_cases=True)
    if user.role == Role.HANDLER:
        return CaseScope(units=user.units_below or frozenset({user.unit or ""}))
    if user.role == Role.INSPECTOR:
        return CaseScope(grids=user.grids, people=frozenset({user.id}))
    # public and system: their own reports only
    return CaseScope(people=frozenset({user.id}))


def can_see(user: User, case: Case) -> bool:
    s = scope_of(user)
    if s.all_cases:
        return True
    if s.district and case.district_code == s.district:
        return True
    if case.assigned_unit and case.assigned_unit in s.units:
        return True
    if case.grid_code and case.grid_code in s.grids:
        return True
    if user.role in (Role.PUBLIC, Role.SYSTEM):
        return case.reported_by == user.id
    return user.id in {case.reported_by, case.verifier, case.checker}


def sees_contact(user: User) -> bool:
    return user.role in CONTACT_ROLES


def is_public_view(user: User) -> bool:
    return user.role in (Role.PUBLIC, Role.SYSTEM)
