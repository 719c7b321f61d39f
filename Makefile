# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8888

.PHONY: run test lint bench install clean stress fuzz fuzz-ci jet-hashes library-docs labextension \
        plan-demo notebooks screenshot

# The package in .venv (editable), with the test tools and JupyterLab; then the
# kernelspec `pallas` and the prebuilt Sire extension made visible to .venv's
# JupyterLab (pip install -e installs no data files: tools/run_lab.py setup).
$(VENV)/.installed: pyproject.toml setup.py $(wildcard runtime/*.c runtime/*.h)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,lab]'
	$(PY) tools/run_lab.py setup
	touch $@

install: $(VENV)/.installed

# The main job: JupyterLab on the tutorials (notebooks/), with the Sire kernel
# and highlighting, on http://127.0.0.1:$(PORT) (the URL with its token is
# printed; no browser is opened). Ctrl-C stops it.
run: install
	$(PY) tools/run_lab.py serve --port $(PORT)

# Evaluate a PLAN expression with the C core and print its normal form (42).
plan-demo: install
	$(VENV)/bin/pallas plan '(<{"_Add" 2 (0 (0 ({"_Times" 3 (0 (0 (0 (2 2) 2) (0 (0 0 1) (0 1 2))) 3)} 3) (0 {"_ToNat" 1 (0 (2 0 3) 1)} 1)) 2)}> 20 22)'

# The suite, then every tutorial notebook run again and compared with its
# saved outputs (nbval; notebooks/conftest.py points it at this checkout's kernel).
test: install
	$(PY) -m pytest -q
	$(PY) -m pytest -q --nbval notebooks/ -p no:cacheprovider

# docs/screenshot.png (the README's picture) taken again by the browser test:
# lesson 1 run in JupyterLab in Chromium (tests/browser/test_jupyterlab.py).
screenshot: install
	PALLAS_DOCS_SCREENSHOT=1 $(PY) -m pytest -q -p no:cacheprovider tests/browser

# After editing notebooks/src/*.md: rebuild the notebooks and run them (saved outputs).
notebooks: install
	$(PY) tools/notebooks.py build

# Unused imports and names, undefined names, redefinitions: pyflakes over all Python code.
lint: install
	$(PY) -m pyflakes pallas_kernel tests bench tools fuzz notebooks

bench: install
	$(PY) bench/bench_core.py
	$(PY) bench/bench_gc.py
	$(PY) bench/bench_jets.py
	$(PY) bench/bench_bignat.py
	$(PY) bench/bench_rex.py
	$(PY) bench/bench_sire.py
	$(PY) bench/bench_session.py
	$(PY) bench/bench_library.py
	$(PY) bench/bench_store.py
	$(PY) bench/bench_machine.py
	$(PY) bench/bench_eval.py
	$(PY) bench/bench_kernel.py

# After changing sire/: the hashes of our jetted laws (package data; a test
# fails while they are stale), then the library reference built from the doc
# comments (docs/library.md and package data for the kernel).
jet-hashes: install
	$(PY) tools/jet_hashes.py

library-docs: install
	$(PY) tools/library_docs.py

clean:
	rm -rf $(VENV) build *.egg-info pallas_kernel/*.so labextension/node_modules labextension/lib

# The JupyterLab extension: TypeScript in labextension/, built with npm and
# @jupyterlab/builder (`jupyter labextension build`, from JupyterLab in the venv)
# into pallas_kernel/labextension/, which is committed: the wheel ships it, so
# neither `pip install` nor CI needs Node. Rebuild after changing labextension/
# and commit the result, with labextension/built-from.sha256 (the digest of
# the sources it was built from, which a test compares); then the tokenizer
# is checked against the Pygments lexer on every file of sire/.
labextension: install
	cd labextension && npm ci --no-audit --no-fund
	cd labextension && PATH=$(abspath $(VENV))/bin:$$PATH npm run build:prod
	cd labextension && $(abspath $(PY)) stamp.py
	cd labextension && $(abspath $(PY)) check_tokens.py $(abspath $(wildcard sire/*.sire))

# The core built with PK_GC_STRESS (a collection at every safe point) and
# AddressSanitizer, in a copy under build/stress, running the core's tests
# (marked `core` in tests/, less those marked `large`; see pyproject.toml).
STRESS := build/stress
stress: install
	rm -rf $(STRESS) && mkdir -p $(STRESS)
	cp -r setup.py pyproject.toml README.md runtime pallas_kernel tests fuzz $(STRESS)/
	rm -f $(STRESS)/pallas_kernel/*.so
	cd $(STRESS) && PK_GC_STRESS=1 PK_ASAN=1 $(abspath $(PY)) setup.py -q build_ext --inplace
	cd $(STRESS) && ASAN_OPTIONS=detect_leaks=0 LD_PRELOAD=$$(gcc -print-file-name=libasan.so) \
	  PYTHONPATH=. $(abspath $(PY)) -m pytest -q -p no:cacheprovider -m "core and not large" tests

# Random and mutated input for the Rex reader, the seed loader and the PLAN
# notation reader + evaluator (fuzz/fuzz.py): FUZZ_N inputs per target
# (10^5 here, 10^4 for fuzz-ci); failures are saved under fuzz/failures/.
FUZZ_N ?= 100000
fuzz: install
	FUZZ_N=$(FUZZ_N) $(PY) fuzz/fuzz.py

fuzz-ci: install
	FUZZ_N=10000 $(PY) -m pytest -q -p no:cacheprovider tests/core/test_fuzz.py
