"""A VoID description of the dataset: one ``void:Dataset`` per named graph with size and sources."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID, XSD

from .loading import CATALOG_GRAPH
from .namespaces import BASE, SG
from .queries import load_query
from .store import Store

__all__ = ["describe_dataset"]


def describe_dataset(store: Store) -> Graph:
    """The dataset and its named graphs as VoID.

    >>> describe_dataset(Store.in_memory()).value(predicate=RDF.type, object=VOID.Dataset) is not None
    True
    """
    void = Graph()
    void.bind("void", VOID)
    void.bind("dcterms", DCTERMS)
    void.bind("sg", SG)
    dataset = URIRef(BASE + "dataset")
    void.add((dataset, RDF.type, VOID.Dataset))
    void.add((dataset, DCTERMS.title, Literal("Synergraph", lang="de")))
    total = 0
    for row in store.select(load_query("void_datasets"), catalog=URIRef(CATALOG_GRAPH)):
        graph = URIRef(row["graph"])
        if (dataset, VOID.subset, graph) not in void:
            void.add((dataset, VOID.subset, graph))
            void.add((graph, RDF.type, VOID.Dataset))
            void.add((graph, SG.sourceFile, Literal(row["file"])))
            void.add((graph, VOID.triples, Literal(row["triples"], datatype=XSD.integer)))
            void.add((graph, DCTERMS.modified, Literal(row["modified"])))
            total += int(row["triples"])
        if "source" in row:
            void.add((graph, DCTERMS.source, URIRef(row["source"])))
    void.add((dataset, VOID.triples, Literal(total, datatype=XSD.integer)))
    return void
