#pragma once
// How the models a server hosts are named, so a client finds the tail of the
// model it runs from the cut it chose:
//   MODEL           the whole model (also the tail from cut 0)
//   MODEL.tailK     the tail from cut K: layers K+1..L (1 <= K < L)
// MODEL is the graph's name: a zoo name ("vgg16-seed") or a file's stem. A
// tail exported with `splitpoint split --tail` and hosted under that name by
// any Open Inference Protocol server (Triton, KServe) is the same model.
//
// A client may name tails by another template (`run --tail-name`): the text
// with "{model}" replaced by MODEL and "{cut}" by K, e.g. "{model}_tail{cut}"
// for a Triton repository, whose model names cannot hold a '.'.
#include <string>

namespace splitpoint {

inline constexpr const char* kDefaultTailNameTemplate = "{model}.tail{cut}";

// Throws Error unless `name_template` holds "{cut}" once, "{model}" at most
// once, no other braces, and otherwise only letters, digits, '.', '_', '-'.
void check_tail_name_template(const std::string& name_template);

std::string tail_model_name(const std::string& model, int cut,
                            const std::string& name_template = kDefaultTailNameTemplate);

}  // namespace splitpoint
