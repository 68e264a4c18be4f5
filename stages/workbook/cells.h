/*
 * A cell of the workbook from a cell of the night's CSV files, by the
 * column's type in conf/terms.conf (run/terms.h): text stays text (keys,
 * SE, months like 2021-02, ids: leading zeros kept, never a date), an
 * amount in Danish notation becomes øre, a day or a timestamp its parts,
 * a count a number. CPR-shaped runs in text are masked DDMMYY-xxxx when
 * asked (core/cprkey.h); so is every ten-digit value of a cpr column, a
 * valid date or not.
 */
#ifndef WB_CELLS_H
#define WB_CELLS_H

#include <stdint.h>

#include "core/money.h"
#include "core/strbuf.h"
#include "run/terms.h"

enum cell_kind { CELL_BLANK, CELL_TEXT, CELL_AMOUNT, CELL_INTEGER, CELL_DATE, CELL_DATETIME };

struct cell {
	enum cell_kind kind;
	struct strbuf text;	/* CELL_TEXT: what it shows; owned, cell_release() */
	money_t ore;		/* CELL_AMOUNT: øre (the number shown is ore / 100) */
	int64_t integer;	/* CELL_INTEGER */
	int year, month, day, hour, min, sec;	/* CELL_DATE, CELL_DATETIME (UTC) */
	size_t width;		/* characters the cell shows, for the column's width */
};

/*
 * Parses s as type into c (an empty s is CELL_BLANK whatever the type).
 * mask_cpr: mask CPR-shaped runs in text and cpr cells. 0, or -1 with *why
 * a static reason (an amount that is not Danish notation, a date that is
 * no date, a count that is not digits). c is valid either way: release it.
 */
int cell_parse(const char *s, enum term_type type, int mask_cpr, struct cell *c,
	       const char **why);
void cell_release(struct cell *c);
/* Characters of ore as money_format_grouped() shows it (-1.278.002,64: 13),
 * counted, not formatted: a column's width needs only that. */
size_t amount_width(money_t ore);
/* Characters (UTF-8 code points) in s. */
size_t utf8_width(const char *s);

#endif
