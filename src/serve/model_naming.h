#pragma once
// How the models a server hosts are named, so a client finds the tail of the
// model it runs from the cut it chose:
//   MODEL           the whole model (also the tail from cut 0)
//   MODEL.tailK     the tail from cut K: layers K+1..L (1 <= K < L)
// MODEL is the graph's name: a zoo name ("vgg16-seed") or a file's stem. A
// tail exported with `splitpoint split --tail` and hosted under that name by
// any Open Inference Protocol server (Triton, KServe) is the same model.
#include <string>

namespace splitpoint {

std::string tail_model_name(const std::string& model, int cut);

}  // namespace splitpoint
