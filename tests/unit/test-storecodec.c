/*
 * A row's value encoding (store/store.h, store_encode and store_decode,
 * layout 5): every number and text comes back as it went in, at the
 * varint boundaries, the int64 ends and texts past the old u16 cap; a
 * typical row is short; and every malformed value is refused, none read
 * past its end (ASan: make check SAN=1).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "store/store.h"
#include "test.h"

static struct catalog cat;
static const struct store_def *sd;
static int f_se, f_month, f_cpr, f_amount, f_text, f_day, f_feltnr;
static uint8_t key[KEY_MAX + 64];
static MDB_val kv;

static void set_key(struct record *r)
{
	static const uint8_t seg[SEGMENT_LEN] = { 0, 0, 0, 0, 0, 0, 0, 7 };
	r->v[f_se] = (struct value){ 1, 0, "29757895", 8 };
	r->v[f_month] = (struct value){ 1, 202108, NULL, 0 };
	r->v[f_cpr] = (struct value){ 1, 0, "0101400278", 10 };
	kv.mv_size = store_key(&cat, sd, r, seg, 1, 2, key);
	kv.mv_data = key;
}

/* Encodes r, decodes it again into out; the decode's status. */
static int round_trip(const struct record *r, struct strbuf *val, struct record *out)
{
	MDB_val v;
	store_encode(&cat, sd, r, val);
	v.mv_size = val->len;
	v.mv_data = val->buf;
	return store_decode(&cat, sd, &kv, &v, out);
}

static int decode_bytes(const void *b, size_t n)
{
	static struct record out;
	MDB_val v = { n, (void *)b };
	return store_decode(&cat, sd, &kv, &v, &out);
}

