// libyaml's event parser, read before Yams composes a document so aliases and depth are checked without expanding.
#include <yaml.h>
