// SPDX-License-Identifier: GPL-2.0
/*
 * The long run: random inputs for the interpreter, from a seed, until a
 * number of operations or a time is reached, as OpenZFS's ztest runs.
 *
 *   lazyrmap_soak [-s SEED] [-n OPS] [-t SECONDS] [-l OPS_PER_INPUT]
 *                 [-o FILE]
 *
 * It prints its seed first; the same seed replays the same inputs. A
 * failing input is written to FILE (default soak-failure.bin) for
 * lazyrmap_replay.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "lazyrmap_ops.h"

static uint64_t rng;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/*
 * How often each operation comes, in the order of enum lz_op: mostly
 * mapping and writing, so that processes have memory for the rest to act on.
 */
static const unsigned char weights[] = {
	8, 2, 6, 6, 14, 4, 3, 2, 2, 1, 3, 3, 4, 4, 2, 1, 1, 1, 2,
};

static uint8_t pick_op(void)
{
	unsigned int total = 0, i, r;

	for (i = 0; i < sizeof(weights); i++)
		total += weights[i];
	r = next_rand() % total;
	for (i = 0; r >= weights[i]; i++)
		r -= weights[i];
	return i;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long long target = 1000000, seed = 0;
	unsigned int per_input = 300, i;
	const char *out = "soak-failure.bin";
	double limit = 0, start, last;
	struct lz_result res = { 0 };
	unsigned long inputs = 0;
	uint8_t *buf;
	size_t size;
	int opt;

	while ((opt = getopt(argc, argv, "s:n:t:l:o:")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			target = strtoull(optarg, NULL, 0);
			break;
		case 't':
			limit = atof(optarg);
			break;
		case 'l':
			per_input = atoi(optarg);
			break;
		case 'o':
			out = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [-s SEED] [-n OPS] [-t SECONDS] [-l OPS_PER_INPUT] [-o FILE]\n",
				argv[0]);
			return 2;
		}
	}
	if (!seed)
		seed = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 32);
	rng = seed | 1;
	printf("lazyrmap_soak: seed %llu, %llu operations, %u per input%s\n",
	       seed, target, per_input, limit ? ", time-bounded" : "");
	fflush(stdout);
	if (lz_init())
		return 2;
	size = 1 + (size_t)per_input * LZ_OP_BYTES;
	buf = malloc(size);
	if (!buf)
		return 2;
	start = last = now();
	while (res.ops < target && (!limit || now() - start < limit)) {
		FILE *f;

		for (i = 0; i < size; i++)
			buf[i] = next_rand();
		for (i = 1; i < size; i += LZ_OP_BYTES)
			buf[i] = pick_op();
		/* One input in eight injects allocation failures. */
		buf[0] = (inputs % 8 == 7);
		inputs++;
		if (!lz_run(buf, size, NULL, &res)) {
			if (now() - last > 10) {
				last = now();
				printf("lazyrmap_soak: %lu inputs, %lu operations, %.0f s\n",
				       inputs, res.ops, last - start);
				fflush(stdout);
			}
			continue;
		}
		f = fopen(out, "wb");
		if (f) {
			fwrite(buf, 1, size, f);
			fclose(f);
		}
		free(buf);
		printf("lazyrmap_soak: FAIL in input %lu (seed %llu); replay: lazyrmap_replay %s\n",
		       inputs, seed, out);
		return 1;
	}
	free(buf);
	if (lz_check_empty()) {
		printf("lazyrmap_soak: FAIL: objects left after every input\n");
		return 1;
	}
	printf("lazyrmap_soak: %lu inputs, %lu operations, 0 divergences in %.0f s\n",
	       inputs, res.ops, now() - start);
	printf("lazyrmap_soak: %lu walks, %lu visits, %lu migrations, %lu reclaims, %lu swap-ins, %lu COW copies, %lu KSM merges, %lu moves, %lu forks, %lu lazy roots, %lu ENOMEM, %lu uffd-moves skipped\n",
	       res.walks, res.visits, res.migrated, res.reclaimed, res.swapins,
	       res.cows, res.ksm_merged, res.moved, res.forks, res.lazy_roots,
	       res.enomem, res.moves_skipped);
	return 0;
}
