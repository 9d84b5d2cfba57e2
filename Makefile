# word2vec_cli: set-up, tests, demo and benchmark.
#   make test   - create .venv if needed, install the project with every extra the tests use, run the suite
#   make demo   - same set-up, then generate a corpus with planted relations, train, evaluate
#   make bench  - benchmark against gensim on CORPUS (default: the generated demo corpus)
#   make clean  - remove everything the targets above wrote (out/, .venv stays: make distclean)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= out
STAMP  := $(VENV)/.installed
#: Extras the test suite exercises (each optional feature's tests skip without its extra).
EXTRAS ?= test,zh,plot,dask,compat
BENCH_STAMP := $(VENV)/.installed-bench
CORPUS ?= $(OUT)/demo/corpus.txt

.PHONY: install test demo bench clean distclean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'
	touch $@

install: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q tests

demo: $(STAMP)
	$(BIN)/python scripts/demo.py --out $(OUT)/demo

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS),bench]'
	touch $@

bench: $(BENCH_STAMP)
	@if [ "$(CORPUS)" = "$(OUT)/demo/corpus.txt" ] && [ ! -f "$(CORPUS)" ]; then \
		$(BIN)/python scripts/make_demo_corpus.py --out $(OUT)/demo; fi
	$(BIN)/python scripts/bench.py $(CORPUS) --out $(OUT)/bench

clean:
	rm -rf $(OUT) .pytest_cache

distclean: clean
	rm -rf $(VENV) *.egg-info
