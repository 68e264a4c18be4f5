/* SKAT's own afstemning files (VIRSUM, PERSUM: header-marker, trailer with
 * a count, ',00' amounts, 9-digit CPR numbers) through their schemas. */
#define FUZZ_SCHEMAS "skat-virsum", "skat-persum"
#include "fuzz-csv.c"
