# The commands the README names. Everything runs from the project's own virtual environment.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
NAME ?=

.PHONY: demo test lint bench messages install system-deps serve clean

$(BIN)/entente: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Entente needs Python 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/entente

# Debian packages the suite, the browser tests, the demo's MQTT bridge and the joint report's
# PDF (WeasyPrint: pango) need, and the PostgreSQL server the fault tests start a cluster of
# their own with (tests/resilience; CI runs this; needs root or sudo).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v mosquitto >/dev/null || missing="$$missing mosquitto"; \
	command -v mosquitto_pub >/dev/null || missing="$$missing mosquitto-clients"; \
	command -v pg_dump >/dev/null || missing="$$missing postgresql-client"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	fc-list 2>/dev/null | grep -qi dejavu || missing="$$missing fonts-dejavu-core"; \
	ldconfig -p | grep -q 'libpango-1.0.so.0' || missing="$$missing libpango-1.0-0"; \
	ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || missing="$$missing libpangoft2-1.0-0"; \
	if [ -n "$$missing" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

demo: install
	ENTENTE_MODE=demo $(BIN)/entente migrate --no-input -v 0
	ENTENTE_MODE=demo PORT=$(PORT) $(BIN)/entente demo
	ENTENTE_MODE=demo $(BIN)/entente serve --port $(PORT) --mqtt-bridge

# The whole suite: on SQLite, or on PostgreSQL when DATABASE_URL is set.
test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src
	$(BIN)/entente check --fail-level WARNING
	$(BIN)/entente makemigrations --check --dry-run

bench: install
	@if [ -n "$(NAME)" ]; then \
	  $(BIN)/python benchmarks/$(NAME).py $(BENCH_ARGS); \
	else \
	  for b in benchmarks/*.py; do case $$b in */_*) continue;; esac; $(BIN)/python $$b $(BENCH_ARGS) || exit 1; done; \
	fi

messages: install
	cd src/entente && ../../$(BIN)/entente makemessages -l fr --no-obsolete --add-location file \
	  --ignore 'static/*' --ignore '*/migrations/*'
	cd src/entente && ../../$(BIN)/entente compilemessages -l fr

clean:
	rm -rf $(VENV) var test-artifacts .mypy_cache .ruff_cache .pytest_cache
