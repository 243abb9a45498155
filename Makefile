# bilateral-kg — the two commands a newcomer needs: `make run` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
SYSSTAMP:= $(VENV)/.system-deps
ASSETS  := kg/static/vendor/yasgui.min.js

.PHONY: install system-deps run test eval bench clean

install: $(STAMP) $(ASSETS)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

# The query page's assets (`bkg serve`): YASGUI from npm (web/package-lock.json), copied into
# kg/static/vendor/ by web/build.mjs; not committed, rebuilt when web/ changes. Needs Node.js 18+
# and npm. `make install NO_WEB=1` skips it: the page then falls back to a plain editor and its
# browser tests skip.
$(ASSETS): web/package.json web/package-lock.json web/build.mjs
	@if [ -n "$(NO_WEB)" ]; then \
	  echo "make install: NO_WEB set: not building the query page's assets (kg/static/vendor/)"; \
	elif ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then \
	  echo "make install: the query page's assets (YASGUI, kg/static/vendor/) need Node.js 18+ and" >&2; \
	  echo "  npm, which are not on PATH. Install them (Debian: apt-get install nodejs npm) and run" >&2; \
	  echo "  'make install' again, or 'make install NO_WEB=1' for the plain page without them." >&2; \
	  exit 1; \
	else \
	  cd web && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && node build.mjs; \
	fi

# Debian packages for the browser tests (headless Chromium + a CJK font) and the Virtuoso tests
# (virtuoso-opensource: virtuoso-t and isql-vt; tests/kg/test_virtuoso.py starts its own server on
# loopback). Installed noninteractively (the DBA-password question left empty); the system service
# the package sets up is stopped and disabled when this recipe installed it. The check re-runs
# when this Makefile changes, so an existing checkout picks up a package added here.
system-deps: $(SYSSTAMP)

$(SYSSTAMP): Makefile | $(STAMP)
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi 'noto.*cjk' \
	    || ! command -v virtuoso-t >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  had_virtuoso=$$(command -v virtuoso-t || true); \
	  $$SUDO apt-get update -q && $$SUDO env DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -q chromium fonts-noto-cjk virtuoso-opensource || exit 1; \
	  if [ -z "$$had_virtuoso" ]; then \
	    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then \
	      $$SUDO systemctl disable --now virtuoso-opensource-7 >/dev/null 2>&1 || true; \
	    elif [ -x /etc/init.d/virtuoso-opensource-7 ]; then \
	      $$SUDO /etc/init.d/virtuoso-opensource-7 stop >/dev/null 2>&1 || true; \
	    fi; \
	  fi; \
	fi
	touch $(SYSSTAMP)

run: install
	$(BIN)/bkg build data/corpus --out out

test: install system-deps
	$(BIN)/python -m pytest -q

eval: install
	$(BIN)/bkg eval --gold data/devset
	$(BIN)/bkg eval --gold data/gold

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf out .cache
