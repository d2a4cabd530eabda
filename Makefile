# Hurtlink: `make run` starts everything, `make test` runs the test suite. Both set themselves up.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint format lock bench-help clean-data messages screenshots

run: $(VENV)/.installed
	$(BIN)/python -m config.launcher

test: $(VENV)/.installed-dev
	@sh scripts/ensure-chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

$(VENV)/.created:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Hurtlink needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	@touch $@

# Every package, dependencies of dependencies included, comes from the lock files with their hashes:
# a clean install today and in a month gives the same tree. `make lock` rewrites them from pyproject.
$(VENV)/.installed: requirements/base.lock $(VENV)/.created
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/base.lock
	@touch $@

$(VENV)/.installed-dev: requirements/dev.lock $(VENV)/.created
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/dev.lock
	@touch $@ $(VENV)/.installed

# After changing a pin in pyproject.toml: `make lock`, then commit pyproject.toml and requirements/.
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --generate-hashes --universal --python-version 3.11 --quiet
lock: $(VENV)/.installed-dev
	$(UV_COMPILE) -o requirements/base.lock
	$(UV_COMPILE) --extra dev -o requirements/dev.lock

clean-data:
	rm -rf .data

# Translations: collect every marked string into locale/<lang>/LC_MESSAGES/django.po (new ones arrive
# untranslated, and the catalogue test names them), then compile the .mo files the app reads. Needs
# GNU gettext (Debian: apt-get install gettext). Commit both the .po and the .mo files.
MESSAGES_IGNORE = --ignore=.venv --ignore=.data --ignore=tests --ignore=static --ignore=staticfiles \
	--ignore=bench --ignore=test-artifacts --ignore=docs --ignore=node_modules
messages: $(VENV)/.installed
	@command -v msgmerge >/dev/null || { echo "make messages needs GNU gettext: apt-get install gettext"; exit 1; }
	$(BIN)/python manage.py makemessages --locale pl $(MESSAGES_IGNORE)
	$(BIN)/python manage.py compilemessages --locale pl $(MESSAGES_IGNORE)

# Screenshots of the main pages at 390 and 1366 px, in English and Polish, into docs/screenshots/:
# starts the demo on free ports with a throw-away database, takes them, stops everything.
screenshots: $(VENV)/.installed-dev
	@sh scripts/ensure-chromium
	$(BIN)/python scripts/screenshots_run.py --out docs/screenshots
