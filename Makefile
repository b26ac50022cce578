# bmdsim: every target creates .venv and installs what it needs (no manual set-up).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BMDSIM := $(VENV)/bin/bmdsim
# --no-compile: no bytecode for every installed file (Python compiles what it imports)
PIP := $(PY) -m pip install --disable-pip-version-check -q --no-compile
# uv (from PyPI, into .tools/) creates the venv and installs into it, about 3x faster than
# venv + pip for numba, scipy, pyarrow...; where uv cannot be had, venv and pip do it all.
UV := .tools/bin/uv
# $(call INSTALL,ARGS)
INSTALL = { test -x $(UV) && $(UV) pip install -q --python $(PY) $(1); } || $(PIP) $(1)
TEST_EXTRAS := '.[test,dev]'
BENCH_EXTRAS := '.[test,bench]'
# CesiumJS for the 3-D replay (globe.html), from the npm registry; 1.141+ needs Node >= 22
CESIUM_VERSION := 1.140.0
CESIUM := .cesium/node_modules/cesium/Build/Cesium/Cesium.js

.PHONY: demo test bench lint clean cesium system-deps

$(VENV)/bin/python:
	{ $(PYTHON) -m pip install -q --disable-pip-version-check --target .tools uv >/dev/null 2>&1 \
	  && $(UV) venv -q --seed --python $(PYTHON) $(VENV); } || $(PYTHON) -m venv $(VENV)

$(VENV)/.base: pyproject.toml | $(VENV)/bin/python
	$(call INSTALL,-e .)
	touch $@

$(VENV)/.test: pyproject.toml | $(VENV)/bin/python
	$(call INSTALL,-e $(TEST_EXTRAS))
	touch $@

$(VENV)/.bench: pyproject.toml | $(VENV)/bin/python
	$(call INSTALL,-e $(BENCH_EXTRAS))
	touch $@

## cesium: a local CesiumJS for `bmdsim view` (offline 3-D replay)
$(CESIUM):
	npm install --prefix .cesium --no-audit --no-fund --loglevel=error cesium@$(CESIUM_VERSION)

cesium: $(CESIUM)

## system-deps: Debian's chromium for the browser tests (apt-get; see .ci/install-system-deps)
system-deps:
	.ci/install-system-deps

## demo: the headline study: the four cooperation architectures on PAA phase III (2018)
demo: $(VENV)/.base
	$(BMDSIM) precompile --quiet
	$(BMDSIM) compare scenarios/paa-phase-3.yaml --out runs/paa-phase-3
	@echo "report:     runs/paa-phase-3/report.html (open it in a browser; README explains it)"
	@echo "3-D replay: bmdsim view runs/paa-phase-3   (after 'make cesium' for an offline globe)"

## test: the whole suite (unit, property, validation, end-to-end, browser), in TEST_JOBS
## processes (pytest-xdist). No test may rely on another's output: the README's lines that do
## run in one test (tests/e2e/test_readme.py; xdist_group no longer groups under pytest 9.2).
## The kernels are compiled first, once, side by side: otherwise each test process compiled
## every kernel it used for itself (decision 0021)
TEST_JOBS ?= 2
test: $(VENV)/.test $(CESIUM) system-deps
	$(BMDSIM) precompile --jobs $(TEST_JOBS) --quiet
	$(PY) -m pytest -q -n $(TEST_JOBS) --dist loadgroup

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
	$(PY) benchmarks/bench_sweep.py

lint: $(VENV)/.test
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/mypy src

clean:
	rm -rf $(VENV) $(PEER_VENV) .tools .cesium demo-out runs test-artifacts .pytest_cache .mypy_cache \
		.ruff_cache
