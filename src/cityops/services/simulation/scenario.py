"""The shape of a simulated city's work: volumes by channel, hour and weekday, and how often
each path of the loop is taken. Plain numbers, tuned to the practice the brief describes
(most problems found by inspectors on patrol, public reports peaking in the evening, a few
percent returned, extended, reworked or cancelled, some overdue)."""

from __future__ import annotations

from dataclasses import dataclass, field

from cityops.domain.cases.vocabulary import Channel

# Relative volume by hour of day (local time), per channel.
_PATROL = [0, 0, 0, 0, 0, 0, 1, 4, 9, 10, 10, 8, 4, 5, 9, 10, 9, 7, 3, 1, 0, 0, 0, 0]
_PUBLIC = [1, 0.5, 0.3, 0.2, 0.2, 0.5, 1, 3, 5, 6, 6, 5, 5, 4, 4, 4, 4, 5, 6, 7, 7, 6, 4, 2]
_HOTLINE = [0.5, 0.3, 0.2, 0.2, 0.2, 0.3, 1, 3, 7, 9, 9, 8, 5, 6, 8, 8, 7, 6, 4, 4, 3, 2, 1, 1]
_MACHINE = [3, 3, 3, 3, 3, 3, 4, 5, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 5, 5, 4, 4, 3]
_OFFICE = [0, 0, 0, 0, 0, 0, 0, 1, 5, 6, 6, 4, 1, 2, 5, 6, 5, 3, 1, 0, 0, 0, 0, 0]

HOURLY: dict[Channel, list[float]] = {
    Channel.INSPECTOR: [float(x) for x in _PATROL],
    Channel.PUBLIC: _PUBLIC,
    Channel.HOTLINE: _HOTLINE,
    Channel.VIDEO_AI: [float(x) for x in _MACHINE],
    Channel.SENSOR: [float(x) for x in _MACHINE],
    Channel.LEADER: [float(x) for x in _OFFICE],
    Channel.MEDIA: [float(x) for x in _OFFICE],
}

# Relative volume by weekday (Monday = 0); inspectors patrol less at weekends.
WEEKDAY: dict[Channel, list[float]] = {
    Channel.INSPECTOR: [1.0, 1.0, 1.0, 1.0, 1.0, 0.55, 0.5],
    Channel.PUBLIC: [0.9, 0.9, 0.9, 0.9, 1.0, 1.25, 1.3],
    Channel.HOTLINE: [1.1, 1.0, 1.0, 1.0, 1.0, 0.8, 0.8],
    Channel.VIDEO_AI: [1.0] * 7,
    Channel.SENSOR: [1.0] * 7,
    Channel.LEADER: [1.0, 1.0, 1.0, 1.0, 1.0, 0.1, 0.1],
    Channel.MEDIA: [1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.5],
}


@dataclass(frozen=True)
class Scenario:
    per_day: float = 1500.0  # mean reports on an ordinary weekday
    channel_share: dict[Channel, float] = field(
        default_factory=lambda: {
            Channel.INSPECTOR: 0.62,
            Channel.PUBLIC: 0.13,
            Channel.HOTLINE: 0.14,
            Channel.VIDEO_AI: 0.07,
            Channel.SENSOR: 0.02,
            Channel.LEADER: 0.01,
            Channel.MEDIA: 0.01,
        }
    )
    # A public or hotline report that turns out not to exist on site.
    p_not_found: float = 0.12
    # A report the acceptor refuses although it exists (out of scope, no filing condition).
    p_out_of_scope: float = 0.03
    # A report with an open case of the same class nearby that is merged as a duplicate.
    p_merge_duplicate: float = 0.85
    # Public reports that name a class themselves (else the acceptor chooses it).
    p_public_names_class: float = 0.6
    p_wrong_dispatch: float = 0.05  # leads to a return (回退)
    p_extension: float = 0.04
    p_extension_approved: float = 0.8
    p_suspension: float = 0.01
    p_cancel: float = 0.01
    p_rework: float = 0.07  # first check fails; halves on each further check
    p_overdue_handling: float = 0.08
    p_late_desk: float = 0.04  # acceptor/dispatcher slower than the stage limit
    p_late_field: float = 0.06  # inspector verifies/checks late
    sweep_every_minutes: int = 60
