"""A script checks planned initiatives and lists overlaps and duplicates from the command line."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from conftest import cli


@pytest.fixture(scope="module")
def store_dir(seeded_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("cli-findings") / "store"
    shutil.copytree(seeded_store_dir, copy)
    return copy


def test_overlaps_exit_1_with_findings_as_json(store_dir: Path) -> None:
    result = cli("overlaps", "--territory", "Uckermark", "--min-severity", "hoch", "--format", "json", store=store_dir)
    assert result.returncode == 1, result.stderr
    rows = json.loads(result.stdout)
    assert {row["regel"] for row in rows} <= {"UE-01", "UE-02"} and rows


def test_overlaps_exit_0_when_nothing_is_found(store_dir: Path) -> None:
    result = cli("overlaps", "--topic", "landesplanung", "--min-severity", "hoch", store=store_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(0 Befunde)" in result.stdout


def test_duplicates_as_csv(store_dir: Path) -> None:
    result = cli("duplicates", "--format", "csv", "--topic", "smart-city", "--parallels", store=store_dir)
    assert result.returncode == 1, result.stderr
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert any("bsp-lorawan-sensorik-eberswalde" in row["a"] + row["b"] for row in rows)


def test_check_a_planned_initiative_given_as_options(store_dir: Path) -> None:
    result = cli("check", "--title", "Digitallotsen für ältere Menschen", "--territory", "Märkisch-Oderland",
                 "--topic", "qualifizierung-digitalkompetenz", "--target-group", "buergerinnen-und-buerger",
                 "--start", "2025-01-01", "--format", "json", store=store_dir)
    assert result.returncode == 1, result.stderr
    rows = json.loads(result.stdout)
    assert rows[0]["art"] == "duplicate" and rows[0]["initiative"].endswith("bsp-digitallotsen-senioren-maerkisch-oderland")
    assert any(row["art"] == "zustaendig" for row in rows)


def test_check_finds_nothing_for_an_unrelated_plan(store_dir: Path) -> None:
    result = cli("check", "--title", "Quxbaz Wobbel", "--territory", "12072014", "--topic", "landesplanung",
                 "--min-score", "0.9", store=store_dir)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_a_batch_from_csv_with_a_successor(store_dir: Path, tmp_path: Path) -> None:
    batch = tmp_path / "geplant.csv"
    batch.write_text(
        "id;Titel;Beschreibung;federführende Stelle;Partner;Gebiet;Themen;Beginn;Ende;Status;Zielgruppe;Nachfolger von\n"
        "n1;Online-Bürgerservice Brück 2;Online-Dienste der Verwaltung;;;120695904;e-government;2026-01-01;;geplant;"
        "buergerinnen-und-buerger;bsp-online-buergerservice-brueck\n", encoding="utf-8")
    result = cli("check", "--input", str(batch), "--format", "json", store=store_dir)
    assert result.returncode == 1, result.stderr
    rows = json.loads(result.stdout)
    excluded = [r for r in rows if r["initiative"].endswith("/bsp-online-buergerservice-brueck")]
    assert excluded and excluded[0]["art"] == "excluded" and "Nachfolger" in excluded[0]["erklaerung"]


def test_unknown_names_exit_2_with_suggestions(store_dir: Path) -> None:
    result = cli("check", "--title", "Irgendwas Neues", "--territory", "Uckermarkk", store=store_dir)
    assert result.returncode == 2
    assert "Uckermark (12073)" in result.stderr
    assert cli("overlaps", "--topic", "gibtsnicht", store=store_dir).returncode == 2
    assert cli("check", store=store_dir).returncode == 2
    assert cli("check", "--input", "/nicht/da.csv", store=store_dir).returncode == 2
