"""Browser tests: the built console in Debian's Chromium, driven by Playwright.

Each test starts its own server (``cityops serve``) on a free loopback port with a fresh
database under ``tmp_path`` (a copy of one ``cityops init`` made once per session, so a test
starts in seconds). Screenshots are kept under ``test-artifacts/browser/<test>/``.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "src" / "cityops" / "web" / "dist"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "cityops-demo"
DESK = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def _cityops() -> str:
    exe = Path(sys.executable).with_name("cityops")
    return str(exe) if exe.exists() else "cityops"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def png(width: int = 64, height: int = 48, rgb: tuple[int, int, int] = (200, 80, 40)) -> bytes:
    """A small solid-colour PNG, as a phone camera would hand over (the app shrinks it)."""
    row = b"\x00" + bytes(rgb) * width
    raw = row * height

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def photo_file(
    name: str = "photo.png", rgb: tuple[int, int, int] = (200, 80, 40)
) -> dict[str, Any]:
    return {"name": name, "mimeType": "image/png", "buffer": png(rgb=rgb)}


@pytest.fixture(scope="session")
def template_var(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (DIST / "index.html").exists():
        pytest.fail(
            f"The web console is not built ({DIST} has no index.html). Run `make web`.",
            pytrace=False,
        )
    var = tmp_path_factory.mktemp("template-var")
    env = {**os.environ, "CITYOPS_VAR_DIR": str(var), "CITYOPS_DATABASE_URL": ""}
    subprocess.run([_cityops(), "init"], env=env, check=True, capture_output=True, timeout=300)
    return var


@dataclass
class Server:
    url: str
    var: Path
    process: subprocess.Popen[bytes]
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, login: str) -> str:
        if login not in self.tokens:
            r = httpx.post(
                f"{self.url}/api/v1/auth/token",
                data={"username": login, "password": PASSWORD},
                timeout=60,
            )
            r.raise_for_status()
            self.tokens[login] = r.json()["access_token"]
        return self.tokens[login]

    def api(self, login: str, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token(login)}"}
        r = httpx.request(
            method, f"{self.url}/api/v1/{path}", headers=headers, timeout=60, **kwargs
        )
        r.raise_for_status()
        return r.json() if r.content else None

    def grid_point(self) -> tuple[float, float]:
        """A point inside a unit grid of the demo city (lat, lon), WGS84."""
        con = sqlite3.connect(self.var / "cityops.sqlite")
        try:
            lon, lat = con.execute(
                "select centroid_lon, centroid_lat from grids order by code limit 1"
            ).fetchone()
        finally:
            con.close()
        return float(lat), float(lon)


@pytest.fixture
def server(template_var: Path, tmp_path: Path) -> Iterator[Server]:
    var = tmp_path / "var"
    shutil.copytree(template_var, var)
    port = _free_port()
    env = {**os.environ, "CITYOPS_VAR_DIR": str(var), "CITYOPS_DATABASE_URL": ""}
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [_cityops(), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            log.close()
            pytest.fail(
                "the server did not start:\n" + (tmp_path / "server.log").read_text()[-3000:]
            )
        time.sleep(0.2)
    try:
        yield Server(url, var, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Callable[[Any, str], Path]:
    """``shots(page, "name")`` keeps a numbered screenshot of the page for this test."""
    folder = ARTIFACTS / request.node.name.replace("/", "_").replace("[", "-").rstrip("]")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    counter = {"n": 0}

    def take(page: Any, name: str) -> Path:
        counter["n"] += 1
        path = folder / f"{counter['n']:02d}-{name}.png"
        page.screenshot(path=str(path))
        return path

    return take


@pytest.fixture
def contexts(browser: Any, server: Server) -> Iterator[Callable[..., Any]]:
    """``contexts(kind)``: a fresh browser context (own storage) — desk or phone-sized."""
    made: list[Any] = []

    def make(kind: str = "desk", **extra: Any) -> Any:
        options: dict[str, Any] = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
        if kind == "phone":
            lat, lon = server.grid_point()
            options.update(
                viewport=PHONE,
                device_scale_factor=2,
                is_mobile=True,
                has_touch=True,
                geolocation={"latitude": lat, "longitude": lon, "accuracy": 12},
                permissions=["geolocation"],
            )
        else:
            options["viewport"] = DESK
        options.update(extra)
        ctx = browser.new_context(**options)
        ctx.set_default_timeout(30_000)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()


def desk_login(page: Any, server: Server, login: str) -> None:
    page.goto(f"{server.url}/#/login")
    page.fill("#login-user", login)
    page.fill("#login-pass", PASSWORD)
    page.click("[data-test=login-submit]")
    page.wait_for_selector("[data-test=current-user]")


def mobile_login(page: Any, server: Server, login: str) -> None:
    page.goto(f"{server.url}/m/#/login")
    page.fill("#m-user", login)
    page.fill("#m-pass", PASSWORD)
    page.click("[data-test=m-login-submit]")
    page.wait_for_selector("[data-test=tab-tasks]")
