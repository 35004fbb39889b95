// libjpeg or libjpeg-turbo, found through pkg-config (Debian: libjpeg-dev; Homebrew: jpeg-turbo).
// jpeglib.h needs FILE and size_t declared first.
#include <stdio.h>
#include <stddef.h>
#include <jpeglib.h>
