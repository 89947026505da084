# Two entry points do all set-up on a fresh Debian machine (Python 3.11):
#   make run   installs what the app needs and starts it
#   make test  installs what the tests need (Chromium included) and runs them all
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
ADDRESS ?= localhost

.PHONY: run test lint bench browser libreoffice deploy-tools clean-venv

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Debian's Chromium: browser tests and static images of charts (PDF exports).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core; }

# LibreOffice Impress: the test that the COPIL pack opens without repair (pptx → pdf).
libreoffice:
	@command -v soffice >/dev/null 2>&1 || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-impress; }

# Debian's nginx and systemd-analyze: the tests run the shipped deploy/ files for real
# (nginx in front of the app in the browser suite, `nginx -t`, `systemd-analyze verify`).
# Installing nginx does not start it here (the tests start their own, on free ports).
deploy-tools:
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx; }
	@command -v systemd-analyze >/dev/null 2>&1 || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd; }

run: $(VENV)/.runtime
	$(PY) -m streamlit run serve.py --server.port $(PORT) --server.address $(ADDRESS)

lint: $(VENV)/.dev
	$(PY) -m ruff check .

test: $(VENV)/.dev browser libreoffice deploy-tools
	$(PY) -m ruff check .
	$(PY) -m pytest

bench: $(VENV)/.dev browser
	$(PY) -m qualepref.bench

clean-venv:
	rm -rf $(VENV)
