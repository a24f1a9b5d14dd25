"""The house rules of DESIGN.md ("Inside the package"), checked on every import in the package.

Faces (cli, api, notebook) reach the store only through the facade; analysis holds no store
handle and knows no service; nothing in the core imports a face or the service. Imports inside
functions count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "valuechain_kg"

FACES = ("cli", "api", "notebook")
CORE = ("store", "validation", "analysis", "ingest", "datasets", "batch")
KERNEL = ("models", "errors", "namespaces", "vocabulary", "identifiers")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every ``valuechain_kg`` module a file imports, at any depth of the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("valuechain_kg.")}


def _room(module: str) -> str:
    """The first part under the package: ``valuechain_kg.api.sparql`` is in room ``api``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


MODULES = {
    _module_name(path): _imports(path)
    for path in sorted(PACKAGE.rglob("*.py"))
    if "__pycache__" not in path.parts
}


def _offending(rooms: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{module} imports {target}"
        for module, targets in MODULES.items()
        if _room(module) in rooms
        for target in targets
        if _room(target) in forbidden
    )


def test_the_package_has_the_rooms_design_names() -> None:
    rooms = {_room(m) for m in MODULES}
    assert {*FACES, "service", *CORE, *KERNEL} <= rooms


@pytest.mark.parametrize("face", FACES)
def test_no_face_imports_the_store_or_validation(face: str) -> None:
    assert _offending((face,), ("store", "validation")) == []


def test_analysis_imports_neither_the_store_nor_the_service() -> None:
    assert _offending(("analysis",), ("store", "service", "validation", "ingest")) == []


def test_nothing_in_the_core_imports_a_face_or_the_service() -> None:
    assert _offending((*CORE, *KERNEL), (*FACES, "service")) == []


def test_the_kernel_imports_only_the_kernel() -> None:
    allowed = set(KERNEL)
    offending = sorted(
        f"{module} imports {target}"
        for module, targets in MODULES.items()
        if _room(module) in KERNEL
        for target in targets
        if _room(target) not in allowed
    )
    assert offending == []


def test_the_cli_starts_without_importing_networkx() -> None:
    """A load or a lookup never builds a networkx graph, so it must not pay for the import."""
    import subprocess
    import sys

    code = "import sys, valuechain_kg.cli.app; print('networkx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
