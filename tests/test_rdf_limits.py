"""RDF loads are bounded before parsing: deep nesting, DTD entities and remote contexts refused.

Each refusal goes through the real CLI and must name the file and line, exit 2, and leave the
store as it was. The inputs that crash the parser outright run in a subprocess, so that a
regression shows as a failed test rather than a dead test run.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from valuechain_kg.cli import app
from valuechain_kg.errors import InputError
from valuechain_kg.ingest.rdf_limits import (
    MAX_JSON_LD_DEPTH,
    MAX_RDF_XML_DEPTH,
    MAX_TURTLE_DEPTH,
    check_rdf_bytes,
)

runner = CliRunner()
VCKG = Path(sys.executable).parent / "vckg"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

GOOD = '<http://e/a> <http://e/p> "one" .\n<http://e/b> <http://e/p> [ <http://e/q> ( 1 2 ) ] .\n'


def jsonld_objects(depth: int) -> str:
    """Node objects nested `depth` deep (JSON depth `depth` + 1)."""
    return (
        '{"@id": "http://e/s", "http://e/p": '
        + '{"http://e/p": ' * depth
        + '"x"'
        + "}" * (depth + 1)
    )


def rdfxml_elements(depth: int) -> str:
    """Property and node elements alternating, `depth` elements below rdf:RDF."""
    levels = depth // 2
    body = "<rdf:Description><e:p>" * levels + "</e:p></rdf:Description>" * levels
    return f'<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:e="http://e/">{body}</rdf:RDF>'


def turtle_bnodes(depth: int) -> str:
    return "<http://e/s> <http://e/p> " + "[ <http://e/p> " * depth + "1" + " ]" * depth + " .\n"


def turtle_lists(depth: int) -> str:
    return "<http://e/s> <http://e/p> " + "( " * depth + "1" + " )" * depth + " .\n"


def trig_bnodes(depth: int) -> str:
    return "<http://e/g> { " + turtle_bnodes(depth - 1) + " }\n"


def triple_terms(depth: int) -> str:
    inner = "<<( <http://e/s> <http://e/p> " * depth + '"1"' + " )>>" * depth
    return f"<http://e/s> <http://e/p> {inner} .\n"


DEEP: dict[str, tuple[str, Callable[[int], str], int]] = {
    "jsonld-objects": (".jsonld", jsonld_objects, MAX_JSON_LD_DEPTH),
    "rdfxml-elements": (".rdf", rdfxml_elements, MAX_RDF_XML_DEPTH),
    "turtle-blank-nodes": (".ttl", turtle_bnodes, MAX_TURTLE_DEPTH),
    "turtle-collections": (".ttl", turtle_lists, MAX_TURTLE_DEPTH),
    "trig-blank-nodes": (".trig", trig_bnodes, MAX_TURTLE_DEPTH),
    "ntriples-triple-terms": (".nt", triple_terms, MAX_TURTLE_DEPTH),
}


def triples_in(store: Path) -> int:
    result = runner.invoke(app, ["info", "--store", str(store), "--format", "json"])
    assert result.exit_code == 0, result.output
    return int(json.loads(result.stdout)["triples"])


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A store already holding a few triples, so that "unchanged" is not "empty"."""
    good = tmp_path / "good.ttl"
    good.write_text(GOOD)
    folder = tmp_path / "store"
    loaded = runner.invoke(app, ["load", str(good), "--store", str(folder), "--no-validate"])
    assert loaded.exit_code == 0, loaded.output
    return folder


@pytest.mark.parametrize("name", sorted(DEEP))
def test_nesting_one_past_the_limit_is_refused_and_the_store_kept(
    name: str, store: Path, tmp_path: Path
) -> None:
    suffix, make, limit = DEEP[name]
    deep = tmp_path / f"deep{suffix}"
    deep.write_text(make(limit + 2))
    other = tmp_path / "other.ttl"
    other.write_text('<http://e/c> <http://e/p> "two" .\n')
    before = triples_in(store)

    result = runner.invoke(app, ["load", str(other), str(deep), "--store", str(store)])

    assert result.exit_code == 2, result.output
    assert f"{deep}, line 1, column " in result.output
    assert f"nested deeper than {limit} levels" in result.output
    assert triples_in(store) == before


