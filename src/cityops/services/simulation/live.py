"""The demo city kept alive while the server runs (``cityops serve --live-demo``).

Reports keep arriving by channel, hour and weekday and cases keep moving through the loop, in
real time, by the same simulated people and through the same services as ``cityops
simulate``: queues fill and empty, warning lights change, the cockpit's live stream moves;
the demo sensors send their readings every few minutes.
For demonstrations and training only; a real city never runs it. Cases left open by an
earlier run are taken over, and anything a person does to a case first simply wins (the
simulated step is refused and dropped)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cityops.services.iot.demo_sensors import feed_demo_readings
from cityops.services.runtime import Runtime, bootstrap
from cityops.services.simulation.engine import Simulator
from cityops.services.simulation.scenario import Scenario
from cityops.services.simulation.world import load_world

log = logging.getLogger("cityops.demo")

FOREVER = datetime(9999, 1, 1, tzinfo=UTC)
SENSORS_EVERY = timedelta(minutes=5)


@dataclass
class LiveCity:
    """One per server process. ``tick()`` (every few seconds, off the event loop) carries out
    whatever the simulated city has due by now."""

    rt: Runtime
    per_day: float = 400.0
    seed: int = 20261207
    sim: Simulator | None = None
    adopted: int = 0
    sensors_at: datetime | None = None  # when the demo sensors last sent their readings
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def tick(self) -> int:
        """Run the steps due by now; returns how many were carried out."""
        with self._lock:
            now = self.rt.now()
            if self.sim is None:
                self.sim = self._start(now)
            done = self.sim.advance(now)
            if self.sensors_at is None or now - self.sensors_at >= SENSORS_EVERY:
                self.sensors_at = now
                done += feed_demo_readings(self.rt, now).accepted
            return done

    def _start(self, now: datetime) -> Simulator:
        # The simulator moves its runtime's clock: it gets a runtime of its own on the same
        # database, so the requests served meanwhile keep the real clock.
        own = bootstrap(self.rt.settings, engine=self.rt.engine, now=self.rt.now)
        world = load_world(own)
        own.inspector_for = world.staff.inspector_for
        sim = Simulator(
            own, world, Scenario(per_day=self.per_day), start=now, end=FOREVER, seed=self.seed
        )
        self.adopted = sim.adopt_open_cases()
        log.info("live demo city: %d open cases taken over", self.adopted)
        return sim
