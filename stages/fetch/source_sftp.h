/* The SFTP kind of source (source_sftp.c, libssh2): 'source NAME sftp'. */
#ifndef SOURCE_SFTP_H
#define SOURCE_SFTP_H

#include "ingest/source.h"

extern const struct source_kind source_kind_sftp;

#endif
