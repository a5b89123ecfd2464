# Cross-compiling splitpoint for arm64 Linux (a Raspberry Pi 3/4/5 with a 64-bit OS) on an x86-64 Debian
# machine: `make arm64`, or
#   cmake -S . -B build-arm64 -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake -DSPLITPOINT_WITH_ONEDNN=OFF
#
# - The compiler is Debian's g++-aarch64-linux-gnu; its C and C++ runtime for arm64 live in /usr/aarch64-linux-gnu.
# - The libraries come from an arm64 sysroot that `scripts/install-deps --arm64` unpacks from Debian's :arm64
#   packages (not installed system-wide: see scripts/install-deps-arm64). Set SPLITPOINT_ARM64_SYSROOT to use
#   another one.
# - Programs run at build time (flatc) are the build machine's own: /usr/bin/flatc.
# - Programs built here run under qemu-aarch64 (Debian's qemu-user) through scripts/run-arm64, which is also
#   CMAKE_CROSSCOMPILING_EMULATOR: gtest_discover_tests lists the tests with it and ctest runs them with it.
# A real Raspberry Pi needs none of this file: there, `make` builds natively.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

get_filename_component(_splitpoint_repository "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
if(NOT SPLITPOINT_ARM64_SYSROOT)
  if(DEFINED ENV{SPLITPOINT_ARM64_SYSROOT})
    set(SPLITPOINT_ARM64_SYSROOT "$ENV{SPLITPOINT_ARM64_SYSROOT}")
  else()
    set(SPLITPOINT_ARM64_SYSROOT "${_splitpoint_repository}/build-arm64/sysroot")
  endif()
endif()
if(NOT EXISTS "${SPLITPOINT_ARM64_SYSROOT}/usr/include/xnnpack.h")
  message(FATAL_ERROR "no arm64 sysroot at ${SPLITPOINT_ARM64_SYSROOT}: run scripts/install-deps --arm64")
endif()
# try_compile projects read this file again: hand them the same sysroot.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES SPLITPOINT_ARM64_SYSROOT)

# Libraries, headers and CMake packages: the cross compiler's runtime, then the sysroot; programs: the build
# machine's.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu "${SPLITPOINT_ARM64_SYSROOT}")
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# The sysroot's shared libraries need each other at link time (libXNNPACK.so needs libcpuinfo.so.0).
# (set, not appended: CMake reads this file more than once.)
set(_splitpoint_rpath_link
  "-Wl,-rpath-link,${SPLITPOINT_ARM64_SYSROOT}/usr/lib/aarch64-linux-gnu"
  "-Wl,-rpath-link,${SPLITPOINT_ARM64_SYSROOT}/lib/aarch64-linux-gnu")
string(JOIN " " CMAKE_EXE_LINKER_FLAGS_INIT ${_splitpoint_rpath_link})
set(CMAKE_SHARED_LINKER_FLAGS_INIT "${CMAKE_EXE_LINKER_FLAGS_INIT}")

# pkg-config (stb): the sysroot's .pc files, with their paths prefixed by the sysroot.
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${SPLITPOINT_ARM64_SYSROOT}")
set(ENV{PKG_CONFIG_LIBDIR}
  "${SPLITPOINT_ARM64_SYSROOT}/usr/lib/aarch64-linux-gnu/pkgconfig:${SPLITPOINT_ARM64_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

set(FLATC_EXECUTABLE /usr/bin/flatc CACHE FILEPATH "flatc of the build machine")
set(CMAKE_CROSSCOMPILING_EMULATOR "${_splitpoint_repository}/scripts/run-arm64;--sysroot;${SPLITPOINT_ARM64_SYSROOT}")

# Debian's multiarch headers (OpenSSL's opensslconf.h, configuration.h) live in usr/include/aarch64-linux-gnu,
# which the cross compiler searches in its own root, not in the sysroot.
set(CMAKE_C_STANDARD_INCLUDE_DIRECTORIES "${SPLITPOINT_ARM64_SYSROOT}/usr/include/aarch64-linux-gnu")
set(CMAKE_CXX_STANDARD_INCLUDE_DIRECTORIES "${SPLITPOINT_ARM64_SYSROOT}/usr/include/aarch64-linux-gnu")
