"""FHIR RESTful interactions independent of the web framework (see README.md)."""