int main(void)
{
	static struct record r, got;
	static const int64_t nums[] = {
		0, 1, -1, 63, -64, 64, -65, 127, 128, 8191, 8192, -8193,
		123456789, -123456789, INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1,
	};
	static const size_t lens[] = { 0, 1, 127, 128, 16383, 16384, 65535, 65536, 70000 };
	struct strbuf val = STRBUF_INIT;
	char *big = malloc(70000);
	const char *p = test_text_file(
		"field se se\nfield month month\nfield cpr cpr\nfield amount money\n"
		"field text text\nfield day day\nfield feltnr feltnr\n"
		"store t.rows\n  key se month cpr\n  value feltnr amount text day\n");

	if (!big || catalog_load(p, &cat))
		return 1;
	remove(p);
	sd = catalog_store(&cat, "t.rows");
	f_se = catalog_field(&cat, "se");
	f_month = catalog_field(&cat, "month");
	f_cpr = catalog_field(&cat, "cpr");
	f_amount = catalog_field(&cat, "amount");
	f_text = catalog_field(&cat, "text");
	f_day = catalog_field(&cat, "day");
	f_feltnr = catalog_field(&cat, "feltnr");
	set_key(&r);

	/* every amount comes back, at each varint length and both int64 ends */
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		r.v[f_amount] = (struct value){ 1, nums[i], NULL, 0 };
		CHECK(round_trip(&r, &val, &got) == 0 && got.v[f_amount].present &&
		      got.v[f_amount].num == nums[i],
		      "amount %lld comes back", (long long)nums[i]);
	}
	/* the key's fields come back from the key */
	CHECK(got.v[f_se].len == 8 && !memcmp(got.v[f_se].text, "29757895", 8) &&
	      got.v[f_month].num == 202108 && !memcmp(got.v[f_cpr].text, "0101400278", 10),
	      "se, month and cpr come back from the key");

	/* every text length, past the u16 cap layout 4 cut at */
	memset(big, 'x', 70000);
	big[69999] = 'y';
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		r.v[f_text] = (struct value){ 1, 0, big + 70000 - lens[i], lens[i] };
		CHECK(round_trip(&r, &val, &got) == 0 && got.v[f_text].present &&
		      got.v[f_text].len == lens[i] &&
		      !memcmp(got.v[f_text].text, big + 70000 - lens[i], lens[i]),
		      "a text of %zu bytes comes back whole", lens[i]);
	}

	/* absent is not empty, and absent fields stay absent */
	r.v[f_text] = (struct value){ 1, 0, "", 0 };
	r.v[f_day] = (struct value){ 0, 0, NULL, 0 };
	r.v[f_feltnr] = (struct value){ 0, 0, NULL, 0 };
	CHECK(round_trip(&r, &val, &got) == 0 && got.v[f_text].present &&
	      got.v[f_text].len == 0 && !got.v[f_day].present && !got.v[f_feltnr].present,
	      "an empty text is present; absent day and feltnr stay absent");
	memset(&r.v[f_amount], 0, sizeof(r.v[f_amount]));
	memset(&r.v[f_text], 0, sizeof(r.v[f_text]));
	CHECK(round_trip(&r, &val, &got) == 0 && val.len == 1 && val.buf[0] == 0 &&
	      !got.v[f_amount].present && !got.v[f_text].present,
	      "a row with no value fields is one byte (%zu)", val.len);

	/* a typical row: feltnr 14, 12.345,67 kr, a name, a day: 1 + 1 + 4 +
	 * 9 + 4 = 19 bytes (layout 4: 4 + 8 + 8 + 2 + 8 + 8 = 38) */
	r.v[f_feltnr] = (struct value){ 1, 14, NULL, 0 };
	r.v[f_amount] = (struct value){ 1, 1234567, NULL, 0 };
	r.v[f_text] = (struct value){ 1, 0, "Person 0", 8 };
	r.v[f_day] = (struct value){ 1, 20210815, NULL, 0 };
	CHECK(round_trip(&r, &val, &got) == 0 && val.len == 19 &&
	      got.v[f_feltnr].num == 14 && got.v[f_amount].num == 1234567 &&
	      got.v[f_day].num == 20210815 && got.v[f_text].len == 8,
	      "a typical row is %zu bytes, want 19", val.len);

	/* malformed values: every cut of a valid one, a byte too many */
	{
		struct strbuf ok = STRBUF_INIT;
		uint8_t *cut;
		strbuf_add(&ok, val.buf, val.len);
		for (size_t n = 0; n < ok.len; n++) {
			/* its own allocation, so ASan sees a read past the cut */
			cut = malloc(n ? n : 1);
			memcpy(cut, ok.buf, n);
			CHECK(decode_bytes(cut, n) == -1, "a value cut at %zu of %zu is refused",
			      n, ok.len);
			free(cut);
		}
		strbuf_addch(&ok, 0);
		CHECK(decode_bytes(ok.buf, ok.len) == -1, "a byte left over is refused");
		strbuf_release(&ok);
	}
	{
		static const uint8_t bit_past[] = { 0x10 };	/* field 5 of 4 */
		static const uint8_t long_varint[] = { 0x02, 0xff, 0xff, 0xff, 0xff, 0xff,
						       0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
		static const uint8_t over64[] = { 0x02, 0xff, 0xff, 0xff, 0xff, 0xff,
						  0xff, 0xff, 0xff, 0xff, 0x02 };
		static const uint8_t max64[] = { 0x02, 0xff, 0xff, 0xff, 0xff, 0xff,
						 0xff, 0xff, 0xff, 0xff, 0x01 };
		static const uint8_t text_past[] = { 0x04, 0x05, 'a', 'b' };
		MDB_val v = { sizeof(max64), (void *)max64 };
		CHECK(decode_bytes(bit_past, sizeof(bit_past)) == -1,
		      "a bit for a field the store lacks is refused");
		CHECK(decode_bytes(long_varint, sizeof(long_varint)) == -1,
		      "a varint of 11 bytes is refused");
		CHECK(decode_bytes(over64, sizeof(over64)) == -1,
		      "a varint past 64 bits is refused");
		CHECK(store_decode(&cat, sd, &kv, &v, &got) == 0 &&
		      got.v[f_amount].num == INT64_MIN,
		      "the largest 10-byte varint is INT64_MIN's zigzag");
		CHECK(decode_bytes(text_past, sizeof(text_past)) == -1,
		      "a text longer than the value is refused");
		kv.mv_size--;
		CHECK(decode_bytes(max64, sizeof(max64)) == -1, "a key of the wrong length is refused");
		kv.mv_size++;
	}

	strbuf_release(&val);
	free(big);
	catalog_free(&cat);
	return test_done();
}
