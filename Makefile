# Roundtable — every target creates .venv and installs what it needs, so `make run` and
# `make test` are the whole set-up on a fresh machine with Python 3.11.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export QT_QPA_PLATFORM ?= offscreen

.PHONY: help doctor run test lint typecheck imports screenshots bench dist clean

help:            ## this list
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | sed -e 's/:.*##/\t/'

# constraints.txt pins every package (and PyInstaller): upgrades are deliberate (see that file).
$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $(STAMP)

doctor:          ## check the interpreter, venv and Qt's system libraries; prints the apt-get line for what is missing
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found): sudo apt-get install -y python3.11 python3.11-venv (or set PYTHON=)"; exit 1; }
	@$(PYTHON) tools/doctor.py $(if $(wildcard $(BIN)/python),--venv $(VENV))

run: doctor $(STAMP)    ## open the desktop application
	@$(PYTHON) tools/doctor.py --venv $(VENV) --display
	QT_QPA_PLATFORM= $(BIN)/python -m app

test: doctor $(STAMP)   ## the whole suite: unit, storage, services, sync, reports, spreadsheets, ui, functional, lint
	@$(PYTHON) tools/doctor.py --venv $(VENV)
	$(BIN)/ruff check app tests tools
	$(BIN)/lint-imports
	$(BIN)/mypy app
	$(BIN)/python -m pytest -n 2 --dist load

lint: $(STAMP)   ## ruff, import contracts and mypy
	$(BIN)/ruff check app tests tools
	$(BIN)/lint-imports
	$(BIN)/mypy app

screenshots: $(STAMP)  ## render every main screen and sample report pages to screenshots/
	$(BIN)/python tools/screenshots.py screenshots
	$(BIN)/python tools/screenshots.py screenshots/mappa --programme mappa --only dashboard,cases,case,reports
	-$(BIN)/python tools/render_sample_reports.py screenshots/reports

bench: $(STAMP)  ## build a 10,000-case store and print speed and memory figures beside raw rates
	$(BIN)/python -m tools.bench.run

# The bundle is built in its own venv holding only the application's dependencies and PyInstaller
# (pinned in constraints.txt), so nothing from the test tools can reach it.
BUILD_VENV := .venv-build
BUILD_STAMP := $(BUILD_VENV)/.installed
BUNDLE := dist/Roundtable

$(BUILD_STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(BUILD_VENV)
	$(BUILD_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BUILD_VENV)/bin/python -m pip install --quiet -c constraints.txt -e . pyinstaller
	@touch $@

dist: doctor $(BUILD_STAMP)   ## the bundle dist/Roundtable/: roundtable (console) and roundtable-gui, licences, icons
	$(BUILD_VENV)/bin/python -m tools.licenses
	$(BUILD_VENV)/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller installer/roundtable.spec
	@du -sh $(BUNDLE)

clean:
	rm -rf $(VENV) $(BUILD_VENV) build dist .pytest_cache .mypy_cache .ruff_cache screenshots
