"""The machine and library versions printed beside every figure."""

from __future__ import annotations

import os
import platform
from importlib import metadata

PACKAGES = (
    "valuechain-kg",
    "pyoxigraph",
    "rdflib",
    "pyshacl",
    "networkx",
    "fastapi",
    "uvicorn",
    "httpx",
    "oxigraph",
    "rdflib-endpoint",
)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        with open("/proc/meminfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("MemTotal:"):
                    return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def describe() -> list[tuple[str, str]]:
    rows = [
        ("CPU", _cpu_model()),
        ("cores", str(os.cpu_count())),
        ("RAM", _memory()),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
    ]
    for package in PACKAGES:
        rows.append((package, version(package) or "not installed"))
    return rows
