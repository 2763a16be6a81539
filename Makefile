# Two commands do all set-up on a fresh machine:
#   make repro   # install, then `dvc repro` the bundled document (offline)
#   make test    # install, then run the test suite
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export PATH := $(abspath $(VENV))/bin:$(PATH)
# Offline: never ask a model hub for anything.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export DVC_NO_ANALYTICS := 1

# CJK TrueType fonts the tests' UN-layout PDF renderer embeds (tests/un_pdf.py): Debian's
# fonts-droid-fallback (New York layout) and fonts-arphic-uming (a Ming/Song serif: Geneva layout),
# installed as root, like CI runs; `make` needs no other system package.
CJK_FONT := /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf
SONG_FONT := /usr/share/fonts/truetype/arphic/uming.ttc
# Debian's chromium: the browser the workbench tests drive through the playwright package
# (executable_path; `playwright install` would download a browser, so it is never run).
CHROMIUM := /usr/bin/chromium

.PHONY: install repro test evaluate calibrate clean

install: $(STAMP) $(CJK_FONT) $(SONG_FONT) $(CHROMIUM)

$(CJK_FONT) $(SONG_FONT):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-droid-fallback fonts-arphic-uming

$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# torch first, pinned: the CPU wheel on disk; a bare `torch` would pull a CUDA build.
$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

repro: $(STAMP)
	$(VENV)/bin/dvc repro

test: $(STAMP) $(CJK_FONT) $(SONG_FONT) $(CHROMIUM)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -q

# The sentence aligner's evaluation on the UNPC-derived set (eval/unpc/metrics.json);
# not part of `repro`.
evaluate: $(STAMP)
	$(VENV)/bin/dvc repro eval/dvc.yaml

# Refit the calibrations the align stage reads (versioned files, not stage outputs):
# sentence beads on the UNPC dev part, unit pairs on the development corpus.
calibrate: $(STAMP) $(CJK_FONT) $(SONG_FONT)
	$(VENV)/bin/dvc repro model
	$(VENV)/bin/bitext eval-unpc raw/unpc-dev --out eval/unpc --calibration configs/calibration.json
	PYTHONPATH=. $(PY) benchmarks/calibrate_units.py

clean:
	rm -rf $(VENV) work models aligned/*.parquet aligned/metrics.json
