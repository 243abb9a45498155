"""Facts in, knowledge graph out: RDF, the pyoxigraph store, networks, views, SPARQL."""
