"""``/docs`` that works offline: Swagger UI served from the installed ``swagger-ui-bundle``.

FastAPI's default page loads Swagger UI from a CDN, which fails on an air-gapped analyst's
machine. The ``swagger-ui-bundle`` package (Apache-2.0, like Swagger UI itself, whose licence
ships with it) carries the same assets; they are mounted under ``/static/swagger-ui``.

Swagger UI's validator badge would send the whole schema to validator.swagger.io; it is
switched off (``validatorUrl: null``) so the page never talks to an outside site.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

__all__ = ["SWAGGER_ASSETS", "SWAGGER_UI_PARAMETERS", "install_offline_docs"]

SWAGGER_ASSETS = "/static/swagger-ui"
#: Merged into FastAPI's Swagger UI configuration; None renders as JSON null.
SWAGGER_UI_PARAMETERS: dict[str, object] = {"validatorUrl": None}


def install_offline_docs(app: FastAPI) -> None:
    """Mount the Swagger UI assets and serve ``/docs`` pointing at them (no CDN)."""
    app.mount(SWAGGER_ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title}: API documentation",
            swagger_js_url=f"{SWAGGER_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER_ASSETS}/favicon-32x32.png",
            swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
        )
