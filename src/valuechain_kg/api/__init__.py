"""The HTTP face: REST API, SPARQL 1.1 Protocol endpoint and a human page, in one FastAPI app."""

from valuechain_kg.api.app import create_app
from valuechain_kg.api.settings import ApiSettings

__all__ = ["ApiSettings", "create_app"]
