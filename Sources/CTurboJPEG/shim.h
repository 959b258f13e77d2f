// TurboJPEG's tj* API (Debian: libturbojpeg0-dev).
#include <turbojpeg.h>
