"""Serving the built web console (``web/`` built by Vite into ``src/cityops/web/dist``).

Three entries share one build: the desk console at ``/``, the inspectors' mobile app at
``/m/`` (a PWA: manifest and service worker under ``/m/``) and public reporting at
``/public/``. Hashed assets are cached for a year; pages, the manifest and the service
worker are revalidated on every load so a new build reaches every browser.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

DIST = Path(__file__).resolve().parent.parent / "web" / "dist"

PLACEHOLDER = """<!doctype html><html lang="zh-CN"><meta charset="utf-8">
<title>cityops 城市运行管理服务平台</title>
<body style="font-family:sans-serif;max-width:40em;margin:4em auto">
<h1>城市运行管理服务平台</h1>
<p>The web console is not built. Run <code>make run</code> (it builds it), or use the API:
<a href="/docs">/docs</a>.</p></body></html>"""

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


class ConsoleFiles(StaticFiles):
    """Static files with cache headers by kind: fingerprinted assets never change."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            if path.startswith("assets/"):
                response.headers["Cache-Control"] = IMMUTABLE
            else:
                response.headers["Cache-Control"] = REVALIDATE
            if path.endswith("sw.js"):
                response.headers["Service-Worker-Allowed"] = "/m/"
        return response


def mount_web(app: FastAPI, web_dir: Path | None = None) -> None:
    dist = web_dir or DIST
    index = dist / "index.html"
    if not index.exists():

        @app.get("/", include_in_schema=False, response_class=HTMLResponse)
        def placeholder() -> str:
            return PLACEHOLDER

        return
    app.mount("/", ConsoleFiles(directory=dist, html=True), name="web")
