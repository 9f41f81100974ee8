# Two commands from a fresh clone: `make synth` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export CHECKPOINT_DISABLE := 1

.PHONY: install synth test lint scan clean

install: $(VENV)/.installed node_modules/.installed .venv-checkov/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

.venv-checkov/.installed: requirements-scan.txt
	$(PYTHON) -m venv .venv-checkov
	.venv-checkov/bin/pip install --quiet --upgrade pip
	.venv-checkov/bin/pip install --quiet -r requirements-scan.txt
	touch $@

synth: install
	$(BIN)/python main.py synth

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check gpulab tests examples main.py
	$(BIN)/ruff format --check gpulab tests examples main.py

# prod must pass; dev's findings are printed, not fatal.
scan: synth
	.venv-checkov/bin/checkov --config-file .checkov.yaml -f cdktf.out/stacks/prod/cdk.tf.json
	.venv-checkov/bin/checkov --config-file .checkov.yaml -f cdktf.out/stacks/dev/cdk.tf.json --soft-fail

clean:
	rm -rf cdktf.out .pytest_cache
