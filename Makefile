# splitpoint: the two commands are `make demo` and `make test`.
BUILD ?= build
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps configure build test test-asan demo bench clean fuzz load-test

all: build

deps:
	scripts/install-deps

configure:
	@if [ ! -f $(BUILD)/build.ninja ]; then \
	  cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS); \
	fi

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# Install, build, run every test.
test: deps
	$(MAKE) build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# Every test under AddressSanitizer + UndefinedBehaviorSanitizer (a separate build tree).
test-asan: deps
	$(MAKE) build BUILD=build-asan CMAKE_FLAGS="-DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPLITPOINT_SANITIZE=ON -DSPLITPOINT_BUILD_BENCH=OFF"
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  ctest --test-dir build-asan --output-on-failure -j $(JOBS)

# Every libFuzzer target (fuzz/CMakeLists.txt, built with clang in build-fuzz) for FUZZ_SECONDS each, one after
# another, each over its corpus (grown in build-fuzz/corpus-<reader>); crashes land in fuzz/regressions/<reader>/,
# which the tests read back. `make test` runs each for 20 s only (fuzz.smoke.* in ctest).
FUZZ_SECONDS ?= 300
fuzz: deps
	fuzz/run --build build-fuzz --seconds $(FUZZ_SECONDS)

# 64 clients for 60 s against `splitpoint serve` on 127.0.0.1 (scripts/load-test: requests, errors, latency, RSS).
load-test: deps
	$(MAKE) build
	scripts/load-test --cli $(BUILD)/splitpoint

# The main job (grows with the project): inspect the study's model and VGG16, run its head and tail.
demo: deps
	$(MAKE) build
	scripts/demo $(BUILD)/splitpoint

# Benchmarks: the engine against its peers (ONNX Runtime, PyTorch), then model building.
bench: deps
	$(MAKE) build
	scripts/install-bench-deps
	bench/compare.py --build $(BUILD)
	$(BUILD)/bench/bench_zoo

clean:
	rm -rf $(BUILD) build-asan build-fuzz

# arm64 (a Raspberry Pi's 64-bit OS), cross-compiled on this x86-64 machine: Debian's g++-aarch64-linux-gnu against
# an arm64 sysroot of Debian's packages (scripts/install-deps --arm64), XNNPACK as the engine, no oneDNN (Debian's
# arm64 oneDNN has only SVE kernels, which no Pi has). On a Pi itself, plain `make` builds natively.
.PHONY: arm64 test-arm64
ARM64_BUILD = build-arm64

arm64:
	scripts/install-deps --arm64
	@if [ ! -f $(ARM64_BUILD)/build.ninja ]; then \
	  cmake -S . -B $(ARM64_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release \
	    -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake -DSPLITPOINT_WITH_ONEDNN=OFF; \
	fi
	cmake --build $(ARM64_BUILD) -j $(JOBS)

# The arm64 tests under qemu-aarch64 (correctness, not speed), and the study's head against x86-64's output.
test-arm64: arm64
	$(MAKE) configure
	cmake --build $(BUILD) -j $(JOBS) --target test_arm64 splitpoint
	scripts/test-arm64 $(BUILD) $(ARM64_BUILD)
