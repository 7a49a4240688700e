# Drayman's two commands: `make run` and `make test`. Everything else is a step they use.
#   make run                      install what is missing, build (Release), serve on 127.0.0.1:6379
#   make test                     install, build, run GoogleTest (ctest) and pytest
#   make test SANITIZE=address,undefined   the same against a sanitizer build
#   make bench                    Drayman and redis-server side by side (docs/benchmarks.md)
#   make format                   clang-format every C++ file

SANITIZE ?=
BUILD_TYPE ?= Release
JOBS ?= 2
PORT ?= 6379
ifeq ($(SANITIZE),)
BUILD_DIR ?= build
else
BUILD_DIR ?= build-sanitize
BUILD_TYPE := RelWithDebInfo
endif
VENV := .venv
SERVER := $(BUILD_DIR)/server/drayman-server

.PHONY: all deps pydeps pypackage configure build run test test-cpp test-python bench format clean

all: build

deps:
	@tools/install-deps.sh

pydeps:
	@tools/install-deps.sh --python

# The in-process package (python/), always a Release build; its build directory is reused.
pypackage: pydeps
	@CCACHE_BASEDIR=$(CURDIR) $(VENV)/bin/pip install -q ./python

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DDRAYMAN_SANITIZE=$(SANITIZE) > $(BUILD_DIR).configure.log 2>&1 || \
	  (cat $(BUILD_DIR).configure.log; exit 1)

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# Data (the append-only log) lives in var/, git-ignored, so a second `make run` finds it again.
run: build
	@mkdir -p var
	$(SERVER) --bind 127.0.0.1 --port $(PORT) --dir var

test: build pypackage
	@$(MAKE) --no-print-directory test-cpp test-python

test-cpp:
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

test-python:
	DRAYMAN_SERVER=$(abspath $(SERVER)) $(VENV)/bin/python -m pytest -q tests/python

bench: build pydeps
	DRAYMAN_SERVER=$(abspath $(SERVER)) $(VENV)/bin/python bench/run.py

format:
	@find broker server tests python -name '*.cc' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf build build-sanitize build.configure.log build-sanitize.configure.log
