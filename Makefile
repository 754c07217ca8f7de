# Quick start: `make run` serves the demo; `make test` runs every test.
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint format bench install install-dev chromium proxies messages access-doc lock audit config-doc clean

# Every package, transitive ones included, is pinned with its hashes (`make lock` writes the
# files from requirements.in and requirements-dev.in); pip refuses anything else.
$(VENV)/installed: requirements.txt
	test -d $(VENV) || python3 -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check --require-hashes -r requirements.txt
	touch $@

$(VENV)/installed-dev: requirements.txt requirements-dev.txt $(VENV)/installed
	$(PIP) install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.txt
	touch $@

# Biome, the JavaScript linter and formatter, pinned in package-lock.json. Installed once, so
# `make lint` and `make test` need no network afterwards.
node_modules/installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/installed
install-dev: $(VENV)/installed-dev node_modules/installed

# Browser tests use Debian's Chromium; Playwright's own browser download can't work here. Its
# headless shell, the build Playwright itself runs headless tests in, without the desktop
# browser's interface: the browser tests took 25% less time in it (tests/browser/chromium.py).
chromium:
	@test -x /usr/bin/chromium-headless-shell || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-headless-shell >/dev/null)

# The deployment tests (tests/test_deploy.py) run Debian's Caddy and check Debian's nginx.
proxies:
	@test -x /usr/bin/caddy -a -x /usr/sbin/nginx || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq caddy nginx >/dev/null)

run: install
	WELLBEING_SESSION_COOKIE_SECURE=false $(FLASK) migrate
	WELLBEING_SESSION_COOKIE_SECURE=false $(FLASK) demo
	@echo "Open http://$(HOST):$(PORT) in a phone-sized browser window. Stop with Ctrl-C."
	@# Served as the server serves it (wellbeing/serving.py: granian, no access log).
	@# Plain http on this machine: the session cookie may not be marked Secure (docs/operations.md).
	WELLBEING_BIND=$(HOST):$(PORT) WELLBEING_SESSION_COOKIE_SECURE=false $(PY) -m wellbeing.serving

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	node_modules/.bin/biome ci static tests/browser/scripts
	@# The service worker is a Jinja template (templates/pwa/sw.js): Biome lints it as the app
	@# sends it, rendered by `flask pwa worker` with a throwaway instance folder.
	@worker=$$(mktemp -d) && WELLBEING_INSTANCE_PATH=$$worker WELLBEING_SESSION_COOKIE_SECURE=false \
		$(FLASK) pwa worker $$worker/sw.js && node_modules/.bin/biome lint --error-on-warnings --diagnostic-level=warn $$worker/sw.js; \
		status=$$?; rm -rf $$worker; exit $$status

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .
	node_modules/.bin/biome check --write static tests/browser/scripts

# Tests run on several workers at once (pytest-xdist), each with its own databases, ports and
# Chromium. Each worker's share starts with its part of the longest tests (tests/conftest.py,
# LONGEST_FIRST), and `worksteal` hands a busy worker's unstarted tests to an idle one.
# One worker more than the CPUs: a worker often waits (on its server, its browser, a timer),
# and the extra one keeps the CPUs busy. On the 2-CPU machine the suite is timed on it took
# 347 s with three workers (the CPUs idle for 14 of 694 CPU-seconds) against 372 s with two
# (idle 86 of 748); four took longer again, their Chromiums fighting over the CPUs.
# TEST_WORKERS=1 runs them one after another.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
# Bytecode is kept even where the machine sets PYTHONDONTWRITEBYTECODE (this one does): each
# worker, and each server a test starts, compiled the app and rewrote the tests' asserts again;
# collecting the suite took 4.3 s instead of 1.0 s.
test: install-dev chromium proxies lint
	env -u PYTHONDONTWRITEBYTECODE $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist worksteal --durations=15

# Load tests use Debian's wrk. The bench rewrites docs/benchmarks.md; its last line sums it up.
bench: install-dev chromium
	@test -x /usr/bin/wrk || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	$(PY) bench/run.py

# Write docs/access.md's route table again from the access rules (tests/access_rules.py).
access-doc: install-dev
	PYTHONPATH=. $(PY) tests/access_rules.py

# Pin and hash every package again after editing requirements.in or requirements-dev.in.
COMPILE := $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
lock: $(VENV)/installed-dev
	$(COMPILE) -o requirements.txt requirements.in
	$(COMPILE) -o requirements-dev.txt requirements-dev.in

# Known vulnerabilities in the pinned packages, from PyPI's advisory data. Not part of `make
# test`: it needs the network, and an advisory published tomorrow must not fail today's build.
audit: install-dev
	$(VENV)/bin/pip-audit --disable-pip --require-hashes -r requirements.txt -r requirements-dev.txt

# Write docs/configuration.md again from the settings table (wellbeing/settings.py).
config-doc: install
	$(PY) -m wellbeing.settings > docs/configuration.md

# Extract every interface string for translators.
messages: install
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -o wellbeing/translations/messages.pot .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache node_modules
