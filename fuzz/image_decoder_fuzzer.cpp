// libFuzzer target: the image decoder (core/image.h decode_image), which `run --inputs`, `exec --image` and
// `accuracy` (a folder per class) run on image files from anywhere: the format and header checks of core/image.cpp,
// then stb_image, compiled here from its header with the fuzzer's instrumentation (stb_image_impl.cpp), so its
// heap overflows and integer overflows are seen (JPEG goes to Debian's libjpeg-turbo). Both gray and RGB decoding run. splitpoint::Error is the expected
// answer to a bad file; a decoded image must be of the size image_info said, within kMaxImagePixels.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

#include "core/error.h"
#include "core/image.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  for (int channels : {1, 3}) {
    try {
      const splitpoint::ImageInfo info = splitpoint::image_info(bytes, "fuzz.img");
      const splitpoint::Image image = splitpoint::decode_image(bytes, "fuzz.img", channels);
      if (image.width != info.width || image.height != info.height ||
          int64_t{image.width} * image.height > splitpoint::kMaxImagePixels ||
          image.pixels.size() != size_t(image.width) * image.height * channels) {
        std::fprintf(stderr, "round trip failed: image %dx%d, info %dx%d\n", image.width, image.height, info.width,
                     info.height);
        std::abort();
      }
    } catch (const splitpoint::Error&) {
    }
  }
  return 0;
}
