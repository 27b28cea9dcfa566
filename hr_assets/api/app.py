"""The API application: its routers, its docs page served from the installed swagger-ui-bundle (no CDN), and
answers that never carry a stack trace."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from swagger_ui_bundle import swagger_ui_path

from hr_assets.api import employees, payroll, sync
from hr_assets.api.auth import Caller, caller_of
from hr_assets.defs.shared.partitions import weekly_sync_partitions
from hr_assets.lib.clock import Clock
from hr_assets.settings import Settings

DOCS_ASSETS = "/api/docs/assets"


@dataclass(frozen=True)
class DagsterLink:
    """The Dagster web server runs are submitted to, and the address people open for a run's page."""

    public_url: str


def _docs_caller(request: Request) -> Caller:
    """The docs page and schema take the token as a basic-auth password too, which a browser asks for once."""
    return caller_of(request, basic=True)


def create_app(engine: Engine, settings: Settings, dagster_url: str) -> FastAPI:
    app = FastAPI(
        title="hr_assets employee API",
        version="1",
        description=(
            "The roster, the scheduling staff view and pay results, read from the warehouse. Every call needs a token."
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.engine, app.state.clock = engine, Clock(timezone=settings.timezone)
    app.state.weeks = weekly_sync_partitions(settings)
    app.state.dagster = DagsterLink(dagster_url.rstrip("/"))
    app.include_router(employees.router)
    app.include_router(sync.router)
    app.include_router(payroll.router)
    app.mount(DOCS_ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get("/api/openapi.json", include_in_schema=False)
    def openapi(_: Annotated[Caller, Depends(_docs_caller)]) -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/api/docs", include_in_schema=False)
    def docs(_: Annotated[Caller, Depends(_docs_caller)]) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title=app.title,
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
        )

    @app.exception_handler(Exception)
    async def _bug(_request: Request, _exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": "Internal error."}, status_code=500)

    return app
