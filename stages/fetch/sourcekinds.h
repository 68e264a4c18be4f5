/*
 * Which kinds of source exist: the registry. Each kind's file defines its
 * struct source_kind (ingest/source.h); sourcekinds.c lists them, so a new
 * kind is its own file and a line there. Nothing else knows the kinds, and
 * the dependencies run one way: kinds -> source.h, registry -> kinds.
 */
#ifndef SOURCEKINDS_H
#define SOURCEKINDS_H

#include "ingest/source.h"
#include "ingest/sources.h"

/* The kind of a sources.conf type, or NULL. */
const struct source_kind *source_kind_of(enum source_type type);

/* Connects (sftp) or opens (local) d by its kind; fills s. On failure s is closed. */
int source_open(struct source *s, const struct source_def *d, int timeout);

#endif
