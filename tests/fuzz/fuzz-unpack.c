/* Archive handling (ingest/unpack.h): gzip (CRC-32 and length checked,
 * members, trailing bytes), zip, tar and tar.gz, nested archives, under
 * small limits. The first byte picks the kind. Nothing is left behind. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/log.h"
#include "ingest/unpack.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[] = "/tmp/fuzz-unpack-XXXXXX";
	static int made;
	static const enum unpack_kind kinds[] = { UNPACK_GZ, UNPACK_TAR, UNPACK_TGZ, UNPACK_ZIP };
	const struct unpack_limits lim = { 64, 4 << 20, 200 };
	struct unpack_members ms = { 0 };
	char path[64];
	FILE *f;
	if (!made) {
		log_init("fuzz");
		log_set_level(0);
		if (!mkdtemp(dir))
			abort();
		made = 1;
	}
	if (size == 0)
		return 0;
	snprintf(path, sizeof(path), "%s.in", dir);
	if (!(f = fopen(path, "wb")))
		abort();
	fwrite(data + 1, 1, size - 1, f);
	fclose(f);
	if (unpack_archive(path, "fuzz", kinds[data[0] % 4], &lim, dir, &ms) == 0)
		unpack_members_free(&ms);
	unlink(path);
	return 0;
}
