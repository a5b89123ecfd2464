#include "serve/model_naming.h"

namespace splitpoint {

std::string tail_model_name(const std::string& model, int cut) {
  return cut == 0 ? model : model + ".tail" + std::to_string(cut);
}

}  // namespace splitpoint
