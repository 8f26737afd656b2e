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

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $@

html: $(STAMP)
	$(BIN)/sphinx-build -W --keep-going $(SPHINXOPTS) -b html . $(BUILDDIR)/html

test: $(STAMP)
	$(BIN)/python -m pytest

check: $(STAMP)
	$(BIN)/govkb check

serve: $(STAMP)
	$(BIN)/sphinx-autobuild . $(BUILDDIR)/html --port 8000 --watch tooling/govkb \
		--ignore '$(BUILDDIR)/*' --ignore '$(VENV)/*' --ignore 'tests/*' --ignore 'benchmarks/*'

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | sed '1i # Pinned versions for make html / make test (pip install -c constraints.txt). Regenerate with: make lock' > constraints.txt

clean:
	rm -rf $(BUILDDIR) .pytest_cache .mypy_cache
