# A 20-second smoke run of every libFuzzer target in `make test` (ctest): included from tests/CMakeLists.txt.
# The fuzzers are a clang project of their own (fuzz/CMakeLists.txt); the fixture test fuzz.build configures and
# builds it in build-fuzz/ beside the sources, the tree `make fuzz` uses too (one clang build for both; incremental,
# ccache when installed, only the readers' sources), and each
# fuzz.smoke.<target> test, which requires that fixture, runs its fuzzer over the seeds and the crash regressions
# (fuzz/run --smoke: nothing is written to the source tree). Any crash, sanitizer report, leak or hang fails it.
# Without clang the one test fuzz.smoke fails, naming what is missing (clang is the oracle's compiler, a missing
# oracle fails `make test`); in a sanitizer build (the fuzzers carry ASan and UBSan of their own) fuzz.smoke is a
# ctest skip (exit 77) saying why.
find_program(SPLITPOINT_CLANGXX clang++)
if(NOT SPLITPOINT_CLANGXX OR SPLITPOINT_SANITIZE)
  if(NOT SPLITPOINT_CLANGXX)
    message(STATUS "clang++ not found: the fuzzer smoke tests fail (apt-get install clang)")
    add_test(NAME fuzz.smoke COMMAND sh -c
             "echo 'clang++ not found: the fuzzer smoke tests cannot run (Debian package clang; scripts/install-deps)'; exit 1")
  else()
    add_test(NAME fuzz.smoke COMMAND sh -c
             "echo 'sanitizer build: the fuzzers are built with their own sanitizers by make fuzz; skipped'; exit 77")
    set_tests_properties(fuzz.smoke PROPERTIES SKIP_RETURN_CODE 77)
  endif()
  set_tests_properties(fuzz.smoke PROPERTIES LABELS fuzz)
  return()
endif()

set(SPLITPOINT_FUZZ_BUILD ${CMAKE_SOURCE_DIR}/build-fuzz CACHE PATH "The clang build tree of fuzz/ the smoke tests use")
set(SPLITPOINT_FUZZ_SMOKE_SECONDS 20 CACHE STRING "Seconds each fuzzer runs in its ctest smoke test")
set(fuzz_run ${CMAKE_SOURCE_DIR}/fuzz/run)
set(fuzz_targets tflite_reader_fuzzer onnx_reader_fuzzer oip_request_fuzzer profile_json_fuzzer
                 plan_json_fuzzer report_inputs_fuzzer cut_tensor_decoder_fuzzer http_request_fuzzer
                 npy_reader_fuzzer idx_reader_fuzzer image_decoder_fuzzer labels_reader_fuzzer power_trace_fuzzer
                 triton_config_fuzzer)

add_test(NAME fuzz.build COMMAND ${fuzz_run} --build ${SPLITPOINT_FUZZ_BUILD} --build-only)
set_tests_properties(fuzz.build PROPERTIES FIXTURES_SETUP fuzzers TIMEOUT 3000 LABELS fuzz)
foreach(target ${fuzz_targets})
  add_test(NAME fuzz.smoke.${target}
           COMMAND ${fuzz_run} --build ${SPLITPOINT_FUZZ_BUILD} --no-build --smoke --seconds ${SPLITPOINT_FUZZ_SMOKE_SECONDS}
                   ${target})
  # --no-build: the fixture built them; parallel tests do not run ninja on the same tree.
  set_tests_properties(fuzz.smoke.${target} PROPERTIES FIXTURES_REQUIRED fuzzers TIMEOUT 300 LABELS fuzz)
endforeach()
