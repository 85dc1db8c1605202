# Terrain — `make run` starts the platform, `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: run test check bench clean browser

$(PY):
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(VENV)/bin/lab up

test: $(VENV)/.installed-dev browser
	$(PY) -m pytest $(PYTEST_ARGS)

check: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check lab experiments storage ui tests bench
	$(VENV)/bin/mypy

bench: $(VENV)/.installed-dev
	@for f in bench/*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

# The UI test drives Debian's Chromium (no browser download at run time).
browser:
	@command -v chromium >/dev/null || { \
	  echo "installing Debian's chromium for the UI test"; \
	  apt-get install -y -q chromium >/dev/null || \
	  { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }; }

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
