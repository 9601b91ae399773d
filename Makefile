# Two commands: `make run` serves the app on demo data; `make test` runs every test.
# Both set everything up on a fresh machine (a .venv with pinned requirements, the
# demo database, and, for tests, Debian's chromium for the browser tests).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB := data/demo.duckdb
PORT ?= 8501
# The address `make run` listens on: this machine only, unless the council chooses another
# (`make run ADDRESS=0.0.0.0` listens on every interface: turn sign-in on first, see the
# README's "Hosting for a council").
ADDRESS ?= localhost
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: run test test-pure setup setup-dev demo bytecode chromium libreoffice nginx replicas lint bench clean

# The inner loop: pure functions and small hand-built stores, under a minute
# (tests marked `pure`; those needing the real files or marked `slow` are left to the full run).
PURE := pure and not reference and not slow

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

setup: $(VENV)/.runtime
setup-dev: $(VENV)/.dev

# The demo database is rebuilt when the generator or the loaders change.
$(DEMO_DB): $(VENV)/.runtime $(wildcard demo/*.py) $(wildcard loaders/*.py)
	$(BIN)/python -m loaders demo --db $(DEMO_DB)

demo: $(DEMO_DB)

# The project's modules compiled once here, as pip compiles the packages it installs: a
# server whose folder it may not write to (a read-only deployment, or Python told not to
# write bytecode) otherwise compiles every module it imports at each start, about 0.13 s
# of a first page's imports on the 2-core machine. Only changed files are compiled again.
PACKAGES := app.py app_pages ui indicators loaders charts domain exports deploy demo
bytecode: $(VENV)/.runtime
	$(BIN)/python -m compileall -q $(PACKAGES) >/dev/null

# `python -m ui.serve` is `streamlit run app.py` (same options) that starts the first
# page's work (imports, the store's indicator tables) as soon as the server is up,
# while the browser loads Streamlit's front end (ui/serve.py).
run: $(VENV)/.runtime $(DEMO_DB) bytecode
	$(BIN)/python -m ui.serve --server.headless true --server.address $(ADDRESS) \
		--server.port $(PORT) --browser.gatherUsageStats false

# Debian's chromium serves both Playwright and kaleido; never `playwright install`.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian chromium for the browser tests"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq --no-install-recommends chromium fonts-liberation libatomic1; }

# Debian's nginx, in front of the replicas (`make replicas`, the end-to-end replica test).
# When it cannot be installed (no network, no sudo) that one test skips and says why.
nginx:
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { \
		echo "Installing Debian nginx for the replica set-up"; \
		{ $(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq --no-install-recommends nginx; } \
		|| echo "nginx could not be installed: the replica end-to-end test will be skipped"; }

# One writer, READERS readers and nginx on REPLICAS_PORT, over a copy of the demo store
# (README, "Running it for a council"); Ctrl-C stops them all.
REPLICAS_DIR ?= data/replicas
REPLICAS_PORT ?= 8080
READERS ?= 2
replicas: $(VENV)/.runtime $(DEMO_DB) bytecode nginx
	mkdir -p $(REPLICAS_DIR)
	cp $(DEMO_DB) $(REPLICAS_DIR)/writer.duckdb
	$(BIN)/python -m deploy.replicas --store $(REPLICAS_DIR)/writer.duckdb \
		--workdir $(REPLICAS_DIR) --port $(REPLICAS_PORT) --readers $(READERS)

# LibreOffice draws the meeting pack's slides as pictures for the render test. Optional:
# when it cannot be installed (no network, no sudo) that one test skips and says why.
libreoffice:
	@command -v soffice >/dev/null 2>&1 || { \
		echo "Installing LibreOffice Impress for the slide render test (optional)"; \
		$(SUDO) apt-get install -y -qq --no-install-recommends libreoffice-impress poppler-utils \
		|| echo "LibreOffice could not be installed: the slide render test will be skipped"; }

# axe-core for the accessibility tests: pinned, fetched once from the npm registry,
# checked against its SHA-256, kept in the git-ignored .cache/.
.cache/axe-core/axe.min.js:
	mkdir -p .cache/axe-core
	cd .cache && npm pack --silent axe-core@4.14.1 >/dev/null
	tar -xzOf .cache/axe-core-4.14.1.tgz package/axe.min.js > $@.tmp
	rm -f .cache/axe-core-4.14.1.tgz
	echo "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c  $@.tmp" | sha256sum -c --quiet
	mv $@.tmp $@

lint: $(VENV)/.dev
	$(BIN)/ruff check .

# Every test: the inner loop first (it fails in seconds on most mistakes), then the rest.
test: $(VENV)/.dev $(DEMO_DB) bytecode chromium libreoffice nginx .cache/axe-core/axe.min.js
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -m "$(PURE)"
	$(BIN)/python -m pytest -m "not ($(PURE))"

test-pure: $(VENV)/.dev
	$(BIN)/python -m pytest -m "$(PURE)"

bench: $(VENV)/.dev
	$(BIN)/python benchmarks/load_release.py

clean:
	rm -rf $(VENV) $(DEMO_DB) $(DEMO_DB).wal .pytest_cache
	find $(PACKAGES) -name __pycache__ -type d -prune -exec rm -rf {} +
