#include "core/csvout.h"

#include <string.h>

#include "core/banned.h"

void csvout_field(struct strbuf *line, const char *s, size_t len, int last)
{
	int quote = 0;
	for (size_t i = 0; i < len && !quote; i++)
		quote = s[i] == ';' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
	if (quote) {
		strbuf_addch(line, '"');
		for (size_t i = 0; i < len; i++) {
			if (s[i] == '"')
				strbuf_addch(line, '"');
			strbuf_addch(line, s[i]);
		}
		strbuf_addch(line, '"');
	} else {
		strbuf_add(line, s, len);
	}
	strbuf_addch(line, last ? '\n' : ';');
}

void csvout_str(struct strbuf *line, const char *s, int last)
{
	csvout_field(line, s, strlen(s), last);
}
