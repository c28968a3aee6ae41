// SPDX-License-Identifier: GPL-2.0
/*
 * The guest workload of lazyrmap's UML boot: anonymous memory through
 * fault, mprotect split and merge, mremap moves, fork with COW, munmap and
 * MADV_DONTNEED, every page checked against the pattern it must hold. It
 * prints the slab objects the run added, for anon_vma, anon_vma_chain,
 * vm_area_struct and anon_vma_lazy, as "slab NAME OBJECTS OBJSIZE" lines.
 *
 *   workload LABEL NR_VMAS
 *
 * Exit status 0 when every check held; any mismatch is printed and fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "slabinfo.h"

#define PAGES_PER_VMA	4
static long page_size;
static int failures;

/* What page @i of mapping @m holds after @gen writes: who and where. */
static __u64 pattern(int m, int i, int gen)
{
	return ((__u64)gen << 48) | ((__u64)m << 16) | (__u64)i;
}

static void fill(char *base, int m, int gen)
{
	int i;

	for (i = 0; i < PAGES_PER_VMA; i++)
		*(__u64 *)(base + i * page_size) = pattern(m, i, gen);
}

static void check(const char *what, char *base, int m, int gen)
{
	__u64 got, want;
	int i;

	for (i = 0; i < PAGES_PER_VMA; i++) {
		got = *(__u64 *)(base + i * page_size);
		want = pattern(m, i, gen);
		if (got != want) {
			printf("FAIL %s: mapping %d page %d holds %#llx, not %#llx\n",
			       what, m, i, (unsigned long long)got,
			       (unsigned long long)want);
			failures++;
		}
	}
}

int main(int argc, char **argv)
{
	struct slab_count before, peak;
	char **map, *arena;
	int nr, m, status;
	pid_t pid;

	if (argc != 3) {
		fprintf(stderr, "usage: %s LABEL NR_VMAS\n", argv[0]);
		return 2;
	}
	nr = atoi(argv[2]);
	page_size = sysconf(_SC_PAGESIZE);
	map = calloc(nr, sizeof(*map));
	if (!map)
		return 2;
	settle_rcu();
	read_slabs(&before);

	/*
	 * Separate VMAs, each faulted: a PROT_NONE page between two keeps
	 * them from merging into one, as distinct allocations would be.
	 */
	arena = mmap(NULL, (size_t)nr * (PAGES_PER_VMA + 1) * page_size,
		     PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (arena == MAP_FAILED) {
		printf("FAIL arena: %s\n", strerror(errno));
		return 1;
	}
	for (m = 0; m < nr; m++) {
		char *want = arena + (size_t)m * (PAGES_PER_VMA + 1) * page_size;
		char *p = mmap(want, PAGES_PER_VMA * page_size,
			       PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

		if (p == MAP_FAILED) {
			printf("FAIL mmap %d: %s\n", m, strerror(errno));
			return 1;
		}
		map[m] = p;
		fill(p, m, 1);
	}

	/* mprotect() splits each VMA in three, and merges it back. */
	for (m = 0; m < nr; m += 2) {
		mprotect(map[m] + page_size, page_size, PROT_READ);
		check("split", map[m], m, 1);
		mprotect(map[m] + page_size, page_size, PROT_READ | PROT_WRITE);
		fill(map[m], m, 2);
		check("merge", map[m], m, 2);
		fill(map[m], m, 1);
	}

	/* mremap() moves every fourth mapping to a place of its own. */
	for (m = 0; m < nr; m += 4) {
		char *dst = mmap(NULL, (PAGES_PER_VMA + 2) * page_size, PROT_NONE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		char *p = mremap(map[m], PAGES_PER_VMA * page_size,
				 PAGES_PER_VMA * page_size,
				 MREMAP_MAYMOVE | MREMAP_FIXED, dst + page_size);

		if (dst == MAP_FAILED || p == MAP_FAILED) {
			printf("FAIL mremap %d: %s\n", m, strerror(errno));
			return 1;
		}
		map[m] = p;
		check("mremap", p, m, 1);
	}

	settle_rcu();
	read_slabs(&peak);

	/* fork(): the child sees the parent's data and writes its own. */
	pid = fork();
	if (pid == 0) {
		for (m = 0; m < nr; m++)
			check("child read", map[m], m, 1);
		for (m = 0; m < nr; m += 3) {
			fill(map[m], m, 3);
			check("child cow", map[m], m, 3);
		}
		_exit(failures ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid ||
	    !WIFEXITED(status) || WEXITSTATUS(status)) {
		printf("FAIL fork child\n");
		failures++;
	}
	for (m = 0; m < nr; m++)
		check("parent after fork", map[m], m, 1);

	/* MADV_DONTNEED reads back zero; munmap takes all down. */
	for (m = 0; m < nr; m += 5) {
		madvise(map[m], PAGES_PER_VMA * page_size, MADV_DONTNEED);
		if (*(__u64 *)map[m]) {
			printf("FAIL dontneed %d\n", m);
			failures++;
		}
	}
	for (m = 0; m < nr; m++)
		munmap(map[m], PAGES_PER_VMA * page_size);
	munmap(arena, (size_t)nr * (PAGES_PER_VMA + 1) * page_size);

	for (m = 0; m < NR_CACHES; m++)
		printf("slab %s %s %ld %ld\n", argv[1], caches[m],
		       peak.objs[m] - before.objs[m], peak.size[m]);
	printf("workload %s: %d VMAs, %d failures\n", argv[1], nr, failures);
	return failures ? 1 : 0;
}
