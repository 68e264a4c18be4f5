/*
 * Danish identifiers: CPR (persons), SE/CVR (organisations), EAN (GLN).
 */
#ifndef IDENT_H
#define IDENT_H

#include <stddef.h>

enum { CPR_LEN = 10, SE_LEN = 8, EAN_LEN = 13 };

enum cpr_flags {
	CPR_PAD_LEADING_ZERO = 1,	/* SKAT drops a leading 0: 9 digits */
	CPR_TRIM_BLANKS = 2,		/* blanks around the number are ignored (a
					   cell typed by hand: a school's list) */
};

/*
 * Parses DDMMYY-SSSS or DDMMYYSSSS into 10 digits (out[10], NUL-terminated
 * in out[CPR_LEN]). The date part must be a real date in the century the
 * 7th digit gives. Modulus 11 is not required (not issued since 2007):
 * *mod11_ok tells whether it holds. With CPR_PAD_LEADING_ZERO a 9-digit
 * number (SKAT drops the 0 of days 01-09) gets its 0 back. A number
 * Excel wrote in exponent notation (1.20391E+09) is refused with that
 * reason. A substitute number (erstatningspersonnummer: the day raised by
 * 60, days 61-91, as CPR-kontoret and SKAT prescribe for persons without a
 * CPR) is valid and kept as given (../shared/spec/inputs.md). This is
 * the one CPR rule: every stage that reads a CPR calls it (the refund's
 * lists and extract, the invoices' free text). Returns 0 or -1 with *why.
 */
int cpr_parse(const char *s, size_t len, unsigned flags, char out[CPR_LEN + 1],
	      int *mod11_ok, const char **why);
/* Whether a 10-digit CPR holds modulus 11 (not required: noted only). */
int cpr_mod11_ok(const char cpr[CPR_LEN]);
/*
 * Full birth date YYYYMMDD of a valid 10-digit CPR; of a substitute
 * number, the day given less 60 (650305-4011: 2005-03-05). -1 when the
 * date part is no real date (day 32, 92, 29 February of a common year).
 */
int cpr_birth_date(const char cpr[CPR_LEN], int *yyyymmdd);
/* "DDMMYY-xxxx": the only form a CPR may take in a log or on a terminal. */
enum { CPR_MASKSZ = 12 };
char *cpr_mask(const char *cpr10, char buf[CPR_MASKSZ]);

/* 8 digits, modulus 11 with weights 2,7,6,5,4,3,2,1. */
int se_parse(const char *s, size_t len, char out[SE_LEN + 1], const char **why);
/* 13 digits with a GS1 check digit. */
int ean_parse(const char *s, size_t len, char out[EAN_LEN + 1], const char **why);

#endif
