/*
 * Writing the project's CSV outputs: ';' separated, LF line ends, a field
 * quoted (RFC 4180) only when it holds ';', '"', CR or LF.
 */
#ifndef CSVOUT_H
#define CSVOUT_H

#include <stddef.h>

#include "core/strbuf.h"

/* Appends one field and its separator (';', or '\n' when last). */
void csvout_field(struct strbuf *line, const char *s, size_t len, int last);
void csvout_str(struct strbuf *line, const char *s, int last);

/* The UTF-8 byte-order mark that makes Excel on a Danish desktop read æøå. */
#define CSV_BOM "\xEF\xBB\xBF"

#endif
