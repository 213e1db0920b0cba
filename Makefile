# vigil — thin wrapper over CMake. See README.md.
#   make          release build of build/vigil
#   make check    install missing deps, build, run every test; then again under ASan+UBSan
#   make demo     install missing deps, build, run `vigil demo`
#   make fuzz     clang libFuzzer targets, each for FUZZ_SECONDS (default 60)
#   make bench    benchmarks (bench/run.sh), figures go to bench/RESULTS.md by hand
JOBS        ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 60
DEMO_OUT    ?= /tmp/vigil-demo
CMAKE       ?= cmake
CTEST_ARGS  ?= --output-on-failure -j$(JOBS)

.PHONY: all build deps check check-plain check-asan demo fuzz fuzz-build bench clean

all: build

deps:
	@bash scripts/install-deps.sh

build:
	@$(CMAKE) -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
	@$(CMAKE) --build build -j$(JOBS)

check: deps
	@$(MAKE) --no-print-directory check-plain
	@$(MAKE) --no-print-directory check-asan

check-plain: build
	@echo "== tests (release build) =="
	cd build && ctest $(CTEST_ARGS)

check-asan:
	@echo "== tests (ASan+UBSan build) =="
	@$(CMAKE) -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DVIGIL_SANITIZE=ON >/dev/null
	@$(CMAKE) --build build-asan -j$(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest $(CTEST_ARGS)

demo: deps build
	./build/vigil demo --out $(DEMO_OUT)

fuzz-build: deps
	@CC=clang $(CMAKE) -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DVIGIL_FUZZ=ON >/dev/null
	@$(CMAKE) --build build-fuzz -j$(JOBS)

fuzz: fuzz-build
	@bash scripts/fuzz.sh build-fuzz/fuzz $(FUZZ_SECONDS)

bench: deps build
	@bash bench/run.sh

clean:
	rm -rf build build-asan build-fuzz
