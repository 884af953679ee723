#include "common/vocabulary/network_size.h"

namespace hpsearch::vocabulary {

int64_t ParameterCount(int64_t inputs, const std::vector<int64_t>& hidden, int64_t outputs, bool batch_norm) {
  int64_t params = 0, in = inputs;
  for (int64_t width : hidden) {
    params += in * width + width + (batch_norm ? 2 * width : 0);
    in = width;
  }
  return params + in * outputs + outputs;
}

}  // namespace hpsearch::vocabulary
