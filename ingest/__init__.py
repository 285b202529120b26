"""Ingestion proper: landing files -> schema `raw` of the build database (raw contract, readers, detection,
adapters, validation with quarantine, de-duplication, one transaction per file, the load manifest)."""
