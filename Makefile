# civicgrid - the two commands of the README, and the pieces they are made of.
#   make run   installs what is missing, builds, loads the demo city and its cases, serves on :8080
#   make test  installs what is missing, builds, runs every test
.PHONY: all build deps run test clean bench fuzz

MAKEFLAGS += --no-print-directory
BUILD ?= build
DB ?= sqlite:civicgrid.db
LISTEN ?= 127.0.0.1:8080
DEMO_PASSWORD ?= Huaibei-Demo-2026
# Cases generated into a database that has none (a few seconds; see docs/performance.md).
DEMO_CASES ?= 20000

all: build

deps:
	@scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j2

run: build
	@$(BUILD)/civicgrid demo --db $(DB) --password '$(DEMO_PASSWORD)' --cases $(DEMO_CASES)
	@exec $(BUILD)/civicgrid serve --db $(DB) --listen $(LISTEN)

test: deps
	@tests/run.sh

clean:
	rm -rf build build-asan build-bench build-fuzz

bench: deps
	@bench/run

fuzz: deps
	@tests/fuzz/run.sh
