# shequlab task runner: the verbs README.md and CONTRIBUTING.md document. `make help` lists them.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# The interpreter that creates $(VENV): python3.11 when present, else python3 (checked below).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || echo python3)

STAMP := $(VENV)/.installed
# JupyterLab settings (overrides.json) and nbgrader_config.py for the lab extensions (the
# Assignments tab, Validate); `make start` puts this folder on JUPYTER_CONFIG_PATH.
LAB_CONFIG := deploy/jupyterlab
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json

# `make start PORT=8899 TOKEN=secret`; an empty TOKEN lets Jupyter generate one and print it.
PORT ?= 8888
TOKEN ?=
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
LAB_URL := http://127.0.0.1:$(PORT)/lab$(if $(TOKEN),?token=$(TOKEN))

PYTEST_ARGS ?=
# Test workers (pytest-xdist): a whole test file per worker; tests/conftest.py keeps some files together.
TEST_WORKERS ?= 2

# The page script of the Voila apps, bundled with npm and esbuild (Node.js from the venv).
FRONTEND := src/shequlab/apps/frontend
APP_JS := src/shequlab/apps/share/voila/templates/shequlab/static/shequlab-app.js
NPM := env PATH='$(CURDIR)/$(BIN)':"$$PATH" npm --prefix $(FRONTEND)

.PHONY: help install start test system-deps lint format bench clean

help: ## List the verbs
	@echo "make <verb>   (shequlab)"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

install: $(STAMP) $(LAB_OVERRIDES) $(APP_JS) ## Create .venv (Python 3.11), install shequlab and dev tools, build the app page script

$(STAMP): pyproject.toml
	@if [ ! -x $(PY) ]; then \
		echo "creating $(VENV) with $(PYTHON)"; \
		$(PYTHON) -m venv $(VENV); \
	fi
	@$(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { \
		echo "ERROR: $(VENV) is not Python 3.11 ($$($(PY) --version)). Remove $(VENV) and run" \
		     "'make install PYTHON=/path/to/python3.11'." >&2; exit 1; }
	$(PY) -m pip install --disable-pip-version-check -e '.[dev]'
	@# App kernels run with -OO: compile their optimised bytecode once, not on every kernel start.
	$(PY) -m compileall -q -j 0 -o 2 "$$($(PY) -c 'import sysconfig; print(sysconfig.get_path("purelib"))')"
	@touch $@

$(APP_JS): $(STAMP) $(FRONTEND)/package.json $(FRONTEND)/package-lock.json $(FRONTEND)/build.mjs $(wildcard $(FRONTEND)/src/*.* $(FRONTEND)/src/lite/*)
	$(NPM) ci --no-audit --no-fund --loglevel=error
	LAB_CSS='$(CURDIR)/$(VENV)/share/jupyter/nbconvert/templates/lab/static/index.css' $(NPM) run build
	@touch $@

# The Chinese UI: JupyterLab reads setting overrides from <prefix>/share/jupyter/lab/settings.
$(LAB_OVERRIDES): $(LAB_CONFIG)/overrides.json $(STAMP)
	@mkdir -p $(dir $@)
	cp $< $@

start: install ## Validate the data, build and release the course, run JupyterLab (PORT, TOKEN)
	@$(PY) -c 'import socket, sys; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1])))' '$(PORT)' 2>/dev/null || { \
		echo "ERROR: 端口 $(PORT) 已被占用 / port $(PORT) is already in use." \
		     "Stop the other server or choose another port: make start PORT=8899" >&2; exit 1; }
	$(BIN)/shequlab data validate
	@if $(BIN)/shequlab course --help >/dev/null 2>&1; then \
		echo "$(BIN)/shequlab course build"; $(BIN)/shequlab course build; \
	fi
	$(PY) $(LAB_CONFIG)/release_modules.py
	@echo ""
	@echo "JupyterLab 正在启动 / starting at $(LAB_URL)"
	@$(if $(TOKEN),,echo "访问令牌见下方 Jupyter 日志 / the access token is in Jupyter's log below";)
	@echo ""
	@exec env $(if $(TOKEN),JUPYTER_TOKEN='$(TOKEN)') \
		JUPYTER_CONFIG_PATH='$(CURDIR)/$(LAB_CONFIG)'$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH} \
		$(BIN)/jupyter lab \
		--no-browser --ip=127.0.0.1 --port='$(PORT)' --ServerApp.port_retries=0 \
		--ServerApp.root_dir='$(CURDIR)' $(ALLOW_ROOT)

system-deps: ## Install chromium, fonts-noto-cjk, bubblewrap with apt-get (as root; else warn)
	@scripts/system-deps.sh

test: system-deps install ## Run the whole test suite (browser and server tests included)
	@status=0; $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then \
		echo "ERROR: pytest collected no tests (exit 5). Check tests/ and PYTEST_ARGS." >&2; \
	fi; \
	exit $$status

lint: install ## Check style: ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## Rewrite style: ruff format, then ruff check --fix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install ## Run the benchmarks (benchmarks/run.py)
	$(PY) benchmarks/run.py

# Build products and caches only. Datasets, trainees' submissions, grades, the gradebook and its
# backups, benchmark results and .venv are kept.
clean: ## Remove build products and caches (keeps datasets, submissions, grades, .venv)
	rm -rf build dist src/*.egg-info test-artifacts .pytest_cache .ruff_cache
	rm -rf $(FRONTEND)/node_modules $(dir $(APP_JS))
	rm -rf grading/source grading/release
	[ ! -d notebooks ] || find notebooks -mindepth 3 -maxdepth 3 -type d -name data -prune -exec rm -rf {} +
	find . -path ./$(VENV) -prune -o \
		\( -name __pycache__ -o -name .ipynb_checkpoints \) -type d -prune -exec rm -rf {} +
