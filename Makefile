# Two commands: `make run` starts everything on the embedded dev stack; `make test` runs the suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PKGS   := contracts services/registration services/identity services/reporting services/notify

.PHONY: setup run test lint typecheck pytest browser ops-tools bench clean

$(STAMP): $(addsuffix /pyproject.toml,$(PKGS)) requirements-dev.txt constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -r requirements-dev.txt $(addprefix -e ,$(PKGS))
	@touch $@

setup: $(STAMP)

run: setup
	$(BIN)/python -m infra.dev.run

lint: setup
	$(BIN)/ruff check .

typecheck: setup
	$(BIN)/mypy

# The browser test drives Debian's chromium through Playwright (never `playwright install`, which downloads);
# the letter tests turn PDFs into PNGs with poppler's pdftoppm.
browser:
	@command -v chromium >/dev/null || (echo "Installing Debian chromium for browser tests"; \
		apt-get update -qq && apt-get install -y -qq chromium) || \
		(echo "Could not install Debian chromium (needs root and the Debian registry)"; exit 1)
	@command -v pdftoppm >/dev/null || (echo "Installing Debian poppler-utils (pdftoppm) for the letter tests"; \
		apt-get update -qq && apt-get install -y -qq poppler-utils) || \
		(echo "Could not install Debian poppler-utils (needs root and the Debian registry)"; exit 1)

# The alert-rule tests check rules and Alertmanager's config with promtool and amtool (Debian packages); the
# edge-proxy test runs infra/proxy/ in a real nginx (Debian nginx-light).
ops-tools:
	@command -v promtool >/dev/null && command -v amtool >/dev/null || (echo "Installing Debian prometheus and prometheus-alertmanager (promtool, amtool) for the alert-rule tests"; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus prometheus-alertmanager) || \
		(echo "Could not install Debian prometheus/prometheus-alertmanager (needs root and the Debian registry)"; exit 1)
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || (echo "Installing Debian nginx-light for the edge-proxy test"; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends nginx-light) || \
		(echo "Could not install Debian nginx-light (needs root and the Debian registry)"; exit 1)

pytest: setup browser ops-tools
	$(BIN)/python -m pytest

test: lint typecheck pytest

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
