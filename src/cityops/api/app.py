"""The application factory. Nothing is built at import time: ``create_app()`` wires the
runtime (database, city rules, files) and the routes; uvicorn calls it (``--factory``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import ModuleType

from anyio import to_thread
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from cityops import __version__
from cityops.api.errors import error_body, install_error_handlers
from cityops.config import Settings
from cityops.services.runtime import Runtime, bootstrap

log = logging.getLogger("cityops.api")

API = "/api/v1"
MAX_REQUEST_BYTES = 100 * 1024 * 1024

DESCRIPTION = """
城市运行管理服务平台 — the REST API of the digital city-management closed loop:
report → verify → file → dispatch → handle → check → close, with returns, extensions,
suspensions, rework and cancellation, all against time limits in working time.

Log in with `POST /api/v1/auth/token` (OAuth2 password flow) and send
`Authorization: Bearer <token>`. Every error answers `{code, message, details}` with a stable
`code`; see `docs/errors.md`.
"""


async def _every(seconds: float, job: Callable[[], object], stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await asyncio.to_thread(job)
        except Exception:
            log.exception("background job failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)


Job = tuple[float, Callable[[], object]]


def _background_jobs(rt: Runtime) -> tuple[list[Job], list[Callable[[], object]]]:
    """Periodic work off the event loop: a city profile activated by another process taken
    up every ten seconds, the overdue sweep every minute, the outbox relayed every ten
    seconds (case messages to an MQTT broker with ``CITYOPS_EVENTS_MQTT_URL``), the event log
    pushed to the exchange targets (other platforms) every ten seconds,
    hotline replies that follow their cases' outcomes, (hourly) retraining the order
    classifier when enough corrections have arrived, and, for a demonstration, the demo city
    kept going (``CITYOPS_LIVE_DEMO_PER_DAY``); IoT devices gone silent marked offline every
    minute, and readings taken from MQTT every two seconds (``CITYOPS_MQTT_URL``). Each job
    has its own task, so a long retraining never delays the sweep. Returns the jobs and what
    to run once they have stopped (the MQTT clients disconnect; the feed first ingests what
    it holds)."""
    from cityops.services.exchange import push_all
    from cityops.services.hotline.case_link import sync_case_outcomes
    from cityops.services.hotline.classification import retrain_if_due
    from cityops.services.outbox import OutboxRelay
    from cityops.services.sweep import sweep_overdue

    relay = OutboxRelay(rt)
    at_stop: list[Callable[[], object]] = []
    if rt.settings.events_mqtt_url:
        from cityops.adapters.mqtt_publisher import MqttPublisher

        publisher = MqttPublisher(rt.settings.events_mqtt_url, rt.settings.events_mqtt_prefix)
        publisher.start()
        relay.subscribe("case.", publisher)
        at_stop.append(publisher.stop)
    jobs: list[Job] = [
        (10, rt.recheck_policy),
        (60, lambda: sweep_overdue(rt)),
        (10, relay.relay_all),
        (10, lambda: push_all(rt, rounds=25)),  # up to 5,000 events a target per round
        (60, lambda: sync_case_outcomes(rt)),
        (3600, lambda: retrain_if_due(rt, "system.classifier")),
    ]
    from cityops.services.iot.ingest import sweep_offline

    jobs.append((60, lambda: sweep_offline(rt)))
    if rt.settings.mqtt_url:
        from cityops.services.iot.mqtt import MqttFeed

        feed = MqttFeed(rt, rt.settings.mqtt_url, rt.settings.mqtt_topic)
        feed.start()
        jobs.append((2, feed.drain))
        at_stop.append(feed.stop)
    if rt.settings.live_demo_per_day > 0:
        from cityops.services.simulation.live import LiveCity

        jobs.append((15, LiveCity(rt, per_day=rt.settings.live_demo_per_day).tick))
    return jobs, at_stop


def create_app(
    runtime: Runtime | None = None,
    settings: Settings | None = None,
    *,
    background: bool = False,
    web_dir: Path | None = None,
) -> FastAPI:
    rt = runtime or bootstrap(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # As many requests do database work at once as there are pooled connections: more
        # threads would only open and close connections beyond the pool.
        to_thread.current_default_thread_limiter().total_tokens = rt.settings.db_pool_size
        stop = asyncio.Event()
        jobs, at_stop = _background_jobs(rt) if background else ([], [])
        tasks = [asyncio.create_task(_every(s, job, stop)) for s, job in jobs]
        try:
            yield
        finally:
            stop.set()
            for task in tasks:
                await task
            for final in at_stop:
                try:
                    await asyncio.to_thread(final)
                except Exception:
                    log.exception("shutdown step failed")

    app = FastAPI(
        title="cityops 城市运行管理服务平台 API",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url="/redoc",
        lifespan=lifespan,
    )
    app.state.rt = rt
    install_error_handlers(app)

    app.add_middleware(BodyLimit, max_bytes=MAX_REQUEST_BYTES)

    for module in route_modules():
        prefix = getattr(module, "MOUNT", API)
        for name in ("router", "queue_router"):
            router = getattr(module, name, None)
            if router is not None:
                app.include_router(router, prefix=prefix)
    _mount_web(app, web_dir)
    return app


class BodyLimit:
    """Refuses a request whose declared body is over ``max_bytes`` (413, our error shape)
    before any of it is read. A plain ASGI middleware: it adds nothing to other requests."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                if name == b"content-length":
                    if value.isdigit() and int(value) > self.max_bytes:
                        body = error_body(
                            "request.too_large",
                            f"请求内容超过{self.max_bytes // 1024 // 1024}MB上限",
                        )
                        await JSONResponse(body, status_code=413)(scope, receive, send)
                        return
                    break
        await self.app(scope, receive, send)


def route_modules() -> list[ModuleType]:
    """Every module of ``cityops.api.routes`` that defines ``router``: an area adds its
    endpoints by adding a module there (``MOUNT`` overrides the ``/api/v1`` prefix)."""
    import importlib
    import pkgutil

    from cityops.api import routes

    found = []
    for info in sorted(pkgutil.iter_modules(routes.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"cityops.api.routes.{info.name}")
        if hasattr(module, "router"):
            found.append(module)
    return found


def _mount_web(app: FastAPI, web_dir: Path | None) -> None:
    from cityops.api.web import mount_web

    mount_web(app, web_dir)
