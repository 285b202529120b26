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

.PHONY: install demo data run serve test test-fast lint format benchmark clean deps-python deps-browser deps-spark deps-deploy

# $(call debian_package,CHECK,PACKAGE,WHAT): when CHECK fails, install Debian's PACKAGE if this user may (root, or
# passwordless sudo), else stop at once with the one command to run.
define debian_package
	@if ! $(1) >/dev/null 2>&1; then \
	  if ! command -v apt-get >/dev/null 2>&1; then \
	    echo "make: $(3) needs $(2) (a Debian package name); install it with your system's package manager" >&2; exit 1; \
	  elif [ "$$(id -u)" = 0 ]; then sudo=""; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; \
	  else echo "make: $(3) needs Debian's $(2), which is not installed. Run: sudo apt-get install -y $(2)" >&2; exit 1; fi; \
	  echo "== installing Debian's $(2) ($(3))"; \
	  $$sudo apt-get update -q && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(2) || exit 1; \
	fi
endef

# Python >= 3.11 with venv (Debian ships venv apart, as python3-venv).
deps-python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
		{ echo "make: needs Python >= 3.11 as $(PYTHON) (or make PYTHON=python3.11 ...)" >&2; exit 1; }
	$(call debian_package,$(PYTHON) -c 'import ensurepip; import venv',python3-venv,the virtual environment)

# Headless Chromium for the browser test (Debian's package; Playwright drives it, no browser download).
deps-browser:
	$(call debian_package,command -v chromium,chromium,the browser test)

# logrotate for the deploy test: it rotates the cron log with deploy/logrotate/synapscale (Debian's package).
deps-deploy:
	$(call debian_package,{ command -v logrotate || test -x /usr/sbin/logrotate; },logrotate,the deploy test)

# Apache Spark for the Spark tests (docs/spark.md): a Java runtime (Debian's headless JRE 17) and the project's
# optional spark extra (dbt-spark, pyspark: about 1.5 min to install), only when they are missing.
deps-spark: install
	$(call debian_package,java -version,openjdk-17-jre-headless,Spark)
	@$(BIN)/python -c 'import pyspark, dbt.adapters.spark' 2>/dev/null || \
		{ echo "== installing the spark extra (dbt-spark, pyspark)"; $(BIN)/pip install --quiet -e ".[dev,spark]"; }

$(BIN)/synapscale: pyproject.toml | deps-python
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

# Everything CI runs: system packages, install, lint, then every test (make test-fast is the quick loop).
test: install deps-browser deps-deploy deps-spark lint
	$(BIN)/python -m pytest

# The quick inner loop: every test that builds no warehouse, on two cores (pytest-xdist).
test-fast: install
	$(BIN)/python -m pytest -m "not slow" -n 2

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

# docs/screenshots/: the demo data in a temporary warehouse, served and photographed in headless Chromium.
.PHONY: screenshots
screenshots: install
	$(BIN)/python -m tests.app.screenshots --out docs/screenshots
