"""SynapScale Analytics: the command line and the orchestration of the warehouse (pipeline, billing periods,
price-catalog import, synthetic data). Ingestion proper lives in the `ingest` package below it."""
