# Two commands do all the set-up (see README):
#   make backtest   creates .venv if missing, then runs the default backtest and writes reports/<run-id>/
#   make test       creates .venv if missing, then runs the test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CONFIG ?= config/default.yaml
# XGBoost's OpenMP threads spin-wait by default, which starves the other core on a 2-core machine.
export OMP_WAIT_POLICY ?= PASSIVE

.PHONY: backtest test paper-demo bench venv clean

venv: $(STAMP)

# Reinstall when the dependency list or the pinned constraints change.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

backtest: $(STAMP)
	$(BIN)/parity backtest --config $(CONFIG)

test: $(STAMP)
	$(BIN)/python -m pytest -q

paper-demo: $(STAMP)
	$(BIN)/parity paper --replay --config config/paper.yaml

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache
