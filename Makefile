# bmdsim: every target creates .venv and installs what it needs (no manual set-up).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BMDSIM := $(VENV)/bin/bmdsim
PIP := $(PY) -m pip install --disable-pip-version-check -q

.PHONY: demo test bench lint clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.base: pyproject.toml | $(VENV)/bin/python
	$(PIP) -e .
	touch $@

$(VENV)/.test: pyproject.toml | $(VENV)/bin/python
	$(PIP) -e '.[test,dev]'
	touch $@

$(VENV)/.bench: pyproject.toml | $(VENV)/bin/python
	$(PIP) -e '.[test,bench]'
	touch $@

## demo: the headline study: the four cooperation architectures on PAA phase III (2018)
demo: $(VENV)/.base
	$(BMDSIM) compare scenarios/paa-phase-3.yaml --out runs/paa-phase-3
	@echo "results: runs/paa-phase-3/summary.json (table above; docs/metrics.md explains it)"

## test: the whole suite (unit, property, validation, end-to-end)
test: $(VENV)/.test
	$(PY) -m pytest -q

## bench: throughput ratios against baselines measured in the same run (benchmarks/README.md)
# pytrajlib (GPL, benchmark-only peer) lives in its own venv, never in $(VENV); run.py calls it
# in a subprocess. If it cannot be installed, the bench still runs and reports it as skipped.
PEER_VENV := .venv-peer
PEER_PKGS := pytrajlib==1.0.0a6 numpy scipy

$(PEER_VENV)/.stamp:
	rm -rf $(PEER_VENV)
	$(PYTHON) -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/python -m pip install --disable-pip-version-check -q $(PEER_PKGS) \
		&& touch $@ \
		|| { echo "warning: pytrajlib peer venv not installed; vs_pytrajlib is skipped"; \
		     rm -rf $(PEER_VENV); }

bench: $(VENV)/.bench $(PEER_VENV)/.stamp
	$(PY) benchmarks/run.py
	$(PY) benchmarks/bench_engagement.py
	$(PY) benchmarks/bench_compare.py

lint: $(VENV)/.test
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/mypy src

clean:
	rm -rf $(VENV) $(PEER_VENV) demo-out runs .pytest_cache .mypy_cache .ruff_cache
