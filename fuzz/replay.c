// SPDX-License-Identifier: GPL-2.0
/*
 * Replays fuzzer inputs (crash files, corpus entries) and prints each as a
 * trace: every operation, on each machine, with its result, then what
 * broke, if anything.
 *
 *   lazyrmap_replay [-q] FILE...    -q: print only failures and a summary
 *
 * Exit status 1 if any input fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lazyrmap_ops.h"

static int replay(const char *path, int quiet, struct lz_result *res)
{
	FILE *f = fopen(path, "rb");
	static uint8_t buf[1 << 20];
	size_t size;
	int ret;

	if (!f) {
		perror(path);
		return -1;
	}
	size = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (!quiet)
		printf("== %s: %zu bytes, mode %s\n", path, size,
		       size && (buf[0] & 1) ? "lazy + allocation failures" :
		       "off and on in lockstep");
	ret = lz_run(buf, size, quiet ? NULL : stdout, res);
	if (ret && quiet)
		printf("%s: FAIL (run without -q for the trace)\n", path);
	else if (!quiet)
		printf("== %s: %s\n", path, ret ? "FAIL" : "ok");
	return ret;
}

int main(int argc, char **argv)
{
	struct lz_result res = { 0 };
	int i = 1, quiet = 0, failed = 0, n = 0;

	if (i < argc && !strcmp(argv[i], "-q")) {
		quiet = 1;
		i++;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: %s [-q] FILE...\n", argv[0]);
		return 2;
	}
	if (lz_init()) {
		fprintf(stderr, "cannot initialise the model\n");
		return 2;
	}
	for (; i < argc; i++, n++)
		failed += replay(argv[i], quiet, &res) != 0;
	if (!failed && lz_check_empty()) {
		printf("replay: objects left after every input\n");
		failed++;
	}
	printf("replay: %d inputs, %d failed, %lu operations, %lu walks, %lu visits\n",
	       n, failed, res.ops, res.walks, res.visits);
	return failed ? 1 : 0;
}
