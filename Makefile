# Two commands do everything: `make demo` (install, sample data, pipeline, dashboard) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501
ADDRESS ?= localhost
DEMO_EVENTS ?= 200000
DEMO_DAYS ?= 240
BENCH_EVENTS ?= 10000000
export SYNAPSCALE_WAREHOUSE ?= $(CURDIR)/warehouse
export SYNAPSCALE_LANDING ?= $(CURDIR)/landing

.PHONY: install demo data run serve test lint format benchmark clean

$(BIN)/synapscale: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@

install: $(BIN)/synapscale

# Sample landing data (deterministic); generated once, reused on re-runs.
$(SYNAPSCALE_LANDING)/.generated: | $(BIN)/synapscale
	$(BIN)/synapscale generate --events $(DEMO_EVENTS) --days $(DEMO_DAYS) --workspaces 24 --users 360 \
		--seed 42 --out $(SYNAPSCALE_LANDING)
	@touch $@

data: $(SYNAPSCALE_LANDING)/.generated

run: install
	$(BIN)/synapscale run

demo: install data run serve

serve: install
	@echo "Dashboard: http://$(ADDRESS):$(PORT)  (Ctrl-C to stop)"
	$(BIN)/streamlit run app/streamlit_app.py --server.address $(ADDRESS) --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint models tests/dbt macros

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/sqlfluff fix models tests/dbt

# The main job, the dashboard's queries and the bare lower bound at BENCH_EVENTS (docs/benchmarks.md); the
# generated data sets are kept in .bench/ and reused. benchmarks/ingest_throughput.py times ingest shapes alone.
benchmark: install
	$(BIN)/synapscale bench --events $(BENCH_EVENTS)

clean:
	rm -rf warehouse target logs
