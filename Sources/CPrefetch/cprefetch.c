// Everything is in include/cprefetch.h (inline); SwiftPM wants a source file per C target.
#include "cprefetch.h"
