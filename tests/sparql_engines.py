"""Real SPARQL 1.1 engines on loopback for the remote-store tests: ``oxigraph serve``, Virtuoso 7.

Each engine is started from the project's own files (the ``oxigraph`` wheel of the dev extra;
Debian's ``virtuoso-opensource``, installed by scripts/system-deps.sh) in a temporary folder
on free ports, and stopped at the end. An engine that cannot start fails the test: the
remote store is part of the product, and a suite that skipped it would say nothing.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.live_server import free_port

#: The named graph vckg's data lives in on Virtuoso, whose default graph is every graph's union.
VIRTUOSO_GRAPH = "urn:valuechain-kg:test-data"


@dataclass
class Engine:
    """A running engine: where to send queries, and the environment a vckg process needs."""

    name: str
    query_url: str
    process: subprocess.Popen[bytes]
    log: Path
    env: dict[str, str] = field(default_factory=dict)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def clear(self) -> None:
        """Remove every graph vckg wrote, so the next test starts from an empty store."""
        graphs = ["urn:valuechain-kg:revision", "https://w3id.org/valuechain"]
        if "VCKG_STORE_GRAPH" in self.env:
            graphs.append(self.env["VCKG_STORE_GRAPH"])
            text = " ; ".join(f"CLEAR SILENT GRAPH <{g}>" for g in graphs)
        else:
            text = " ; ".join(
                ["CLEAR SILENT DEFAULT", *(f"CLEAR SILENT GRAPH <{g}>" for g in graphs)]
            )
        update_url = self.env.get("VCKG_UPDATE_URL", self.query_url.replace("/query", "/update"))
        response = httpx.post(update_url, data={"update": text}, timeout=60)
        assert response.status_code < 300, response.text


def _wait(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            pytest.fail(f"the engine exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            response = httpx.post(url, data={"query": "ASK {}"}, timeout=5)
            if response.status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(
                f"the engine at {url} did not answer in {timeout} s:\n{log.read_text()[-3000:]}"
            )
        time.sleep(0.2)


def start_oxigraph(folder: Path) -> Engine:
    """``oxigraph serve`` (the PyPI wheel's binary) over an on-disk store in ``folder``."""
    binary = Path(sys.executable).with_name("oxigraph")
    if not binary.exists():
        found = shutil.which("oxigraph")
        if found is None:
            pytest.fail("oxigraph is not installed: pip install -e '.[dev]' brings its wheel")
        binary = Path(found)
    port = free_port()
    log = folder / "oxigraph.log"
    process = subprocess.Popen(
        [str(binary), "serve", "--location", str(folder / "db"), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    url = f"http://127.0.0.1:{port}/query"
    _wait(url, process, log)
    return Engine("oxigraph", url, process, log)


_VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
ServerThreads = 10
CheckpointInterval = 60
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {dir}, {vad}
VADInstallDir = {vad}
Charset = UTF-8

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
MaxCachedProxyConnections = 10
ProxyConnectionCacheTimeout = 15
HTTPThreadSize = 280000
EnableRequestTrap = 0

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 600
DefaultQuery = select distinct ?Concept where {{[] a ?Concept}} LIMIT 100
DeferInferenceRulesInit = 0
"""


def start_virtuoso(folder: Path, max_rows: int = 1_000_000) -> Engine:
    """Virtuoso Open Source 7 with its own virtuoso.ini in ``folder``, SPARQL update granted.

    ``max_rows`` is its ``ResultSetMaxRows``: every answer is cut at that many rows.

    The SPARQL endpoint runs as the SQL user SPARQL, which may only read until it is given
    SPARQL_UPDATE (through ``isql-vt`` on the SQL port).
    """
    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if binary is None or isql is None:
        pytest.fail(
            "Virtuoso is not installed: scripts/system-deps.sh installs virtuoso-opensource"
        )
    data = folder / "virtuoso"
    data.mkdir()
    sql_port, http_port = free_port(), free_port()
    vad = "/usr/share/virtuoso-opensource-7/vad"
    ini = data / "virtuoso.ini"
    ini.write_text(
        _VIRTUOSO_INI.format(
            dir=data, sql_port=sql_port, http_port=http_port, vad=vad, max_rows=max_rows
        )
    )
    log = data / "virtuoso.log"
    process = subprocess.Popen(
        [binary, "+foreground", "+configfile", str(ini)],
        cwd=data,
        stdout=subprocess.DEVNULL,
        stderr=(data / "stderr.log").open("wb"),
    )
    url = f"http://127.0.0.1:{http_port}/sparql"
    _wait(url, process, data / "stderr.log")
    grant = (
        'GRANT SPARQL_UPDATE TO "SPARQL";\n'
        'GRANT EXECUTE ON DB.DBA.SPARQL_INSERT_DICT_CONTENT TO "SPARQL";\n'
    )
    result = subprocess.run(
        [isql, f"127.0.0.1:{sql_port}", "dba", "dba"],
        input=grant.encode(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0 or b"Error" in result.stdout + result.stderr:
        process.kill()
        pytest.fail(f"isql could not grant SPARQL_UPDATE: {result.stdout!r} {result.stderr!r}")
    env = {"VCKG_STORE_GRAPH": VIRTUOSO_GRAPH, "VCKG_UPDATE_URL": url}
    return Engine("virtuoso", url, process, log, env)


def start(name: str, folder: Path) -> Engine:
    return {"oxigraph": start_oxigraph, "virtuoso": start_virtuoso}[name](folder)


def environment(engine: Engine) -> dict[str, str]:
    """The environment a vckg process needs to use ``engine`` as its store."""
    return {**os.environ, **engine.env, "VCKG_STORE": engine.query_url}
