# splitpoint: the two commands are `make demo` and `make test`.
BUILD ?= build
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps configure build test test-asan demo bench clean

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
	$(MAKE) build BUILD=build-asan CMAKE_FLAGS="-DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPLITPOINT_SANITIZE=ON"
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  ctest --test-dir build-asan --output-on-failure -j $(JOBS)

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
	rm -rf $(BUILD) build-asan
