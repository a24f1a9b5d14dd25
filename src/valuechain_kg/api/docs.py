"""``/docs`` that works offline: Swagger UI served from the package's own vendored copy.

FastAPI's default page loads Swagger UI from a CDN, which fails on an air-gapped analyst's
machine. The assets of npm's ``swagger-ui-dist`` (Apache-2.0; licence and version in
``static/vendor/``) are mounted under ``/static/swagger-ui``. It must be a Swagger UI of the
5.x line: older ones cannot read the OpenAPI 3.1 document FastAPI writes and render only
"Unable to render this definition".

Swagger UI's validator badge would send the whole schema to validator.swagger.io; it is
switched off (``validatorUrl: null``) so the page never talks to an outside site.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["SWAGGER_ASSETS", "SWAGGER_FILES", "SWAGGER_UI_PARAMETERS", "install_offline_docs"]

SWAGGER_ASSETS = "/static/swagger-ui"
SWAGGER_FILES = Path(__file__).resolve().parent / "static" / "vendor" / "swagger-ui"
#: Merged into FastAPI's Swagger UI configuration; None renders as JSON null.
SWAGGER_UI_PARAMETERS: dict[str, object] = {"validatorUrl": None}


def install_offline_docs(app: FastAPI) -> None:
    """Mount the Swagger UI assets and serve ``/docs`` pointing at them (no CDN)."""
    app.mount(SWAGGER_ASSETS, StaticFiles(directory=str(SWAGGER_FILES)), name="swagger-ui")

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
