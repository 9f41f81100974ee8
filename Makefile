# Two commands from a fresh clone: `make synth` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export CHECKPOINT_DISABLE := 1

.PHONY: install synth test lint docs scan clean

install: $(VENV)/.installed node_modules/.installed .venv-checkov/.installed $(VENV)/.warm

# The first synth after an install unpacks the provider assemblies into jsii's cache and
# compiles the binding modules gpulab uses (docs/speed.md): do it once here, not in a test.
$(VENV)/.warm: $(VENV)/.installed
	$(BIN)/python main.py synth --out $(VENV)/warm-cdktf.out > /dev/null
	rm -rf $(VENV)/warm-cdktf.out
	touch $@

$(VENV)/.installed: requirements.txt requirements-dev.txt requirements-openstack.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -r requirements-openstack.txt
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

lint: install docs
	$(BIN)/ruff check gpulab tests examples benchmarks main.py
	$(BIN)/ruff format --check gpulab tests examples benchmarks main.py
	$(BIN)/python main.py ci check

# The documentation site (mkdocs.yml) into site/; --strict: a broken link or a warning fails the build.
docs: install
	NO_MKDOCS_2_WARNING=1 DISABLE_MKDOCS_2_WARNING=true $(BIN)/mkdocs build --strict --quiet --site-dir site


# Production-grade stacks must pass but for the findings checkov-waivers.yaml waives, each scoped to its
# resources; the others' findings are printed, not fatal.
PROD_GRADE := prod echoes-prod huge
DEV_GRADE := dev echoes tiny small large chameleon
scan: synth
	rm -rf checkov.out
	.venv-checkov/bin/checkov --config-file .checkov.yaml -f $(PROD_GRADE:%=cdktf.out/stacks/%/cdk.tf.json) \
		-o json --output-file-path checkov.out --soft-fail > /dev/null
	$(BIN)/python main.py scan-report checkov.out/results_json.json
	.venv-checkov/bin/checkov --config-file .checkov.yaml -f $(DEV_GRADE:%=cdktf.out/stacks/%/cdk.tf.json) \
		-o json --output-file-path checkov.out/dev-grade --soft-fail > /dev/null
	-$(BIN)/python main.py scan-report --no-stale checkov.out/dev-grade/results_json.json

clean:
	rm -rf cdktf.out checkov.out .pytest_cache
