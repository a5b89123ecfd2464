// stb_image's and stb_image_resize's implementations (Debian's libstb-dev headers), compiled into the image
// decoder's fuzzer with its instrumentation, in place of the uninstrumented libstb the project links.
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_RESIZE_IMPLEMENTATION
#include <stb_image.h>
#include <stb_image_resize.h>
