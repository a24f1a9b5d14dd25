"""Data sets the project makes or imports: synthetic value chains and importers of public lists.

Each writes rows of the CSV template (``ingest.template``) and turns them into RDF through the
one row mapping (``ingest.rdf_rows``), so generated and imported data mean what a curator's
bundle means.
"""
