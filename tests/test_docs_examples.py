"""Every example in the user documentation runs, so a stale example fails.

The fenced code blocks of ``docs/*.md`` and ``README.md`` are taken in order, one document at a time:

* ``bash``/``sh``/``shell`` blocks run in ``bash -euo pipefail`` in a working folder of their own
  document, with ``SYNERGRAPH_STORE`` pointing to a fresh copy of the seeded store; every command must
  succeed (an example of exit code 1 is written ``… || test $? -eq 1``). Variables a block sets are
  kept for the later blocks of the same document.
* ``bash service`` blocks start the service: they run in the background on a free port
  (``SYNERGRAPH_PORT``) over their own store, and later blocks of the document talk to that service.
* ``python`` blocks run in a fresh interpreter; ``sparql`` blocks are sent to ``/sparql`` and must
  answer at least one row (SELECT) or ``true`` (ASK); their output is the header and the rows, values
  separated by spaces.
* ``text``, ``json``, ``csv`` and ``turtle`` blocks are illustrative output or data and are not run.
  Right after a shell or sparql block (nothing but blank lines between) it is that block's output: its
  lines must appear in the output in order, ``…`` standing for any text (times, counts, tokens).
  Any other block, or a block without a language, fails: it must be made runnable or marked.

The examples name the default address ``http://127.0.0.1:8000``; it is replaced by the address of the
service the test runs. Addresses of that form in the prose must answer too.
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from conftest import REPO, Server, free_port

DOCUMENTS = sorted((REPO / "docs").glob("*.md")) + [REPO / "README.md"]
SHELL = {"bash", "sh", "shell"}
ILLUSTRATIVE = {"text", "json", "csv", "turtle"}
DEFAULT_URL = "http://127.0.0.1:8000"
# The guides that teach by commands; the others (ministry staff, the map) by addresses in the text.
GUIDES_WITH_EXAMPLES = {"analyse.md", "skripte.md", "pflege.md", "betrieb.md"}
# Blocks that are deliberately not run, by document and first line, with the reason.
NOT_RUN = {
    ("README.md", "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/synergraph serve"):
        "installs the package and then serves until stopped; CI (.ci/run) installs the same way, "
        "and tests/run is this test suite itself",
}
FENCE = re.compile(r"^(?P<fence>```|~~~)(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$",
                   re.MULTILINE | re.DOTALL)
PROSE_URL = re.compile(r"http://127\.0\.0\.1:8000[^\s`)\]>\"'|,;]*")


@dataclass(frozen=True)
class Block:
    """A fenced code block: where it is, its language and further words of the info string, its text."""

    document: Path
    line: int
    language: str
    options: tuple[str, ...]
    text: str
    follows_block: bool = False  # only blank lines between this block and the one before

    @property
    def where(self) -> str:
        path = self.document.relative_to(REPO) if self.document.is_relative_to(REPO) else self.document
        return f"{path}:{self.line}"


def blocks(document: Path) -> list[Block]:
    """The fenced code blocks of a Markdown file in order.

    >>> path = REPO / "README.md"
    >>> all(block.document == path for block in blocks(path))
    True
    """
    text = document.read_text(encoding="utf-8")
    found = []
    previous_end = None
    for match in FENCE.finditer(text):
        words = match["info"].strip().split()
        follows = previous_end is not None and not text[previous_end:match.start()].strip()
        found.append(Block(document, text.count("\n", 0, match.start()) + 1, words[0] if words else "",
                           tuple(words[1:]), match["body"], follows))
        previous_end = match.end()
    return found


def shows(expected: str, output: str) -> str | None:
    """Whether ``output`` shows the lines of an output block, in order; ``…`` stands for any text.

    Returns the first expected line not found, or None. Spaces are compared loosely.

    >>> shows("Neu: 1\nVorgang <…>.", "Datei: a.csv\nNeu:   1\nVorgang <https://x/1>.")
    >>> shows("Neu: 2", "Neu: 1")
    'Neu: 2'
    """
    lines = iter(" ".join(line.split()) for line in output.splitlines())
    for wanted in (" ".join(line.split()) for line in expected.splitlines()):
        if not wanted:
            continue
        pattern = re.compile(".*".join(re.escape(part) for part in wanted.split("…")))
        if not any(pattern.fullmatch(line) for line in lines):
            return wanted
    return None


def kind(block: Block) -> str:
    """How the test treats a block: shell, service, python, sparql, illustrative or not-run.

    Raises ValueError for a block that is neither runnable nor marked as illustrative.

    >>> kind(Block(REPO / "x.md", 1, "bash", ("service",), "synergraph serve"))
    'service'
    """
    first = block.text.strip().splitlines()[0] if block.text.strip() else ""
    if (block.document.name, first) in NOT_RUN:
        return "not-run"
    if block.language in ILLUSTRATIVE:
        return "illustrative"
    if block.language in SHELL:
        return "service" if "service" in block.options else "shell"
    if block.language in ("python", "sparql"):
        return block.language
    raise ValueError(f"{block.where}: Block ohne ausführbare Sprache ('{block.language}'); "
                     f"ausführbar machen (bash, python, sparql) oder als Ausgabe markieren (text)")


class Session:
    """One document's run: its working folder, store, variables and the service its examples talk to."""

    def __init__(self, work: Path, store: Path, url: str) -> None:
        self.work = work
        self.url = url
        self.env = {**os.environ, "SYNERGRAPH_STORE": str(store),
                    "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        self.services: list[subprocess.Popen[bytes]] = []

    def localise(self, text: str) -> str:
        return text.replace(DEFAULT_URL, self.url).replace("http://localhost:8000", self.url)

    def shell(self, block: Block) -> str:
        state = self.work / ".umgebung"
        script = (f"set -a -euo pipefail\ntrap 'test $? -eq 0 && env -0 > {state}' EXIT\n"
                  + self.localise(block.text))
        done = subprocess.run(["bash", "-c", script], check=False, cwd=self.work, env=self.env,
                              capture_output=True, text=True, timeout=240)
        assert done.returncode == 0, (f"{block.where}: Exit-Code {done.returncode}\n{block.text}\n"
                                      f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}")
        self.env = dict(item.split("=", 1) for item in state.read_text().split("\0") if "=" in item)
        return done.stdout + done.stderr

    def service(self, block: Block) -> None:
        port = free_port()
        log = (self.work / f"dienst-{port}.log").open("wb")
        env = {**self.env, "SYNERGRAPH_PORT": str(port), "SYNERGRAPH_HOST": "127.0.0.1"}
        process = subprocess.Popen(["bash", "-euo", "pipefail", "-c", block.text], cwd=self.work, env=env,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.services.append(process)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert process.poll() is None, f"{block.where}: Dienst beendet\n{log.name}"
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    self.url = url
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise AssertionError(f"{block.where}: Dienst antwortet nicht auf /health")

    def python(self, block: Block) -> None:
        script = self.work / f"beispiel-{block.line}.py"
        script.write_text(self.localise(block.text), encoding="utf-8")
        done = subprocess.run([sys.executable, str(script)], check=False, cwd=self.work, env=self.env,
                              capture_output=True, text=True, timeout=240)
        assert done.returncode == 0, f"{block.where}:\n{block.text}\n--- stderr\n{done.stderr}"

    def sparql(self, block: Block) -> str:
        answer = httpx.post(self.url + "/sparql", content=block.text.encode("utf-8"), timeout=60,
                            headers={"Content-Type": "application/sparql-query",
                                     "Accept": "application/sparql-results+json"})
        assert answer.status_code == 200, f"{block.where}: HTTP {answer.status_code}\n{answer.text}"
        result = answer.json()
        if "boolean" in result:
            assert result["boolean"] is True, f"{block.where}: ASK ergibt false"
            return "true"
        rows = result["results"]["bindings"]
        assert rows, f"{block.where}: keine Zeile\n{block.text}"
        names = result["head"]["vars"]
        return "\n".join([" ".join(names)] + [" ".join(row[n]["value"] if n in row else "" for n in names)
                                               for row in rows])

    def stop(self) -> None:
        for process in self.services:
            os.killpg(process.pid, 15)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait()


@pytest.fixture
def session(server: Server, fresh_store_dir: Path,
            tmp_path: Path) -> Iterator[Session]:
    """A working folder and a fresh store for one document; examples talk to the session's service."""
    work = tmp_path / "arbeit"
    work.mkdir()
    running = Session(work, fresh_store_dir, server.url)
    yield running
    running.stop()


@pytest.mark.parametrize("document", DOCUMENTS, ids=[str(d.relative_to(REPO)) for d in DOCUMENTS])
def test_every_example_of_the_document_runs(document: Path, session: Session) -> None:
    """Each command, program and query of the document runs against a real service and store, in order."""
    ran, output = 0, None
    for block in blocks(document):
        how = kind(block)
        if how == "illustrative" and block.follows_block and output is not None:
            missing = shows(block.text, output)
            assert missing is None, f"{block.where}: fehlt in der Ausgabe: „{missing}“\n{output}"
        if how in ("illustrative", "not-run"):
            output = None
            continue
        output = getattr(session, how)(block)
        ran += 1
    if document.name in GUIDES_WITH_EXAMPLES:
        assert ran, f"{document.name}: kein ausgeführtes Beispiel"


@pytest.mark.parametrize("document", DOCUMENTS, ids=[str(d.relative_to(REPO)) for d in DOCUMENTS])
def test_addresses_in_the_prose_answer(document: Path, server: Server) -> None:
    """Every concrete address of the service named in the text (not in code blocks) answers without error."""
    prose = FENCE.sub("", document.read_text(encoding="utf-8"))
    for url in sorted(set(PROSE_URL.findall(prose))):
        if any(mark in url for mark in "{<…"):
            continue
        answer = httpx.get(url.replace(DEFAULT_URL, server.url), timeout=60)
        assert answer.status_code < 400, f"{document.name}: {url} antwortet {answer.status_code}"


@pytest.mark.parametrize("document", DOCUMENTS, ids=[str(d.relative_to(REPO)) for d in DOCUMENTS])
def test_api_paths_named_in_the_prose_exist(document: Path, server: Server) -> None:
    """Every REST path `/api/…` named in the text or a table is in the service's OpenAPI document."""
    def shape(path: str) -> str:
        return re.sub(r"\{[^}]*\}", "{}", path.rstrip("/"))

    known = {shape(path) for path in httpx.get(server.url + "/openapi.json", timeout=60).json()["paths"]}
    prose = FENCE.sub("", document.read_text(encoding="utf-8"))
    for written in re.findall(r"`(?:[A-Z]+ )?(/api/[^`?\s{]*(?:\{[^}`]*\}[^`?\s{]*)*)", prose):
        # "/api/bodies|initiatives" names two paths (in a table the bar is written "\|")
        segments = [segment.split("|") for segment in written.replace("\\|", "|").split("/")]
        for path in ("/".join(choice) for choice in itertools.product(*segments)):
            if "…" not in path:
                assert shape(path) in known, f"{document.name}: {path} steht nicht in /openapi.json"


@pytest.mark.parametrize("document", DOCUMENTS, ids=[str(d.relative_to(REPO)) for d in DOCUMENTS])
def test_commands_and_options_named_in_the_prose_exist(document: Path) -> None:
    """Every `synergraph COMMAND [--option …]` named in the text or a table exists with those options."""
    prose = FENCE.sub("", document.read_text(encoding="utf-8"))
    exe = str(Path(sys.executable).with_name("synergraph"))
    helps: dict[tuple[str, ...], str] = {}
    for code in re.findall(r"`(synergraph [^`]+)`", prose):
        words = code.split()
        command = tuple(words[1:3]) if words[1:2] == ["token"] else (words[1],)
        if command[0].startswith("-"):
            continue
        if command not in helps:
            done = subprocess.run([exe, *command, "--help"], check=False, capture_output=True, text=True,
                                  env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}, timeout=60)
            assert done.returncode == 0, f"{document.name}: `{code}`: kein Befehl\n{done.stderr}"
            helps[command] = done.stdout
        for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", code):
            assert option in helps[command], f"{document.name}: `{code}`: {option} gibt es nicht"


@pytest.mark.parametrize("document", DOCUMENTS, ids=[str(d.relative_to(REPO)) for d in DOCUMENTS])
def test_links_between_documents_resolve(document: Path) -> None:
    """Relative links of the documentation point to files that exist (no link to a guide not written)."""
    text = FENCE.sub("", document.read_text(encoding="utf-8"))
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        assert (document.parent / target).exists(), f"{document.name}: Verweis auf fehlende Datei {target}"


def test_the_operator_guide_names_every_setting() -> None:
    """Each setting of the service appears in the operator guide under its environment variable."""
    from synergraph.api.settings import Settings

    guide = (REPO / "docs" / "betrieb.md").read_text(encoding="utf-8")
    missing = [f"SYNERGRAPH_{name.upper()}" for name in Settings.model_fields
               if f"`SYNERGRAPH_{name.upper()}`" not in guide]
    assert missing == [], f"betrieb.md nennt nicht: {missing}"


def test_an_unmarked_block_fails(tmp_path: Path) -> None:
    """A block whose language is neither runnable nor illustrative is reported, not silently skipped."""
    page = tmp_path / "beispiel.md"
    page.write_text("Text\n\n```yaml\na: 1\n```\n\n```text\nAusgabe\n```\n\n```\nohne Sprache\n```\n")
    yaml, text, bare = blocks(page)
    assert (yaml.line, text.line, bare.line) == (3, 7, 11)
    assert kind(text) == "illustrative"
    for block in (yaml, bare):
        with pytest.raises(ValueError, match="beispiel.md"):
            kind(block)


def test_output_shown_in_a_guide_must_be_the_real_output(tmp_path: Path) -> None:
    """An output block right after a command is compared with what the command printed; … is a wildcard."""
    page = tmp_path / "beispiel.md"
    page.write_text("```bash\necho 'Neu: 1'\n```\n\n```text\nNeu: …\n```\n\nText\n\n```text\nfrei\n```\n")
    command, output, illustration = blocks(page)
    assert (command.follows_block, output.follows_block, illustration.follows_block) == (False, True, False)
    assert shows(output.text, "Neu: 1\n") is None
    assert shows("Neu: 1\nBeendet: 0", "Beendet: 0\nNeu: 1") == "Beendet: 0"  # order counts


def test_shell_examples_stop_at_the_first_failing_command(tmp_path: Path, fresh_store_dir: Path) -> None:
    """A failing command in the middle of a block fails the block (the examples are really checked)."""
    running = Session(tmp_path, fresh_store_dir, DEFAULT_URL)
    with pytest.raises(AssertionError, match="Exit-Code 1"):
        running.shell(Block(tmp_path / "x.md", 1, "bash", (), "false\necho weiter\n"))
    running.shell(Block(tmp_path / "x.md", 5, "bash", (), "STAND=gesetzt\n"))
    running.shell(Block(tmp_path / "x.md", 9, "bash", (), 'test "$STAND" = gesetzt\n'))
