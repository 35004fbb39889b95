#include "CSlope.h"

// SLOPE_VERSION comes from Package.swift (`let version`), the one place the version is written.
#ifndef SLOPE_VERSION
#error "SLOPE_VERSION is defined by Package.swift"
#endif

const char *slope_version(void) { return SLOPE_VERSION; }
