"""SynapScale Analytics: ingestion, pricing import and the pipeline that builds and publishes the
warehouse."""
