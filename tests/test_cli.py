"""A script author uses the ``synergraph`` command: answers on stdout, documented exit codes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import cli

COUNT_GEMEINDEN = "SELECT (COUNT(DISTINCT ?ags) AS ?n) WHERE { ?g a sg:Municipality ; sg:ags ?ags }"


def _brandenburg_gemeinden_in_source() -> int:
    source = Path(__file__).resolve().parents[1] / "data" / "sources" / "destatis-gv-auszug-2020-12-31.csv"
    with source.open(encoding="utf-8-sig") as handle:
        return sum(1 for row in csv.DictReader(handle) if row["satzart"] == "60" and row["land"] == "12")


def test_query_counts_the_417_gemeinden_of_brandenburg_on_a_new_store(tmp_path: Path) -> None:
    result = cli("query", COUNT_GEMEINDEN, "--format", "json", store=tmp_path / "new-store")
    assert result.returncode == 0, result.stderr
    count = int(json.loads(result.stdout)["results"]["bindings"][0]["n"]["value"])
    assert count == _brandenburg_gemeinden_in_source() == 417


@pytest.mark.parametrize("fmt, check", [
    ("csv", lambda out: out.splitlines()[0] == "n" and out.splitlines()[1].strip().isdigit()),
    ("tsv", lambda out: out.splitlines()[0] == "?n" and out.splitlines()[1].split("^^")[0].strip('"').isdigit()),
    ("table", lambda out: out.splitlines()[0].strip() == "n" and "(1 Zeilen)" in out),
])
def test_query_writes_each_format(seeded_store_dir: Path, tmp_path: Path, fmt: str, check) -> None:  # type: ignore[no-untyped-def]
    import shutil

    shutil.copytree(seeded_store_dir, tmp_path / "s")
    result = cli("query", COUNT_GEMEINDEN, "--format", fmt, store=tmp_path / "s")
    assert result.returncode == 0, result.stderr
    assert check(result.stdout), result.stdout


def test_query_from_a_file_and_ask(fresh_store_dir: Path, tmp_path: Path) -> None:
    rq = tmp_path / "biesenthal.rq"
    rq.write_text("ASK { ?g sg:ags \"12060024\" ; sg:within+ ?land . ?land sg:ags \"12\" }", encoding="utf-8")
    result = cli("query", "--file", str(rq), store=fresh_store_dir)
    assert (result.returncode, result.stdout.strip()) == (0, "true")


def test_a_malformed_query_exits_2_with_the_position(fresh_store_dir: Path) -> None:
    result = cli("query", "SELECT ?x WHERE { ?x ", store=fresh_store_dir)
    assert result.returncode == 2
    assert "Abfrage fehlerhaft, Zeile 1, Spalte 22" in result.stderr


def test_usage_errors_exit_2(fresh_store_dir: Path) -> None:
    assert cli("query", store=fresh_store_dir).returncode == 2
    assert cli("query", "ASK {}", "--format", "xml", store=fresh_store_dir).returncode == 2
    assert cli("nonsense", store=fresh_store_dir).returncode == 2
    assert cli("load", "missing.ttl", store=fresh_store_dir).returncode == 2


def test_validate_reports_zero_violations_on_all_shipped_data(tmp_path: Path) -> None:
    result = cli("validate", store=tmp_path / "unused")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Insgesamt 0 Verstöße." in result.stdout
    assert result.stdout.count("Tripel") >= 7


def test_validate_finds_a_violation_and_exits_1(fresh_store_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix sg: <https://w3id.org/synergraph/def/> .\n"
        "<https://w3id.org/synergraph/id/territory/99999999x> a sg:Municipality ;\n"
        "  sg:ags \"1234\" .\n", encoding="utf-8")
    result = cli("validate", str(bad), store=fresh_store_dir)
    assert result.returncode == 1
    assert "99999999x" in result.stdout and "Verstöße" in result.stdout


def test_load_exits_1_on_shape_violations_and_2_on_syntax_errors(fresh_store_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix sg: <https://w3id.org/synergraph/def/> .\n"
                   "<https://w3id.org/synergraph/id/territory/x> a sg:Municipality ; sg:ags \"1\" .\n",
                   encoding="utf-8")
    assert cli("load", str(bad), store=fresh_store_dir).returncode == 1
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .\n", encoding="utf-8")
    result = cli("load", str(broken), store=fresh_store_dir)
    assert result.returncode == 2 and "broken.ttl, Zeile 1" in result.stderr


def test_load_then_stats_shows_the_new_graph(fresh_store_dir: Path, tmp_path: Path) -> None:
    good = tmp_path / "meine-quelle.ttl"
    good.write_text(
        "@prefix sg: <https://w3id.org/synergraph/def/> .\n"
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://w3id.org/synergraph/id/source/meine-quelle> a sg:SourceDocument ;\n"
        "  rdfs:label \"Meine Quelle\"@de ; dcterms:title \"Meine Quelle\"@de .\n", encoding="utf-8")
    loaded = cli("load", str(good), store=fresh_store_dir)
    assert loaded.returncode == 0, loaded.stderr
    stats = cli("stats", store=fresh_store_dir)
    assert stats.returncode == 0
    assert "https://w3id.org/synergraph/graph/meine-quelle" in stats.stdout


@pytest.mark.parametrize("command", ["load", "validate", "query", "stats", "serve"])
def test_every_command_has_help_with_an_example(command: str, tmp_path: Path) -> None:
    result = cli(command, "--help", store=tmp_path)
    assert result.returncode == 0
    assert "Beispiel: synergraph " + command in " ".join(result.stdout.split())


def test_token_create_prints_a_token_whose_hash_admits_it(tmp_path: Path) -> None:
    import hashlib

    result = cli("token", "create", "redaktion", store=tmp_path)
    assert result.returncode == 0
    token = result.stdout.split("sichtbar): ")[1].split()[0]
    line = result.stdout.split("kommagetrennt): ")[1].split("\n")[0].strip()
    assert line == "redaktion=sha256:" + hashlib.sha256(token.encode()).hexdigest()
    assert token not in line
    assert cli("token", "create", "böse name", store=tmp_path).returncode == 2
