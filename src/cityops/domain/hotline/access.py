"""Who may see which hotline orders, and which of their fields.

The centre's roles see every order (a district sub-centre its district's); a unit sees the
orders it holds or has held. Inspectors, citizens and machines see none: a caller follows an
order through the hotline, not through the platform.
"""

from __future__ import annotations

from cityops.domain.access import CENTRE_ROLES, User
from cityops.domain.cases.vocabulary import Role
from cityops.domain.hotline.model import Order

# Roles shown the caller's masked name and phone (the full number: see services/hotline/contacts).
CALLER_ROLES = frozenset({Role.ACCEPTOR, Role.SHIFT_LEADER, Role.LEADER, Role.HANDLER})


def user_units(user: User) -> frozenset[str]:
    if user.role != Role.HANDLER:
        return frozenset()
    return user.units_below or frozenset({user.unit or ""})


def can_see_order(user: User, order: Order) -> bool:
    if user.role in CENTRE_ROLES:
        return user.district is None or order.placement.district_code == user.district
    if user.role == Role.HANDLER:
        units = user_units(user)
        return bool(units & ({order.unit} | set(order.units_seen) | {order.replied_by_unit}))
    return False


def sees_caller(user: User) -> bool:
    return user.role in CALLER_ROLES
