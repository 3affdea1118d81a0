"""Serving the built web console (``web/`` built by Vite into ``src/cityops/web/dist``)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

DIST = Path(__file__).resolve().parent.parent / "web" / "dist"

PLACEHOLDER = """<!doctype html><html lang="zh-CN"><meta charset="utf-8">
<title>cityops 城市运行管理服务平台</title>
<body style="font-family:sans-serif;max-width:40em;margin:4em auto">
<h1>城市运行管理服务平台</h1>
<p>The web console is not built. Run <code>make run</code> (it builds it), or use the API:
<a href="/docs">/docs</a>.</p></body></html>"""


def mount_web(app: FastAPI, web_dir: Path | None = None) -> None:
    dist = web_dir or DIST
    index = dist / "index.html"
    if not index.exists():

        @app.get("/", include_in_schema=False, response_class=HTMLResponse)
        def placeholder() -> str:
            return PLACEHOLDER

        return
    from fastapi.staticfiles import StaticFiles

    app.mount("/", StaticFiles(directory=dist, html=True), name="web")
