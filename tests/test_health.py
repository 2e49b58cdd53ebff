"""An operator starts the service and checks that it is up."""

from __future__ import annotations

import httpx
from conftest import Server


def test_health_answers_over_a_real_server(server: Server) -> None:
    response = httpx.get(server.url + "/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    graphs = {g["iri"]: g["triples"] for g in body["graphs"]}
    assert "https://w3id.org/synergraph/graph/destatis-gv-auszug-2020-12-31" in graphs
    assert body["triples"] == sum(graphs.values()) > 10_000
    assert body["version"]
    assert body["store"].endswith("store")
