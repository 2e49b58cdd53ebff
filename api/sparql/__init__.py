"""The SPARQL 1.1 endpoint: Protocol (``protocol``), Graph Store Protocol (``graph_store``), Service
Description and VoID (``description``), writes with tokens (``update``, ``tokens``), query workers
(``workers``) and content negotiation (``negotiation``).

Deliberately imports nothing: a query worker process imports ``workers`` without the web framework.
"""
