// libpng, found through pkg-config (Debian: libpng-dev; Homebrew: libpng).
#include <png.h>