@pytest.mark.parametrize("name", sorted(DEEP))
def test_nesting_at_the_limit_loads(name: str, tmp_path: Path) -> None:
    suffix, make, limit = DEEP[name]
    path = tmp_path / f"at-limit{suffix}"
    path.write_text(make(limit - 2))
    result = runner.invoke(
        app, ["load", str(path), "--store", str(tmp_path / "s"), "--no-validate"]
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("suffix", "text"),
    [
        # 20,000 nested node objects: about 500 KB, the parser's recursion overflows the stack.
        (".jsonld", jsonld_objects(20_000)),
        # 20,000 nested triple terms: the same in the N-Triples and Turtle parsers.
        (".nt", triple_terms(20_000)),
    ],
)
def test_input_that_crashes_the_parser_is_refused_by_the_process(
    suffix: str, text: str, tmp_path: Path
) -> None:
    path = tmp_path / f"crash{suffix}"
    path.write_text(text)
    result = subprocess.run(
        [str(VCKG), "load", str(path), "--store", str(tmp_path / "s")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, (result.returncode, result.stderr[-500:])
    assert f"{path}, line 1, column" in result.stderr
    assert "nested deeper than" in result.stderr


def test_brackets_in_strings_iris_and_comments_do_not_count(tmp_path: Path) -> None:
    many = "[(" * MAX_TURTLE_DEPTH
    text = (
        f"# {many}\n"
        f'<http://e/s> <http://e/p> "{many}" , \'{many}\' , """{many}\n{many}""" ,\n'
        f"    '''{many}''' .\n"
    )
    path = tmp_path / "brackets.ttl"
    path.write_text(text)
    result = runner.invoke(
        app, ["load", str(path), "--store", str(tmp_path / "s"), "--no-validate"]
    )
    assert result.exit_code == 0, result.output
    # The parser refuses these code points in an IRI; the scan must still skip the IRI whole.
    check_rdf_bytes(f"<http://e/s> <http://e/p> <http://e/{many}> .".encode(), ox.RdfFormat.TURTLE)
    doc = '{"@id": "http://e/s", "http://e/p": "' + '[{\\"' * MAX_JSON_LD_DEPTH + '"}'
    check_rdf_bytes(doc.encode(), ox.RdfFormat.JSON_LD)


@pytest.mark.parametrize(
    "lead",
    [
        "<http://e/s> <http://e/p> <http://e/a\\u0041> ; <http://e/q> ",  # escape in an IRI
        "@prefix e: <http://e/> . e:s e:p e:o\\# ; e:q ",  # an escaped # is not a comment
        "@prefix e: <http://e/> . e:s e:p e:o\\' ; e:q ",  # an escaped ' opens no string
        '<http://e/s> <http://e/p> """a"""" " ; <http://e/q> ',  # """a""" then a new string
    ],
)
def test_escapes_and_quotes_do_not_hide_nesting(lead: str) -> None:
    text = lead + "[ <http://e/p> " * (MAX_TURTLE_DEPTH + 1) + "1" + " ]" * (MAX_TURTLE_DEPTH + 1)
    with pytest.raises(InputError, match="nested deeper than"):
        check_rdf_bytes(text.encode(), ox.RdfFormat.TURTLE)


def test_a_request_body_is_checked_with_its_line_and_column() -> None:
    body = ("<http://e/a> <http://e/p> 1 .\r\n" * 2 + turtle_bnodes(MAX_TURTLE_DEPTH + 1)).encode()
    with pytest.raises(InputError) as caught:
        check_rdf_bytes(body, ox.RdfFormat.TRIG)
    [problem] = caught.value.problems
    assert (problem.location.file, problem.location.line) == ("request body", 3)
    assert problem.location.column == len("<http://e/s> <http://e/p> ") + 1 + 15 * MAX_TURTLE_DEPTH


def test_long_strings_spanning_read_chunks_are_followed(tmp_path: Path) -> None:
    """Over two megabytes of brackets inside one long string, read in one-megabyte chunks."""
    lines = "\n".join("[(" * 50 for _ in range(25_000))
    text = f'<http://e/s> <http://e/p> """{lines}""" .\n' + turtle_bnodes(MAX_TURTLE_DEPTH + 1)
    path = tmp_path / "long.ttl"
    path.write_text(text)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert f"{path}, line 25001, column" in result.output


LAUGHS = f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
  <!ENTITY a "ha">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:e="http://e/">
  <rdf:Description rdf:about="http://e/s"><e:p>&c;</e:p></rdf:Description>
</rdf:RDF>
"""


def test_dtd_entities_are_refused_before_expansion(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "laughs.rdf"
    path.write_text(LAUGHS)
    before = triples_in(store)
    result = runner.invoke(app, ["load", str(path), "--store", str(store)])
    assert result.exit_code == 2, result.output
    assert f"{path}, line 2, column" in result.output
    assert "DOCTYPE is refused" in result.output
    assert triples_in(store) == before


def test_any_doctype_is_refused_and_plain_rdfxml_loads(tmp_path: Path) -> None:
    plain = f"""<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:e="http://e/">
  <rdf:Description rdf:about="http://e/s"><e:p>x &amp; y</e:p></rdf:Description>
</rdf:RDF>
"""
    with pytest.raises(InputError, match="DOCTYPE is refused"):
        check_rdf_bytes(b"<!DOCTYPE rdf:RDF>\n" + plain.encode(), ox.RdfFormat.RDF_XML)
    path = tmp_path / "plain.rdf"
    path.write_text(plain)
    result = runner.invoke(
        app, ["load", str(path), "--store", str(tmp_path / "s"), "--no-validate"]
    )
    assert result.exit_code == 0, result.output


@pytest.fixture
def listener() -> Iterator[tuple[int, list[int]]]:
    """A loopback TCP listener that counts the connections it accepts."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.1)
    accepted: list[int] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            accepted.append(1)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join()
    server.close()


def test_a_remote_jsonld_context_is_refused_without_fetching(
    listener: tuple[int, list[int]], tmp_path: Path
) -> None:
    port, accepted = listener
    path = tmp_path / "remote.jsonld"
    path.write_text(
        json.dumps({"@context": f"http://127.0.0.1:{port}/ctx.jsonld", "@id": "http://e/s"})
    )
    result = runner.invoke(app, ["load", str(path), "--store", str(tmp_path / "s")])
    assert result.exit_code == 2, result.output
    assert f"{path}: remote JSON-LD contexts are not fetched; inline the context" in result.output
    assert "LoadDocumentCallback" not in result.output
    # The listener must still be able to count: a connection made now is seen.
    with socket.create_connection(("127.0.0.1", port)):
        pass
    for _ in range(50):
        if accepted:
            break
        threading.Event().wait(0.02)
    assert len(accepted) == 1
