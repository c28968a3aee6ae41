// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer entry point (AFL++ builds the same file with afl-clang-fast
 * and -fsanitize=fuzzer). Any broken invariant aborts, so the engine keeps
 * the input; fuzz/replay turns it into a readable trace.
 */
#include <stdlib.h>
#include "lazyrmap_ops.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (lz_init())
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (lz_run(data, size, NULL, NULL))
		abort();
	return 0;
}
