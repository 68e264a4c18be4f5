/* CPR, SE and EAN numbers (core/ident.h) and the CPR masking of every
 * message (core/cprkey.h): a CPR that parses is masked wherever it
 * stands alone in a text. */
#include <stdlib.h>
#include <string.h>

#include "core/cprkey.h"
#include "core/ident.h"
#include "core/strbuf.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *why;
	char cpr[CPR_LEN + 1], se[SE_LEN + 1], ean[EAN_LEN + 1];
	int mod11;
	struct strbuf out = STRBUF_INIT;
	if (cpr_parse(s, size, CPR_PAD_LEADING_ZERO, cpr, &mod11, &why) == 0) {
		struct strbuf t = STRBUF_INIT;
		if (strlen(cpr) != CPR_LEN)
			abort();
		/* the number alone in a message never shows */
		strbuf_addf(&t, "cell '%s' bad", cpr);
		cpr_mask_text(t.buf, t.len, &out);
		if (strstr(out.buf, cpr))
			abort();
		strbuf_release(&t);
		strbuf_reset(&out);
	}
	(void)se_parse(s, size, se, &why);
	(void)ean_parse(s, size, ean, &why);
	cpr_mask_text(s, size, &out);
	strbuf_release(&out);
	return 0;
}
