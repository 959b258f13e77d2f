// LIBLINEAR (Debian: liblinear-dev; no pkg-config file). The getter hides the mutable C global
// `liblinear_version` from Swift 6 strict concurrency.
#include <linear.h>
static inline int palimpsest_liblinear_version(void) { return liblinear_version; }
