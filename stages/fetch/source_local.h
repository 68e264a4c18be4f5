/* The local directory kind of source (source_local.c): 'source NAME local' and the drops default. */
#ifndef SOURCE_LOCAL_H
#define SOURCE_LOCAL_H

#include "ingest/source.h"

extern const struct source_kind source_kind_local;

#endif
