"""The service layer: the facade, the one writer, caches and every SPARQL read the facade runs.

Faces (CLI, API, notebooks) call ``KnowledgeGraph``; it reads options, resolves ids, takes a
projection, makes one analysis call and shapes one answer.
"""
