#ifndef LOGTOP_CZLIB_SHIM_H
#define LOGTOP_CZLIB_SHIM_H
#include <zlib.h>
#endif
