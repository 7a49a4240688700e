# Drayman's two commands: `make run` and `make test`. Everything else is a step they use.
#   make run                      install what is missing, build (Release), serve on 127.0.0.1:6379
#                                 (HTTP admin: http://127.0.0.1:8379/metrics)
#   make test                     install, build, run GoogleTest (ctest) and pytest
#   make test SANITIZE=address,undefined   the same against a sanitizer build
#   make bench                    Drayman and redis-server side by side (docs/benchmarks.md)
#   make fuzz                     clang + libFuzzer build (build-fuzz), fuzz the engine FUZZ_SECONDS
#   make fuzz FUZZ_TARGET=restore the same for RESTORE payloads (the RDB value decoder)
#   make format                   clang-format every C++ file

SANITIZE ?=
BUILD_TYPE ?= Release
JOBS ?= 2
PORT ?= 6379
# The HTTP admin listener of `make run` (/metrics, /api): 8379, outside Prometheus exporters'
# 9100-9999 range (redis_exporter has 9121, Prometheus itself 9090). HTTP_PORT=-1 turns it off.
HTTP_PORT ?= 8379
ifeq ($(SANITIZE),)
BUILD_DIR ?= build
else
BUILD_DIR ?= build-sanitize
BUILD_TYPE := RelWithDebInfo
endif
VENV := .venv
SERVER := $(BUILD_DIR)/server/drayman-server
# make fuzz: which target (engine or restore), seconds to run, and extra libFuzzer flags (e.g.
# FUZZ_FLAGS="-fork=1 -ignore_crashes=1" keeps going after a crash). New corpus entries go to
# build-fuzz/<target>_corpus, crashes to build-fuzz/artifacts/; minimise a crash and keep it in
# tests/fuzz/crashes/ (engine) or tests/fuzz/restore_crashes/ (restore).
FUZZ_TARGET ?= engine
FUZZ_SECONDS ?= 600
FUZZ_FLAGS ?=
FUZZ_DIR := build-fuzz
FUZZER := $(FUZZ_DIR)/tests/fuzz/$(FUZZ_TARGET)_fuzzer
ifeq ($(FUZZ_TARGET),restore)
FUZZ_SEEDS := tests/fuzz/restore_corpus
FUZZ_ARGS := -max_len=16384
else
FUZZ_SEEDS := tests/fuzz/corpus
FUZZ_ARGS := -dict=tests/fuzz/engine.dict -max_len=8192
endif

.PHONY: all deps pydeps pypackage configure build run test test-cpp test-python bench fuzz fuzz-build \
	format clean

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
	@tools/check-port.sh $(PORT)
	$(SERVER) --bind 127.0.0.1 --port $(PORT) --dir var --http-port $(HTTP_PORT)

test: build pypackage
	@$(MAKE) --no-print-directory test-cpp test-python

test-cpp:
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

test-python:
	DRAYMAN_SANITIZE=$(SANITIZE) DRAYMAN_SERVER=$(abspath $(SERVER)) $(VENV)/bin/python -m pytest -q tests/python

bench: build pydeps
	DRAYMAN_SERVER=$(abspath $(SERVER)) $(VENV)/bin/python bench/run.py

fuzz-build:
	@tools/install-deps.sh --fuzz
	@cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DDRAYMAN_FUZZ=ON \
	  -DDRAYMAN_BUILD_TESTS=OFF \
	  > $(FUZZ_DIR).configure.log 2>&1 || (cat $(FUZZ_DIR).configure.log; exit 1)
	@cmake --build $(FUZZ_DIR) -j $(JOBS) --target $(FUZZ_TARGET)_fuzzer

fuzz: fuzz-build
	@mkdir -p $(FUZZ_DIR)/$(FUZZ_TARGET)_corpus $(FUZZ_DIR)/artifacts
	$(FUZZER) $(FUZZ_DIR)/$(FUZZ_TARGET)_corpus $(FUZZ_SEEDS) $(FUZZ_ARGS) \
	  -timeout=10 -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	  -artifact_prefix=$(FUZZ_DIR)/artifacts/ $(FUZZ_FLAGS)

format:
	@find broker server tests python -name '*.cc' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf build build-sanitize build.configure.log build-sanitize.configure.log build-fuzz \
	  build-fuzz.configure.log
