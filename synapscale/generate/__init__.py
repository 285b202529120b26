"""Deterministic synthetic landing data that looks like a real LLM SaaS (see docs/ingest.md, "Generator").

Everything is drawn from one numpy Generator seeded with `config.seed`, in a fixed order, with vectorised
numpy and polars operations (no loop over events), so the same config writes byte-identical files.

Shape of the data: workspaces of Zipf-like sizes, each with its own growth, start day and (for a few) a
decline; weekly and daily cycles (the daily cycle follows the workspace's timezone); a per-workspace model mix
over the 12 catalog models in several raw spellings (provider prefixes, Bedrock ids) plus ~0.5 % unknown
models; log-normal token counts; cache reads/writes only on caching models; latency and time-to-first-token
growing with output and differing per model; 1-3 % errors; gateway-reported cost on some calls; multi-message
conversations; tags; feedback on a few percent of messages with per-model quality and some re-sent versions;
workspace and user snapshots.

Modules: `config` (what to generate), `catalog` (model variants and vocabularies), `entities` (workspaces,
users), `usage` (events), `feedback`, `corruption` (bad, re-sent and late records), `dataset` (the files),
`batch` (a later daily landing of a data set).
"""

from synapscale.generate.config import GeneratorConfig
from synapscale.generate.dataset import write_dataset

__all__ = ["GeneratorConfig", "write_dataset"]
