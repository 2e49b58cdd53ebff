"""A script asks the REST API for overlaps, duplicates, clusters and a pre-check, and an analyst records a decision."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import Server

TOKEN = "geheimes-test-token-fuer-befunde"


@pytest.fixture(scope="module")
def api(seeded_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    copy = tmp_path_factory.mktemp("findings-api") / "store"
    shutil.copytree(seeded_store_dir, copy)
    digest = hashlib.sha256(TOKEN.encode("utf-8")).hexdigest()
    running = Server(copy, env={"SYNERGRAPH_TOKENS": f"analyse=sha256:{digest}"})
    yield running
    running.stop()


def test_overlaps_paged_and_linked_to_pages(api: Server) -> None:
    page = httpx.get(api.url + "/api/overlaps", params={"limit": 3, "min_severity": "hoch"}, timeout=60).json()
    assert page["total"] >= 4 and len(page["items"]) == 3
    item = page["items"][0]
    assert item["severity"] == "hoch" and item["members"][0]["page"].startswith("/id/responsibility/")
    second = httpx.get(api.url + "/api/overlaps", params={"limit": 3, "offset": 3, "min_severity": "hoch"},
                       timeout=60).json()
    assert {i["id"] for i in second["items"]}.isdisjoint({i["id"] for i in page["items"]})


def test_bad_filters_are_problems(api: Server) -> None:
    response = httpx.get(api.url + "/api/overlaps", params={"territory": "Uckermarkk"}, timeout=60)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert any("Uckermark" in s for s in response.json()["allowed"])
    assert httpx.get(api.url + "/api/duplicates", params={"kind": "vielleicht"}, timeout=60).status_code == 422


def test_duplicates_clusters_and_openapi(api: Server) -> None:
    pairs = httpx.get(api.url + "/api/duplicates", params={"kind": ["duplicate", "parallel"]}, timeout=60).json()
    kinds = {p["kind"] for p in pairs["items"]}
    assert kinds == {"duplicate", "parallel"}
    assert all(p["evidence"] and p["members"][0]["page"].startswith("/id/initiative/") for p in pairs["items"])
    clusters = httpx.get(api.url + "/api/clusters", timeout=60).json()
    assert clusters["total"] >= 1
    paths = httpx.get(api.url + "/openapi.json", timeout=60).json()["paths"]
    assert {"/api/overlaps", "/api/duplicates", "/api/clusters", "/api/check"} <= set(paths)


def test_check_ranks_existing_initiatives_and_bodies(api: Server) -> None:
    body = {"title": "Funknetz für Sensoren in Eberswalde", "description": "LoRaWAN-Sensoren für Parkplätze",
            "territories": ["12060052"], "topics": ["smart-city"], "target_groups": ["buergerinnen-und-buerger"],
            "start": "2025-01-01"}
    result = httpx.post(api.url + "/api/check", json=body, timeout=60).json()
    top = {m["members"][1]["iri"].rsplit("/", 1)[-1] for m in result["matches"][:2]}
    assert top == {"bsp-lorawan-sensorik-eberswalde", "bsp-iot-funknetz-eberswalde"}
    unknown = httpx.post(api.url + "/api/check", json={**body, "lead": "Stadtverwaltung Ebersvalde"}, timeout=60)
    assert unknown.status_code == 422 and unknown.json()["parameter"] == "lead"


def test_decision_needs_a_token_and_is_shown_afterwards(api: Server) -> None:
    item = httpx.get(api.url + "/api/duplicates", timeout=60).json()["items"][0]
    url = f"{api.url}/api/findings/{item['id']}/decision"
    decision = {"decision": "confirmed", "reason": "Beide Stellen legen ihre Vorhaben zusammen."}
    assert httpx.post(url, json=decision, timeout=60).status_code == 401
    assert httpx.post(url, json=decision, headers={"Authorization": "Bearer falsch"}, timeout=60).status_code == 403
    ok = httpx.post(url, json=decision, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120)
    assert ok.status_code == 200, ok.text
    assert ok.json()["token"] == "analyse"
    again = httpx.get(api.url + "/api/duplicates", timeout=60).json()["items"]
    assert next(i for i in again if i["id"] == item["id"])["decision"] == "confirmed"
    missing = httpx.post(f"{api.url}/api/findings/0000/decision", json=decision,
                         headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120)
    assert missing.status_code == 404
