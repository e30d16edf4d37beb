/* moon_spin.h is header-only; SwiftPM needs one source file for a C target. */
#include "moon_spin.h"
