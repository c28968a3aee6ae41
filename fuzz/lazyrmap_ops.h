/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bytes to mm operations, shared by the libFuzzer/AFL++ target, the
 * replayer and the long-run driver. An input is a mode byte and then
 * five-byte operations; see lazyrmap_ops.c for the encoding.
 */
#ifndef __LAZYRMAP_OPS_H
#define __LAZYRMAP_OPS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define LZ_OP_BYTES	5

struct lz_result {
	unsigned long ops;
	unsigned long walks, visits, migrated, reclaimed, swapins, cows;
	unsigned long ksm_merged, moved, forks, lazy_roots, enomem;
	/* uffd-moves not compared: see uffd_move_agreed(). */
	unsigned long moves_skipped;
};

/*
 * Run one input: in lockstep on a machine with the switch off and one with
 * it on (mode bit 0 clear), or on the lazy machine alone with allocation
 * failures injected (mode bit 0 set). Every invariant is checked after
 * every operation. Returns 0, or prints what broke to @trace (or stderr)
 * and returns -1. With @trace set, every operation is printed as it runs.
 */
int lz_run(const uint8_t *data, size_t size, FILE *trace,
	   struct lz_result *res);

/* Once per process, before lz_run(). */
int lz_init(void);
/* After the last lz_run(): wait for RCU, then nothing may be left. */
int lz_check_empty(void);

#endif /* __LAZYRMAP_OPS_H */
