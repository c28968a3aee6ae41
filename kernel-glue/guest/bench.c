// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmarks of the UML guest, run once per value of vm.anon_vma_lazy by
 * kernel-glue/guest/bench.sh. They print figures; nothing here passes or
 * fails on a number.
 *
 *   bench slab-nofork LABEL N        slab objects N faulted VMAs add
 *   bench slab-zygote LABEL P C K    a parent with P faulted VMAs forks C
 *                                    children that each fault K VMAs more
 *   bench time LABEL N REPEATS       ns per VMA for first faults and munmap,
 *                                    per page of MADV_PAGEOUT (before any
 *                                    fork: each folio's own rmap is walked),
 *                                    per fork of one process with N VMAs,
 *                                    REPEATS times over
 *
 * Output: "slab LABEL SCENARIO CACHE OBJECTS OBJSIZE" and
 *         "time LABEL WHAT MIN MEDIAN MAX UNIT".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "slabinfo.h"

#define PAGES	4
static long psz;

/* @n separate VMAs of PAGES pages, each faulted, in one PROT_NONE arena. */
static char *fault_vmas(int n)
{
	size_t stride = (PAGES + 1) * psz;
	char *arena = mmap(NULL, n * stride, PROT_NONE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	int i, j;

	if (arena == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	for (i = 0; i < n; i++) {
		char *p = mmap(arena + i * stride, PAGES * psz, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

		if (p == MAP_FAILED) {
			perror("mmap fixed");
			exit(2);
		}
		for (j = 0; j < PAGES; j++)
			p[j * psz] = (char)i;
	}
	return arena;
}

static void print_delta(const char *label, const char *scenario,
			struct slab_count *before, struct slab_count *after)
{
	int i;

	for (i = 0; i < NR_CACHES; i++)
		printf("slab %s %s %s %ld %ld\n", label, scenario, caches[i],
		       after->objs[i] - before->objs[i], after->size[i]);
}

static int slab_nofork(const char *label, int n)
{
	struct slab_count before, after;
	char *arena;

	read_slabs(&before);
	arena = fault_vmas(n);
	read_slabs(&after);
	print_delta(label, "nofork", &before, &after);
	munmap(arena, (size_t)n * (PAGES + 1) * psz);
	return 0;
}

static int slab_zygote(const char *label, int p, int c, int k)
{
	struct slab_count before, after;
	int ready[2], go[2], i;
	pid_t *kids = calloc(c, sizeof(*kids));
	char byte;

	if (!kids || pipe(ready) || pipe(go))
		return 2;
	read_slabs(&before);
	fault_vmas(p);
	for (i = 0; i < c; i++) {
		kids[i] = fork();
		if (!kids[i]) {
			fault_vmas(k);
			if (write(ready[1], "r", 1) != 1 || read(go[0], &byte, 1) != 1)
				_exit(1);
			_exit(0);
		}
	}
	for (i = 0; i < c; i++)
		if (read(ready[0], &byte, 1) != 1)
			return 2;
	read_slabs(&after);
	print_delta(label, "zygote", &before, &after);
	for (i = 0; i < c; i++)
		if (write(go[1], "g", 1) != 1)
			return 2;
	for (i = 0; i < c; i++)
		waitpid(kids[i], NULL, 0);
	return 0;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *label, const char *what, long long *v, int r,
		   const char *unit)
{
	qsort(v, r, sizeof(*v), cmp);
	printf("time %s %s %lld %lld %lld %s\n", label, what, v[0], v[r / 2],
	       v[r - 1], unit);
}

static int timing(const char *label, int n, int r)
{
	long long *fault = calloc(r, sizeof(long long));
	long long *fork_ns = calloc(r, sizeof(long long));
	long long *unmap = calloc(r, sizeof(long long));
	long long *pageout = calloc(r, sizeof(long long));
	size_t len = (size_t)n * (PAGES + 1) * psz;
	int i, status, po = 0;
	long long t;
	char *arena;
	pid_t pid;

	if (!fault || !fork_ns || !unmap || !pageout)
		return 2;
	for (i = 0; i < r; i++) {
		t = now_ns();
		arena = fault_vmas(n);
		fault[i] = (now_ns() - t) / n;

		/* Reclaim before any fork: the walk of each folio's own rmap. */
		t = now_ns();
		if (!madvise(arena, len, MADV_PAGEOUT))
			po = 1;
		pageout[i] = (now_ns() - t) / ((long long)n * PAGES);

		t = now_ns();
		munmap(arena, len);
		unmap[i] = (now_ns() - t) / n;
	}
	/*
	 * One process with @n faulted VMAs forks @r times, as a zygote does:
	 * the first fork pays for the upgrade, the others find it made.
	 */
	arena = fault_vmas(n);
	for (i = 0; i < r; i++) {
		t = now_ns();
		pid = fork();
		if (!pid)
			_exit(0);
		waitpid(pid, &status, 0);
		fork_ns[i] = now_ns() - t;
	}
	munmap(arena, len);
	report(label, "first-fault", fault, r, "ns/vma");
	report(label, "fork", fork_ns, r, "ns");
	report(label, "munmap", unmap, r, "ns/vma");
	if (po)
		report(label, "pageout", pageout, r, "ns/page");
	return 0;
}

int main(int argc, char **argv)
{
	psz = sysconf(_SC_PAGESIZE);
	if (argc == 4 && !strcmp(argv[1], "slab-nofork"))
		return slab_nofork(argv[2], atoi(argv[3]));
	if (argc == 6 && !strcmp(argv[1], "slab-zygote"))
		return slab_zygote(argv[2], atoi(argv[3]), atoi(argv[4]),
				   atoi(argv[5]));
	if (argc == 5 && !strcmp(argv[1], "time"))
		return timing(argv[2], atoi(argv[3]), atoi(argv[4]));
	fprintf(stderr, "usage: see the head of bench.c\n");
	return 2;
}
