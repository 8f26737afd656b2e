# govkb: the two commands that matter are `make html` (build the site) and `make test`.
# Each creates .venv and installs the pinned dependencies (constraints.txt) when needed.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SPHINXOPTS ?= -j 2
BUILDDIR   ?= _build

.PHONY: html test check serve bench clean lock venv

venv: $(STAMP)

# The oldest Python the project supports (pyproject.toml: requires-python); the lock is
# resolved for it and every newer one (make lock).
PYTHON_FLOOR := 3.11

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || { \
	  $(PYTHON) -c 'import sys; sys.exit(sys.version_info < tuple(map(int, "$(PYTHON_FLOOR)".split("."))))' 2>/dev/null || { \
	    echo "make: PYTHON=$(PYTHON) is $$($(PYTHON) -c 'import platform; print("Python", platform.python_version())' 2>/dev/null || echo 'not a Python interpreter'); govkb needs Python $(PYTHON_FLOOR) or newer: run make PYTHON=/path/to/python3.12 (any $(PYTHON_FLOOR)+)" >&2; exit 2; }; \
	  $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $@

html: $(STAMP)
	$(BIN)/sphinx-build -W --keep-going $(SPHINXOPTS) -b html . $(BUILDDIR)/html

test: $(STAMP)
	$(BIN)/python -m pytest

# One verdict: a warning fails here as it fails `make html` (-W), the pre-commit hook and CI.
check: $(STAMP)
	$(BIN)/govkb check --strict
	$(BIN)/govkb codeowners --check

serve: $(STAMP)
	$(BIN)/sphinx-autobuild . $(BUILDDIR)/html --port 8000 --watch tooling/govkb \
		--ignore '$(BUILDDIR)/*' --ignore '$(VENV)/*' --ignore 'tests/*' --ignore 'benchmarks/*'

# Every speed and memory target, one after the other in one run (about 20 minutes on 2 cores):
# govkb check (repository, 10,000-rule corpus warm and cold), the site build at scale,
# govkb decide on 1,000,000 cases, and the KPIs over 10 million case records.
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/site.py
	$(BIN)/python benchmarks/decide.py
	$(BIN)/python benchmarks/metrics.py

# One pin per package for every Python from the floor up (no markers), so every user builds
# with the same Sphinx; uv is a pinned dev dependency.
lock: $(STAMP)
	$(BIN)/uv pip compile --quiet --universal --fork-strategy fewest --python-version $(PYTHON_FLOOR) \
		--extra dev --no-emit-package govkb pyproject.toml -o constraints.txt

clean:
	rm -rf $(BUILDDIR) .pytest_cache .mypy_cache
