// Passive OpenMP waits for oneDNN's workers, chosen before the OpenMP runtime starts.
//
// oneDNN (Debian's build) runs its primitives on libgomp, whose threads spin
// at the end of every parallel region before sleeping (300,000 spins by
// default, milliseconds). On a CPU shared with other work (a drone's camera
// pipeline, other builds) a worker preempted at a barrier leaves the other
// spinning on a core the preempted one could have used: with one competing
// busy process on 2 cores, 2-thread VGG16-seed took 3.4x its quiet time.
// Waiting passively (sleeping at once) gives the core back; bench/busy_cpu.sh
// measures both. libgomp reads OMP_WAIT_POLICY once, in its own initializer,
// before main() runs, so the choice is made here: a function in the
// executable's .preinit_array runs before any shared library's initializer.
// A user's own OMP_WAIT_POLICY or GOMP_SPINCOUNT is left as it is.
#include <cstdlib>

namespace {

void choose_openmp_wait_policy(int, char**, char**) {
  if (std::getenv("OMP_WAIT_POLICY") == nullptr && std::getenv("GOMP_SPINCOUNT") == nullptr)
    ::setenv("OMP_WAIT_POLICY", "passive", 0);
}

__attribute__((section(".preinit_array"), used)) void (*const preinit_openmp_wait_policy)(int, char**, char**) =
    &choose_openmp_wait_policy;

}  // namespace
