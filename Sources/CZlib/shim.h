// zlib, found through pkg-config (Debian: zlib1g-dev; Homebrew: zlib).
#include <zlib.h>
