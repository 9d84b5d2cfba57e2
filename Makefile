# word2vec_cli: set-up, tests, demo and benchmark.
#   make install - create .venv, install the project with every extra the tests use, compile the kernels (make warm)
#   make warm   - compile and cache the training kernels of the four main modes (python -m word2vec_cli.training.warm)
#   make warm-all - also every other mode and the tools' kernels (--all; make test does it)
#   make test   - make install and warm-all, then run the suite
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

#: Kernels compiled into numba's cache (redone when a kernel source changes).
WARM_STAMP := $(VENV)/.warmed
WARM_ALL_STAMP := $(VENV)/.warmed-all

.PHONY: install warm warm-all test demo bench clean distclean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'
	touch $@

$(WARM_STAMP): $(STAMP) $(wildcard word2vec_cli/kernels/*.py word2vec_cli/model/*.py word2vec_cli/text/*.py)
	$(BIN)/python -m word2vec_cli.training.warm
	touch $@

warm: $(WARM_STAMP)

# every kernel, so that the suite times the tests and not numba's compiler (about 4 min cold)
$(WARM_ALL_STAMP): $(WARM_STAMP) $(wildcard word2vec_cli/*/*.py)
	$(BIN)/python -m word2vec_cli.training.warm --all
	touch $@

warm-all: $(WARM_ALL_STAMP)

install: $(STAMP) $(WARM_STAMP)

test: $(STAMP) $(WARM_ALL_STAMP)
	$(BIN)/python -m pytest -q tests

demo: $(STAMP) $(WARM_STAMP)
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
