"""The caller's full contact, for the hotline staff who must call back.

How the full number is protected:

- It is stored once, in ``hotline_contacts``, apart from the order (whose row, events, exports,
  API answers and outbox messages carry only the masked form, e.g. ``138****5678``).
- ``reveal_contact`` is the only reader. It answers hotline desk roles only (受理员, 值班长),
  requires a purpose (回访, 补充信息 …) and records who read which order's contact and why in
  ``hotline_contact_reveals`` — in the same transaction, so there is no read without a record.
- The number is never written to a log line or an error message; ``Contact.__repr__`` masks it.
- Repeat callers are recognised by ``caller_key`` (a keyed hash), never by the number.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, select

from cityops.adapters.db.tables.hotline import hotline_contact_reveals, hotline_contacts
from cityops.domain.access import User
from cityops.domain.cases.vocabulary import Role
from cityops.domain.privacy import mask_name, mask_phone
from cityops.errors import ForbiddenError, NotFoundError, ValidationError
from cityops.services.hotline.store import OrderStore
from cityops.services.runtime import Runtime

REVEAL_ROLES = frozenset({Role.ACCEPTOR, Role.SHIFT_LEADER})


@dataclass(frozen=True)
class Contact:
    order_id: int
    name: str | None
    phone: str | None

    def __repr__(self) -> str:  # never print the full number
        name, phone = mask_name(self.name), mask_phone(self.phone)
        return f"Contact(order_id={self.order_id}, name={name!r}, phone={phone!r})"

    __str__ = __repr__


def reveal_contact(rt: Runtime, user: User, order_id: int, purpose: str) -> Contact:
    if user.role not in REVEAL_ROLES:
        raise ForbiddenError(
            "hotline.contact_forbidden",
            "只有热线受理员和值班长可以查看来电人完整联系方式",
            role=user.role.value,
        )
    reason = (purpose or "").strip()
    if not reason:
        raise ValidationError("hotline.purpose_required", "查看完整联系方式须说明用途（如：回访）")
    with rt.uow() as uow:
        OrderStore(uow.conn).get(order_id)
        row = uow.conn.execute(
            select(hotline_contacts.c.caller_name, hotline_contacts.c.caller_phone).where(
                hotline_contacts.c.order_id == order_id
            )
        ).first()
        if row is None:
            raise NotFoundError("hotline.no_contact", "该工单没有来电人联系方式", order_id=order_id)
        uow.conn.execute(
            insert(hotline_contact_reveals).values(
                order_id=order_id,
                user_id=user.id,
                role=user.role.value,
                purpose=reason[:200],
                at=rt.now(),
            )
        )
        uow.commit()
    return Contact(order_id, row.caller_name, row.caller_phone)


def reveals(rt: Runtime, order_id: int) -> list[dict[str, object]]:
    """Who revealed the order's contact, when and why (for supervisors)."""
    r = hotline_contact_reveals
    with rt.uow(readonly=True) as uow:
        rows = uow.conn.execute(
            select(r.c.user_id, r.c.role, r.c.purpose, r.c.at)
            .where(r.c.order_id == order_id)
            .order_by(r.c.at)
        ).mappings()
        return [dict(x) for x in rows]
