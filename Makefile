# bilateral-kg — the two commands a newcomer needs: `make run` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
SYSSTAMP:= $(VENV)/.system-deps

.PHONY: install system-deps run test eval bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

# Debian packages for the browser tests (headless Chromium + a CJK font).
system-deps: $(SYSSTAMP)

$(SYSSTAMP): | $(STAMP)
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi 'noto.*cjk'; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium fonts-noto-cjk; \
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
