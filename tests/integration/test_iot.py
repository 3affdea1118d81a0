"""IoT monitoring through the services, on both databases: devices registered all or nothing;
readings move devices through warning, alarm and back; a confirmed alarm reports one case on
the 物联感知 channel; silent devices go offline; the figures count it all."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from cityops.adapters.db.tables.cases import cases
from cityops.adapters.db.tables.iot import iot_alarms, iot_readings
from cityops.domain.cases.policy import CasePolicy
from cityops.domain.cases.vocabulary import Channel
from cityops.errors import ValidationError
from cityops.services.iot import devices as dev
from cityops.services.iot import figures
from cityops.services.iot.ingest import ReadingIn, ingest_readings, sweep_offline
from cityops.services.runtime import Runtime
from tests.fakes import AlwaysWorking, make_profile
from tests.integration.helpers import StepClock, make_rt

IOT = {
    "kinds": {
        "manhole": {
            "name": "智能井盖",
            "measure": "倾角",
            "unit": "°",
            "above": {"warn": 5, "alarm": 15},
            "confirm": 2,
            "offline_minutes": 60,
            "condition": "01001-01",
        },
        "street_light": {
            "name": "智慧路灯",
            "condition": "01001-01",
            "confirm": 1,
            "offline_minutes": 120,
            "report_offline": True,
        },
    }
}


@pytest.fixture
def iot_rt(engine: Engine, tmp_path: Path, clock: StepClock) -> Runtime:
    rt = make_rt(engine, tmp_path, clock)
    profile = replace(make_profile(), iot=IOT)
    rt.policy_override = CasePolicy(profile, AlwaysWorking())
    return rt


def _register(rt: Runtime) -> None:
    dev.register_devices(
        rt,
        [
            dev.DeviceIn("37010201003000001", "manhole", "解放路1号井盖", 117.0051, 36.6051),
            dev.DeviceIn("37010201037000001", "street_light", "解放路1号灯", 117.0052, 36.6052),
            dev.DeviceIn("37010201037000002", "street_light", "解放路2号灯", 117.0153, 36.6053),
        ],
    )


def test_devices_are_registered_all_or_nothing_with_every_problem(iot_rt: Runtime):
    with pytest.raises(ValidationError) as caught:
        dev.register_devices(
            iot_rt,
            [
                dev.DeviceIn("37010201003000001", "manhole", "井盖", 117.005, 36.605),
                dev.DeviceIn("37010201003000001", "manhole", "井盖", 117.005, 36.605),
                dev.DeviceIn("X", "rocket", "", 117.005, 36.605),
                dev.DeviceIn("37010201003000003", "manhole", "井盖", 120.0, 30.0),
                dev.DeviceIn(
                    "37010201003000004", "manhole", "井盖", 117.005, 36.605, "dept.nowhere"
                ),
                dev.DeviceIn("37010201003000005", "manhole", "井盖", float("nan"), 36.605),
            ],
        )
    codes = sorted(p["code"] for p in caught.value.details["problems"])
    assert codes == sorted(
        [
            "iot.device_code_repeated",
            "iot.device_code_invalid",
            "iot.kind_unknown",
            "iot.name_required",
            "iot.outside_city",
            "iot.position_invalid",
            "iot.unit_unknown",
        ]
    )
    assert dev.count_devices(iot_rt) == 0
    _register(iot_rt)
    d = dev.get_device(iot_rt, "37010201003000001")
    assert d.grid_code == "370102001001005" and d.level == "normal" and d.last_seen_at is None
    with pytest.raises(ValidationError) as again:
        _register(iot_rt)
    assert {p["code"] for p in again.value.details["problems"]} == {"iot.device_code_taken"}


def test_an_alarm_confirmed_by_readings_reports_one_case_and_clears(
    iot_rt: Runtime, clock: StepClock, engine: Engine
):
    _register(iot_rt)
    t = iot_rt.now()

    def send(minutes: int, value: float) -> None:
        clock.t = t + timedelta(minutes=minutes)
        r = ingest_readings(
            iot_rt, [ReadingIn("37010201003000001", t + timedelta(minutes=minutes), value)]
        )
        assert r.accepted == 1 and r.rejected == []

    send(0, 2)
    send(5, 8)  # 预警
    assert dev.get_device(iot_rt, "37010201003000001").level == "warning"
    send(10, 18)  # 报警, first reading
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(cases)).scalar_one() == 0
    send(15, 22)  # second alarm reading: confirmed, a case
    send(20, 30)  # still in alarm: no second case
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                cases.c.id,
                cases.c.channel,
                cases.c.class_code,
                cases.c.description,
                cases.c.source_ref,
            )
        ).all()
        alarm = conn.execute(select(iot_alarms)).one()
    assert len(rows) == 1
    case = rows[0]
    assert case.channel == Channel.SENSOR.value and case.class_code == "01001"
    assert "智能井盖“解放路1号井盖”（37010201003000001）报警：倾角22°" in case.description
    assert case.source_ref == "iot:37010201003000001"
    assert alarm.case_id == case.id and alarm.level == "alarm" and alarm.peak_value == 30
    assert alarm.ended_at is None
    send(25, 1)  # back to normal: the alarm ends, the case stays for people to finish
    d = dev.get_device(iot_rt, "37010201003000001")
    assert d.level == "normal" and d.alarm_id is None and d.last_value == 1
    with engine.connect() as conn:
        assert conn.execute(select(iot_alarms.c.ended_at)).scalar_one() is not None
        assert conn.execute(select(func.count()).select_from(iot_readings)).scalar_one() == 6


def test_bad_readings_are_refused_one_by_one_and_late_ones_move_nothing(iot_rt: Runtime):
    _register(iot_rt)
    t = iot_rt.now()
    good = ReadingIn("37010201003000001", t, 3)
    result = ingest_readings(
        iot_rt,
        [
            good,
            ReadingIn("unknown-device", t, 3),
            ReadingIn("37010201003000001", t.replace(tzinfo=None), 3),
            ReadingIn("37010201003000001", t + timedelta(hours=2), 3),
            ReadingIn("37010201003000001", t, float("inf")),
            ReadingIn("37010201003000001", t, 3, status="exploded"),
        ],
    )
    assert result.accepted == 1
    assert [r["code"] for r in result.rejected] == [
        "iot.device_unknown",
        "iot.time_naive",
        "iot.time_future",
        "iot.value_invalid",
        "iot.status_invalid",
    ]
    late = ingest_readings(iot_rt, [ReadingIn("37010201003000001", t - timedelta(minutes=5), 40)])
    assert late.accepted == 1 and late.late == 1
    assert dev.get_device(iot_rt, "37010201003000001").level == "normal"


def test_a_silent_device_goes_offline_and_a_lifeline_kind_reports_it(
    iot_rt: Runtime, clock: StepClock, engine: Engine
):
    _register(iot_rt)
    t = iot_rt.now()
    ingest_readings(
        iot_rt,
        [
            ReadingIn("37010201037000001", t, None),
            ReadingIn("37010201037000002", t, None, status="fault"),  # 灯不亮: a case at once
            ReadingIn("37010201003000001", t, 1),
        ],
    )
    lights = {f.kind: f for f in figures.iot_figures(iot_rt)}
    assert lights["street_light"].lighting_rate == 50.0 and lights["street_light"].alarm == 1
    clock.tick(90)  # the manhole sensor's 60 minutes have passed, the lights' 120 have not
    assert sweep_offline(iot_rt) == 1
    assert dev.get_device(iot_rt, "37010201003000001").level == "offline"
    clock.tick(60)
    # both lights: the faulty one keeps its alarm and its case; the working one reports
    assert sweep_offline(iot_rt) == 2
    with engine.connect() as conn:
        reported = conn.execute(select(cases.c.description).order_by(cases.c.id)).scalars().all()
    assert len(reported) == 2
    assert "设备报告故障" in reported[0] and "设备离线" in reported[1]
    f = {x.kind: x for x in figures.iot_figures(iot_rt)}
    assert (f["manhole"].offline, f["manhole"].online_rate) == (1, 0.0)
    assert f["street_light"].offline == 2 and f["street_light"].lighting_rate == 0.0
    alarms = figures.open_alarms(iot_rt)
    assert [a["level"] for a in alarms] == ["alarm", "offline", "offline"]
    back = ingest_readings(iot_rt, [ReadingIn("37010201003000001", iot_rt.now(), 2)])
    assert back.alarms_cleared == 1
    assert dev.get_device(iot_rt, "37010201003000001").level == "normal"


def test_an_mqtt_drain_larger_than_a_batch_is_ingested_in_batches(
    iot_rt: Runtime, monkeypatch: pytest.MonkeyPatch
):
    """A message holding a list of readings can carry a drain past the batch limit: nothing
    taken off the inbox may be lost to the limit."""
    import json

    from cityops.services.iot import ingest
    from cityops.services.iot.mqtt import MqttFeed

    _register(iot_rt)
    monkeypatch.setattr(ingest, "MAX_BATCH", 2)
    t = iot_rt.now()
    feed = MqttFeed(iot_rt, "mqtt://127.0.0.1:1883", "cityops/iot/+/readings")
    body = [{"at": (t - timedelta(minutes=m)).isoformat(), "value": 1} for m in (3, 2, 1)]
    feed.inbox.put(("cityops/iot/37010201003000001/readings", json.dumps(body).encode()))
    result = feed.drain(batch=2)
    assert result is not None and result.accepted == 3 and result.rejected == []
    assert feed.inbox.empty()


def test_readings_still_queued_at_shutdown_are_ingested_not_lost(iot_rt: Runtime) -> None:
    """The broker counts a message delivered once the feed holds it: stopping the server
    must take in what the feed still holds."""
    import json

    from cityops.services.iot.mqtt import MqttFeed

    _register(iot_rt)
    t = iot_rt.now()
    feed = MqttFeed(iot_rt, "mqtt://127.0.0.1:1883", "cityops/iot/+/readings")
    for m in (2, 1):
        body = {"at": (t - timedelta(minutes=m)).isoformat(), "value": 1}
        feed.inbox.put(("cityops/iot/37010201003000001/readings", json.dumps(body).encode()))
    assert feed.stop() == 2
    assert feed.inbox.empty() and feed.stop() == 0
