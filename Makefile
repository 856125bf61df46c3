# make demo: install everything (ngspice, a virtualenv, circuitnet) and run the example.
# make test: install everything, run ruff and mypy over circuitnet/ (make lint), then the whole
#            test suite.
# make quick: the quick loop: every test not marked slow (pytest -m "not slow").
# make lint: ruff and mypy over circuitnet/ (configured in pyproject.toml).
# make docs: build the documentation site into site/ (strict: a broken link fails), running
#            the tutorial on the way.
# Works on a fresh Debian/Ubuntu machine with only Python: ngspice and libngspice0 come
# from apt-get (through sudo when not root; on Debian 12 from bookworm-backports, for the KLU
# solver: see .ci/install-ngspice), and so does KiCad's kicad-cli for the KiCad checks
# (.ci/install-kicad), the Python packages from PyPI into .venv.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq

# What `make test` runs before pytest: ruff and mypy over circuitnet/ (docs/contributing.md).
# A finding of either fails `make test`, and so CI, before a test runs.
TEST_CHECKS := lint

.PHONY: demo test quick lint docs docs-serve system-deps netlists figures clean

demo: $(BIN)/.installed
	$(BIN)/python examples/lecture_picture.py --topologies diode --out out/demo

test: $(BIN)/.installed $(TEST_CHECKS)
	$(BIN)/python -m pytest

# The quick loop while you work: the tests not marked slow (docs/contributing.md).
quick: $(BIN)/.installed
	$(BIN)/python -m pytest -m "not slow"

# Both run, so one report shows every finding; the target fails if either found any.
lint: $(BIN)/.installed
	@status=0; $(BIN)/ruff check circuitnet || status=1; $(BIN)/mypy || status=1; exit $$status

# The site: MkDocs with mkdocstrings. docs/hooks.py writes the command pages from the parser
# and runs docs/tutorial.py, so a change to either shows (or fails) here.
docs: $(BIN)/.docs-installed
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

docs-serve: $(BIN)/.docs-installed
	$(BIN)/mkdocs serve

$(BIN)/.docs-installed: $(BIN)/.installed pyproject.toml
	$(BIN)/python -m pip install -q -e '.[docs]'
	touch $@

# Regenerate the canonical model files and netlists in netlists/ (a test checks they match).
netlists: $(BIN)/.installed
	$(BIN)/python -m circuitnet.interface.catalogue netlists

# Regenerate the pictures of the README and the docs (examples/figures/).
figures: $(BIN)/.installed
	$(BIN)/python examples/one_elbow.py --out examples/figures
	$(BIN)/python examples/quickstart.py
	cp out/quickstart.png examples/figures/quickstart.png
	$(BIN)/python examples/surrogate_knee.py --out examples/figures
	$(BIN)/python examples/lecture_picture.py --out examples/figures/fits
	cp examples/figures/fits/fit-*.png examples/figures/
	$(BIN)/python examples/board_differs.py --out examples/figures
	$(BIN)/circuitnet compare netlists/eight_diode.json --out examples/figures/compare --temps 0,27,70 \
	    --montecarlo 200 --tolerance 1%
	cp examples/figures/compare/neurons.png examples/figures/compare-neurons.png
	cp examples/figures/compare/montecarlo.png examples/figures/compare-montecarlo.png
	$(BIN)/circuitnet fit --dataset digits --hidden 32 --out examples/figures/digits
	cp examples/figures/digits/confusion.png examples/figures/digits-confusion.png
	cp examples/figures/digits/misclassified.png examples/figures/digits-misclassified.png
	$(BIN)/circuitnet transient netlists/eight_diode.json --x -1:1:12 --opamp LM358 --step-time 40e-6 --ac \
	    --out examples/figures/transient
	cp examples/figures/transient/waveforms.png examples/figures/transient-waveforms.png
	cp examples/figures/transient/bandwidth.png examples/figures/transient-bandwidth.png
	$(BIN)/circuitnet build netlists/eight_diode.json --out examples/figures/build
	cp examples/figures/build/schematic.png examples/figures/schematic-eight-diode.png
	cp examples/figures/build/schematic.svg examples/figures/schematic-eight-diode.svg

system-deps:
	@.ci/install-ngspice
	@.ci/install-kicad
	@if ! $(PYTHON) -c "import ensurepip, venv" >/dev/null 2>&1; then \
	  echo "installing python3-venv with apt-get"; \
	  $(SUDO) apt-get update -qq && $(APT_INSTALL) python3-venv; \
	fi

$(BIN)/.installed: pyproject.toml | system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache site
