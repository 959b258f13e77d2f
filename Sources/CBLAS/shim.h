// OpenBLAS' CBLAS interface plus its thread-count control (Debian: libopenblas-dev, pthread variant).
#include <cblas.h>
