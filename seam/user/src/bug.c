// SPDX-License-Identifier: GPL-2.0
/* WARN and BUG for the user shim: WARNs are counted for the tests to read. */
#include <stdio.h>
#include <stdlib.h>
#include <linux/bug.h>

static unsigned long warn_count;

void shim_warn(const char *file, int line, const char *cond)
{
	__atomic_fetch_add(&warn_count, 1, __ATOMIC_RELAXED);
	fprintf(stderr, "WARNING: at %s:%d: %s\n", file, line, cond);
}

void shim_bug(const char *file, int line, const char *cond)
{
	fprintf(stderr, "kernel BUG at %s:%d: %s\n", file, line, cond);
	abort();
}

unsigned long shim_warn_count(void)
{
	return __atomic_load_n(&warn_count, __ATOMIC_RELAXED);
}
