# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python

.PHONY: run test bench install clean

$(VENV)/.installed: pyproject.toml setup.py $(wildcard runtime/*.c runtime/*.h)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

# The main job: evaluate a PLAN expression with the C core and print its normal form.
run: install
	$(VENV)/bin/pallas plan '(<{"_Add" 2 (0 (0 ({"_Times" 3 (0 (0 (0 (2 2) 2) (0 (0 0 1) (0 1 2))) 3)} 3) (0 {"_ToNat" 1 (0 (2 0 3) 1)} 1)) 2)}> 20 22)'

test: install
	$(PY) -m pytest -q

bench: install
	$(PY) bench/bench_core.py

clean:
	rm -rf $(VENV) build *.egg-info pallas_kernel/*.so
