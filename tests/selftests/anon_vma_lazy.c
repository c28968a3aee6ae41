// SPDX-License-Identifier: GPL-2.0
/*
 * Anonymous memory through the operations that depend on its reverse map,
 * checked both for its data and for the operation having really happened.
 * Meant to pass with vm.anon_vma_lazy at 0 and at 1 (CONFIG_ANON_VMA_LAZY),
 * and on kernels without it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/types.h>
#include <linux/userfaultfd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest_harness.h"

#define NR_PAGES	16
/* /proc/pid/pagemap: Documentation/admin-guide/mm/pagemap.rst */
#define PM_PRESENT	0x8000000000000000ULL
#define PM_SWAP		0x4000000000000000ULL
#define PM_PFN_MASK	((1ULL << 55) - 1)

static size_t psize(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* Each page says who wrote it and where: (tag, page index). */
static __u64 word(int tag, int i)
{
	return ((__u64)tag << 32) | (__u64)i;
}

static void fill(char *p, int nr, int tag)
{
	int i;

	for (i = 0; i < nr; i++)
		*(__u64 *)(p + i * psize()) = word(tag, i);
}

/* The first page in [from, to) of @p not holding @tag's word, or -1. */
static int bad_in(char *p, int from, int to, int tag)
{
	int i;

	for (i = from; i < to; i++)
		if (*(__u64 *)(p + i * psize()) != word(tag, i))
			return i;
	return -1;
}

static int first_bad(char *p, int nr, int tag)
{
	return bad_in(p, 0, nr, tag);
}

static char *map_anon(int nr)
{
	char *p = mmap(NULL, nr * psize(), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * A child that shares @p's @nr pages and, once a byte comes down @pipes,
 * checks them for @tag: it exits 0 if all are intact, 2 if not.
 */
static pid_t fork_checker(char *p, int nr, int tag, int pipes[2])
{
	pid_t child;
	char go;

	if (pipe(pipes))
		return -1;
	child = fork();
	if (!child) {
		if (read(pipes[0], &go, 1) != 1)
			_exit(1);
		_exit(first_bad(p, nr, tag) == -1 ? 0 : 2);
	}
	return child;
}

static __u64 pagemap_of(char *addr)
{
	__u64 entry = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &entry, sizeof(entry),
		  (unsigned long)addr / psize() * sizeof(entry)) != sizeof(entry))
		entry = 0;
	close(fd);
	return entry;
}

/* A swap device is on (/proc/swaps lists more than its header). */
static bool has_swap(void)
{
	FILE *f = fopen("/proc/swaps", "r");
	char line[256];
	int lines = 0;

	while (f && fgets(line, sizeof(line), f))
		lines++;
	if (f)
		fclose(f);
	return lines > 1;
}

/* VMAs of /proc/self/maps that lie inside [p, p + len). */
static int vmas_in(char *p, size_t len)
{
	unsigned long start, end;
	char line[256];
	FILE *f = fopen("/proc/self/maps", "r");
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &start, &end) == 2 &&
		    start >= (unsigned long)p && end <= (unsigned long)p + len)
			n++;
	fclose(f);
	return n;
}

static int write_file(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	close(fd);
	return n < 0 ? -errno : 0;
}

static long read_long(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	close(fd);
	return strtol(buf, NULL, 10);
}

/* Parent, child and grandchild each see their own writes and no other's. */
TEST(fork_cow_tree)
{
	char *p = map_anon(NR_PAGES);
	int status;
	pid_t child;

	ASSERT_NE(p, NULL);
	fill(p, NR_PAGES, 1);
	child = fork();
	ASSERT_GE(child, 0);
	if (!child) {
		pid_t grandchild;

		if (first_bad(p, NR_PAGES, 1) != -1)
			_exit(1);
		fill(p, NR_PAGES / 2, 2);
		grandchild = fork();
		if (grandchild < 0)
			_exit(2);
		if (!grandchild) {
			if (bad_in(p, 0, NR_PAGES / 2, 2) != -1 ||
			    bad_in(p, NR_PAGES / 2, NR_PAGES, 1) != -1)
				_exit(3);
			fill(p, NR_PAGES, 3);
			_exit(first_bad(p, NR_PAGES, 3) == -1 ? 0 : 4);
		}
		if (waitpid(grandchild, &status, 0) != grandchild ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			_exit(5);
		_exit(bad_in(p, 0, NR_PAGES / 2, 2) == -1 &&
		      bad_in(p, NR_PAGES / 2, NR_PAGES, 1) == -1 ? 0 : 6);
	}
	ASSERT_EQ(waitpid(child, &status, 0), child);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 0);
	ASSERT_EQ(first_bad(p, NR_PAGES, 1), -1);
	munmap(p, NR_PAGES * psize());
}

/*
 * mprotect() of the middle splits the VMA in three; undoing it merges it.
 * The test runs in a child of the harness: the new mapping must not merge
 * with an inherited neighbour, as mainline never grows a forked VMA.
 */
TEST(mprotect_split_and_merge)
{
	char *p = map_anon(NR_PAGES);

	ASSERT_NE(p, NULL);
	fill(p, NR_PAGES, 7);
	ASSERT_EQ(vmas_in(p, NR_PAGES * psize()), 1);
	ASSERT_EQ(mprotect(p + 4 * psize(), 4 * psize(), PROT_READ), 0);
	ASSERT_EQ(vmas_in(p, NR_PAGES * psize()), 3);
	ASSERT_EQ(first_bad(p, NR_PAGES, 7), -1);
	ASSERT_EQ(mprotect(p + 4 * psize(), 4 * psize(), PROT_READ | PROT_WRITE), 0);
	ASSERT_EQ(vmas_in(p, NR_PAGES * psize()), 1);
	ASSERT_EQ(first_bad(p, NR_PAGES, 7), -1);
	fill(p, NR_PAGES, 8);
	ASSERT_EQ(first_bad(p, NR_PAGES, 8), -1);
	munmap(p, NR_PAGES * psize());
}

/* mremap() of the middle pages elsewhere, then a fork that sees both. */
TEST(mremap_partial_move)
{
	char *p = map_anon(NR_PAGES), *dst, *moved;
	int status;
	pid_t child;

	ASSERT_NE(p, NULL);
	fill(p, NR_PAGES, 9);
	dst = mmap(NULL, 8 * psize(), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(dst, MAP_FAILED);
	moved = mremap(p + 4 * psize(), 4 * psize(), 4 * psize(),
		       MREMAP_MAYMOVE | MREMAP_FIXED, dst + 2 * psize());
	ASSERT_EQ(moved, dst + 2 * psize());
	ASSERT_EQ(bad_in(p, 0, 4, 9), -1);
	ASSERT_EQ(bad_in(p, 8, NR_PAGES, 9), -1);
	ASSERT_FALSE(pagemap_of(p + 4 * psize()) & PM_PRESENT);
	ASSERT_EQ(*(__u64 *)moved, word(9, 4));
	ASSERT_EQ(*(__u64 *)(moved + 3 * psize()), word(9, 7));
	child = fork();
	ASSERT_GE(child, 0);
	if (!child)
		_exit(*(__u64 *)(moved + psize()) == word(9, 5) &&
		      *(__u64 *)(p + 9 * psize()) == word(9, 9) ? 0 : 1);
	ASSERT_EQ(waitpid(child, &status, 0), child);
	ASSERT_EQ(WEXITSTATUS(status), 0);
	munmap(p, NR_PAGES * psize());
	munmap(dst, 8 * psize());
}

/*
 * mremap() moving faulted pages back to where they were, right after a
 * never-faulted VMA with the same protection: whether the two VMAs merge
 * or not, the pages must keep a reverse map, so that reclaim finds every
 * one of them.
 */
TEST(mremap_back_beside_empty_vma)
{
	char *r = mmap(NULL, 32 * psize(), PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *p, *away, *back, *empty;
	int i, swapped = 0;

	ASSERT_NE(r, MAP_FAILED);
	p = mmap(r + 4 * psize(), 8 * psize(), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT_EQ(p, r + 4 * psize());
	fill(p, 8, 13);
	away = mremap(p, 8 * psize(), 8 * psize(), MREMAP_MAYMOVE | MREMAP_FIXED,
		      r + 20 * psize());
	ASSERT_EQ(away, r + 20 * psize());
	empty = mmap(r, 4 * psize(), PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT_EQ(empty, r);
	back = mremap(away, 8 * psize(), 8 * psize(),
		      MREMAP_MAYMOVE | MREMAP_FIXED, r + 4 * psize());
	ASSERT_EQ(back, r + 4 * psize());
	ASSERT_EQ(first_bad(back, 8, 13), -1);
	if (!has_swap() || madvise(back, 8 * psize(), MADV_PAGEOUT)) {
		munmap(r, 32 * psize());
		SKIP(return, "no swap device or no MADV_PAGEOUT");
	}
	for (i = 0; i < 8; i++)
		swapped += !!(pagemap_of(back + i * psize()) & PM_SWAP);
	ASSERT_EQ(swapped, 8);
	ASSERT_EQ(first_bad(back, 8, 13), -1);
	munmap(r, 32 * psize());
}

/* MADV_PAGEOUT puts the pages in swap (the rmap walk unmapped them). */
/*
 * Tests that wait on swap I/O: an emulated guest under load has been seen
 * to take longer than the harness's default 30 s over them.
 */
FIXTURE(swap) {
	int unused;
};

FIXTURE_SETUP(swap)
{
}

FIXTURE_TEARDOWN(swap)
{
}

TEST_F_TIMEOUT(swap, pageout_to_swap_and_back, 180)
{
	char *p = map_anon(NR_PAGES);
	int i, swapped = 0;
	int status;
	pid_t child;

	ASSERT_NE(p, NULL);
	if (read_long("/proc/sys/vm/swappiness") < 0 || access("/proc/swaps", R_OK))
		SKIP(return, "no swap interface");
	fill(p, NR_PAGES, 11);
	if (madvise(p, NR_PAGES * psize(), MADV_PAGEOUT))
		SKIP(return, "MADV_PAGEOUT: %s", strerror(errno));
	for (i = 0; i < NR_PAGES; i++)
		swapped += !!(pagemap_of(p + i * psize()) & PM_SWAP);
	if (!swapped && !has_swap())
		SKIP(return, "no swap device");
	ASSERT_EQ(swapped, NR_PAGES);
	/* A child reads its share back in, then the parent its own. */
	child = fork();
	ASSERT_GE(child, 0);
	if (!child)
		_exit(first_bad(p, NR_PAGES, 11) == -1 ? 0 : 1);
	ASSERT_EQ(waitpid(child, &status, 0), child);
	ASSERT_EQ(WEXITSTATUS(status), 0);
	ASSERT_EQ(first_bad(p, NR_PAGES, 11), -1);
	ASSERT_TRUE(pagemap_of(p) & PM_PRESENT);
	munmap(p, NR_PAGES * psize());
}

/*
 * move_pages() to the other NUMA node: migration unmaps each page through
 * its rmap and maps the copy back, here and in a child that shares the
 * pages after fork. A mapping the walk missed would keep the page busy.
 */
#ifndef MPOL_MF_MOVE_ALL
#define MPOL_MF_MOVE_ALL	4	/* also pages others map (CAP_SYS_NICE) */
#endif

TEST(move_pages_across_nodes)
{
	int nr = 512, i, moved = 0, target, status_nr, pipes[2], status;
	int *nodes, *where;
	void **pages;
	char *p;
	pid_t child;

	if (access("/sys/devices/system/node/node1", F_OK))
		SKIP(return, "one NUMA node");
	p = map_anon(nr);
	ASSERT_NE(p, NULL);
	fill(p, nr, 17);
	pages = calloc(nr, sizeof(*pages));
	nodes = calloc(nr, sizeof(*nodes));
	where = calloc(nr, sizeof(*where));
	ASSERT_TRUE(pages && nodes && where);
	for (i = 0; i < nr; i++)
		pages[i] = p + i * psize();
	/* Where the first page is now; the others go to the other node. */
	status_nr = syscall(SYS_move_pages, 0, 1, pages, NULL, where, 0);
	if (status_nr)
		SKIP(return, "move_pages() cannot say where a page is: %s",
		     strerror(errno));
	ASSERT_GE(where[0], 0);
	target = where[0] == 0 ? 1 : 0;
	for (i = 0; i < nr; i++)
		nodes[i] = target;

	child = fork_checker(p, nr, 17, pipes);
	ASSERT_GE(child, 0);
	/* Half the pages COWed apart from the child's, half still shared. */
	fill(p, nr / 2, 18);
	ASSERT_EQ(syscall(SYS_move_pages, 0, nr, pages, nodes, where,
			  MPOL_MF_MOVE_ALL), 0);
	for (i = 0; i < nr; i++)
		moved += where[i] == target;
	TH_LOG("%d of %d pages on node %d", moved, nr, target);
	EXPECT_EQ(moved, nr);
	ASSERT_EQ(first_bad(p, nr / 2, 18), -1);
	ASSERT_EQ(bad_in(p, nr / 2, nr, 17), -1);
	ASSERT_EQ(write(pipes[1], "g", 1), 1);
	ASSERT_EQ(waitpid(child, &status, 0), child);
	EXPECT_EQ(WEXITSTATUS(status), 0);
	free(pages);
	free(nodes);
	free(where);
	munmap(p, nr * psize());
}

/* A counter of /proc/vmstat, or -1. */
static long vm_event(const char *name)
{
	FILE *f = fopen("/proc/vmstat", "r");
	char key[64];
	long value, found = -1;

	while (f && fscanf(f, "%63s %ld", key, &value) == 2)
		if (!strcmp(key, name))
			found = value;
	if (f)
		fclose(f);
	return found;
}

#define SHARED_REGIONS	8
#define SHARED_PAGES	4

static char *shared_region(char *arena, int i)
{
	return arena + i * (SHARED_PAGES + 1) * psize();
}

/* Move all @n pages to @node; how many are there afterwards. */
static int move_all(void **pages, int n, int node)
{
	int nodes[SHARED_REGIONS * SHARED_PAGES];
	int got[SHARED_REGIONS * SHARED_PAGES];
	int i, there = 0;

	for (i = 0; i < n; i++)
		nodes[i] = node;
	if (syscall(SYS_move_pages, 0, n, pages, nodes, got, MPOL_MF_MOVE_ALL))
		return -1;
	for (i = 0; i < n; i++)
		there += got[i] == node;
	return there;
}

/*
 * Small regions between guard pages, faulted in turn, share lazy roots (up
 * to four VMAs a root, found past the guard page): migration and reclaim
 * before any fork, then fork, COW, migration back, reclaim and mremap() of
 * one region must each find every page in its own VMA, in the parent and
 * in a child.
 */
TEST(shared_roots_migrate_fork_pageout_mremap)
{
	size_t len = SHARED_REGIONS * (SHARED_PAGES + 1) * psize();
	int i, j, n = 0, pipes[2], status, home = -1;
	long made = vm_event("anon_lazy_root_alloc");
	void *pages[SHARED_REGIONS * SHARED_PAGES];
	bool numa = !access("/sys/devices/system/node/node1", F_OK);
	char *arena, *dst, *moved;
	pid_t child;
	char go;

	arena = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(arena, MAP_FAILED);
	for (i = 0; i < SHARED_REGIONS; i++) {
		ASSERT_EQ(mmap(shared_region(arena, i), SHARED_PAGES * psize(),
			       PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
			  shared_region(arena, i));
		fill(shared_region(arena, i), SHARED_PAGES, 30 + i);
		for (j = 0; j < SHARED_PAGES; j++)
			pages[n++] = shared_region(arena, i) + j * psize();
	}
	ASSERT_EQ(vmas_in(arena, len), 2 * SHARED_REGIONS);
	made = vm_event("anon_lazy_root_alloc") - made;
	TH_LOG("%ld lazy roots made for %d regions", made, SHARED_REGIONS);
	if (read_long("/proc/sys/vm/anon_vma_lazy") == 1)
		EXPECT_LE(made, SHARED_REGIONS / 2);

	/* Before any fork: every page to the other node, then reclaim. */
	if (numa) {
		ASSERT_EQ(syscall(SYS_move_pages, 0, 1, pages, NULL, &home, 0), 0);
		ASSERT_GE(home, 0);
		EXPECT_EQ(move_all(pages, n, !home), n);
	}
	madvise(arena, len, MADV_PAGEOUT);
	for (i = 0; i < SHARED_REGIONS; i++)
		ASSERT_EQ(first_bad(shared_region(arena, i), SHARED_PAGES, 30 + i), -1);

	/* A child keeps the first contents of every region. */
	ASSERT_EQ(pipe(pipes), 0);
	child = fork();
	ASSERT_GE(child, 0);
	if (!child) {
		if (read(pipes[0], &go, 1) != 1)
			_exit(1);
		for (i = 0; i < SHARED_REGIONS; i++)
			if (first_bad(shared_region(arena, i), SHARED_PAGES, 30 + i) != -1)
				_exit(2);
		_exit(0);
	}
	/* The parent writes its own copy of the first half. */
	for (i = 0; i < SHARED_REGIONS / 2; i++)
		fill(shared_region(arena, i), SHARED_PAGES, 50 + i);
	/* Shared and private pages back home, then reclaim. */
	if (numa)
		EXPECT_EQ(move_all(pages, n, home), n);
	madvise(arena, len, MADV_PAGEOUT);

	/* One region moves away from the others on its root. */
	dst = mmap(NULL, (SHARED_PAGES + 2) * psize(), PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(dst, MAP_FAILED);
	moved = mremap(shared_region(arena, 5), SHARED_PAGES * psize(),
		       SHARED_PAGES * psize(), MREMAP_MAYMOVE | MREMAP_FIXED,
		       dst + psize());
	ASSERT_EQ(moved, dst + psize());
	for (i = 0; i < SHARED_REGIONS; i++) {
		char *p = i == 5 ? moved : shared_region(arena, i);

		ASSERT_EQ(first_bad(p, SHARED_PAGES, i < SHARED_REGIONS / 2 ?
				    50 + i : 30 + i), -1);
	}
	madvise(moved, SHARED_PAGES * psize(), MADV_PAGEOUT);
	ASSERT_EQ(first_bad(moved, SHARED_PAGES, 35), -1);

	ASSERT_EQ(write(pipes[1], "g", 1), 1);
	ASSERT_EQ(waitpid(child, &status, 0), child);
	EXPECT_EQ(WEXITSTATUS(status), 0);
	munmap(dst, (SHARED_PAGES + 2) * psize());
	munmap(arena, len);
}

/*
 * Fork families: the first child joins its parent's lazy root, and the
 * second fork, past vm.anon_vma_lazy_family_max (set to 2 here), moves the
 * parent's VMA to an anon_vma while the first child's stays on the root.
 * Migrating every page (MPOL_MF_MOVE_ALL: shared ones too) and reclaiming
 * the parent's own must find each mapping in all three processes, through
 * the root's list and the anon_vma's tree; nobody's data may change.
 */
TEST(fork_family_past_its_cap)
{
	const char *cap = "/proc/sys/vm/anon_vma_lazy_family_max";
	int nr = 256, i, moved = 0, home = -1, status, pipes[2][2];
	long joins = vm_event("anon_lazy_family_join");
	bool numa = !access("/sys/devices/system/node/node1", F_OK);
	long old_cap = read_long(cap);
	size_t len = (nr + 4) * psize();
	pid_t child[2];
	void **pages;
	int *nodes, *where;
	char *area, *p;

	/*
	 * Two never-faulted VMAs on each side (other protections, so that
	 * they stay apart), so that @p's first fault shares no neighbour's
	 * root: its root lists @p alone, and the cap of 2 takes one child.
	 */
	area = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(area, MAP_FAILED);
	p = area + 2 * psize();
	ASSERT_EQ(mprotect(area + psize(), psize(), PROT_READ), 0);
	ASSERT_EQ(mprotect(p, nr * psize(), PROT_READ | PROT_WRITE), 0);
	ASSERT_EQ(mprotect(p + nr * psize(), psize(), PROT_READ), 0);
	fill(p, nr, 60);
	if (old_cap >= 0)
		ASSERT_EQ(write_file(cap, "2"), 0);
	child[0] = fork_checker(p, nr, 60, pipes[0]);
	child[1] = fork_checker(p, nr, 60, pipes[1]);
	if (old_cap >= 0) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%ld", old_cap);
		ASSERT_EQ(write_file(cap, buf), 0);
	}
	ASSERT_GE(child[0], 0);
	ASSERT_GE(child[1], 0);
	joins = vm_event("anon_lazy_family_join") - joins;
	TH_LOG("%ld joins for two forks", joins);
	if (old_cap >= 0 && read_long("/proc/sys/vm/anon_vma_lazy") == 1)
		EXPECT_GE(joins, 1);

	/* The parent's own copy of half the pages, the rest shared by three. */
	fill(p, nr / 2, 61);
	pages = calloc(nr, sizeof(*pages));
	nodes = calloc(nr, sizeof(*nodes));
	where = calloc(nr, sizeof(*where));
	ASSERT_TRUE(pages && nodes && where);
	for (i = 0; i < nr; i++)
		pages[i] = p + i * psize();
	if (numa) {
		ASSERT_EQ(syscall(SYS_move_pages, 0, 1, pages, NULL, &home, 0), 0);
		ASSERT_GE(home, 0);
		for (i = 0; i < nr; i++)
			nodes[i] = !home;
		ASSERT_EQ(syscall(SYS_move_pages, 0, nr, pages, nodes, where,
				  MPOL_MF_MOVE_ALL), 0);
		for (i = 0; i < nr; i++)
			moved += where[i] == !home;
		TH_LOG("%d of %d pages moved to node %d", moved, nr, !home);
		EXPECT_EQ(moved, nr);
	}
	madvise(p, nr * psize(), MADV_PAGEOUT);
	ASSERT_EQ(first_bad(p, nr / 2, 61), -1);
	ASSERT_EQ(bad_in(p, nr / 2, nr, 60), -1);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(write(pipes[i][1], "g", 1), 1);
		ASSERT_EQ(waitpid(child[i], &status, 0), child[i]);
		EXPECT_TRUE(WIFEXITED(status));
		EXPECT_EQ(WEXITSTATUS(status), 0);
	}
	free(pages);
	free(nodes);
	free(where);
	munmap(area, len);
}

/* A memfd of @nr pages, each holding @tag's word; -1 if there is none. */
static int memfd_of_words(const char *name, int nr, int tag)
{
	int fd = memfd_create(name, 0), i;
	__u64 w;

	if (fd < 0)
		return -1;
	if (ftruncate(fd, nr * psize())) {
		close(fd);
		return -1;
	}
	for (i = 0; i < nr; i++) {
		w = word(tag, i);
		if (pwrite(fd, &w, sizeof(w), i * psize()) != sizeof(w)) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* The first page of the file not holding @tag's word, or -1. */
static int file_bad(int fd, int nr, int tag)
{
	__u64 w;
	int i;

	for (i = 0; i < nr; i++)
		if (pread(fd, &w, sizeof(w), i * psize()) != sizeof(w) ||
		    w != word(tag, i))
			return i;
	return -1;
}

/* Move the @nr pages at @p to the node the first is not on: how many moved. */
static int move_to_other_node(char *p, int nr)
{
	void **pages = calloc(nr, sizeof(*pages));
	int i, home = -1, moved = -1;

	if (!pages)
		return -1;
	for (i = 0; i < nr; i++)
		pages[i] = p + i * psize();
	if (!syscall(SYS_move_pages, 0, 1, pages, NULL, &home, 0) && home >= 0)
		moved = move_all(pages, nr, !home);
	free(pages);
	return moved;
}

/*
 * A private file mapping (of a memfd) whose first half is written: those
 * copies are anonymous folios in a VMA with a file, the second half the
 * file's own pages. After fork and more writes by the parent, migrating
 * every page, reclaiming the parent's own copies and reading all back must
 * find every mapping in both processes, and the file must not change.
 * With vm.anon_vma_lazy at 1 the first write gives the VMA a lazy root.
 */
static int private_file_bad(char *p, int nr, int parent_tag)
{
	int bad = bad_in(p, 0, nr / 4, parent_tag);

	if (bad == -1)
		bad = bad_in(p, nr / 4, nr / 2, 61);
	if (bad == -1)
		bad = bad_in(p, nr / 2, nr, 60);
	return bad;
}

TEST_F_TIMEOUT(swap, private_file_copies, 180)
{
	int nr = SHARED_REGIONS * SHARED_PAGES, i, fd, swapped = 0;
	int pipes[2], status;
	long roots = vm_event("anon_lazy_root_alloc") +
		     vm_event("anon_lazy_root_reuse");
	bool numa = !access("/sys/devices/system/node/node1", F_OK);
	char *p;
	pid_t child;
	char go;

	fd = memfd_of_words("anon_vma_lazy", nr, 60);
	if (fd < 0)
		SKIP(return, "memfd_create: %s", strerror(errno));
	p = mmap(NULL, nr * psize(), PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ASSERT_NE(p, MAP_FAILED);
	ASSERT_EQ(first_bad(p, nr, 60), -1);
	fill(p, nr / 2, 61);
	roots = vm_event("anon_lazy_root_alloc") +
		vm_event("anon_lazy_root_reuse") - roots;
	TH_LOG("%ld lazy roots made or reused", roots);
	if (read_long("/proc/sys/vm/anon_vma_lazy") == 1)
		EXPECT_EQ(roots, 1);

	ASSERT_EQ(pipe(pipes), 0);
	child = fork();
	ASSERT_GE(child, 0);
	if (!child) {
		if (read(pipes[0], &go, 1) != 1)
			_exit(1);
		_exit(private_file_bad(p, nr, 61) == -1 ? 0 : 2);
	}
	fill(p, nr / 4, 62);

	if (numa)
		EXPECT_EQ(move_to_other_node(p, nr), nr);
	madvise(p, nr / 4 * psize(), MADV_PAGEOUT);
	for (i = 0; i < nr / 4; i++)
		swapped += !!(pagemap_of(p + i * psize()) & PM_SWAP);
	TH_LOG("%d of the parent's %d copies swapped out", swapped, nr / 4);
	if (has_swap())
		EXPECT_EQ(swapped, nr / 4);
	ASSERT_EQ(private_file_bad(p, nr, 62), -1);

	ASSERT_EQ(write(pipes[1], "g", 1), 1);
	ASSERT_EQ(waitpid(child, &status, 0), child);
	EXPECT_EQ(WEXITSTATUS(status), 0);
	ASSERT_EQ(file_bad(fd, nr, 60), -1);
	munmap(p, nr * psize());
	close(fd);
}

/*
 * A debugger's write into a program's text: /proc/self/mem forces a copy
 * (FOLL_FORCE) of pages of a read-only private file mapping, whose VMA
 * then gets a root. Moved by mremap(), forked, written again, migrated and
 * reclaimed, the copies keep their words, the other pages the file's, in
 * parent and child, and the file does not change.
 */
static int poked_bad(char *p, int nr, int tag)
{
	int i;

	for (i = 0; i < nr; i++)
		if (*(__u64 *)(p + i * psize()) != word(i % 2 ? 70 : tag, i))
			return i;
	return -1;
}

static int poke(int mem, char *p, int nr, int tag)
{
	__u64 w;
	int i;

	for (i = 0; i < nr; i += 2) {
		w = word(tag, i);
		if (pwrite(mem, &w, sizeof(w), (off_t)(unsigned long)(p + i * psize())) !=
		    sizeof(w))
			return -errno;
	}
	return 0;
}

TEST_F_TIMEOUT(swap, poked_read_only_file_mapping, 180)
{
	int nr = 32, i, fd, mem, swapped = 0, status, pipes[2];
	long roots = vm_event("anon_lazy_root_alloc") +
		     vm_event("anon_lazy_root_reuse");
	bool numa = !access("/sys/devices/system/node/node1", F_OK);
	char *p, *dst, *moved;
	pid_t child;

	fd = memfd_of_words("anon_vma_lazy_text", nr, 70);
	if (fd < 0)
		SKIP(return, "memfd_create: %s", strerror(errno));
	p = mmap(NULL, nr * psize(), PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_NE(p, MAP_FAILED);
	mem = open("/proc/self/mem", O_RDWR);
	if (mem < 0)
		SKIP(return, "/proc/self/mem: %s", strerror(errno));
	ASSERT_EQ(poke(mem, p, nr, 71), 0);
	ASSERT_EQ(poked_bad(p, nr, 71), -1);
	roots = vm_event("anon_lazy_root_alloc") +
		vm_event("anon_lazy_root_reuse") - roots;
	TH_LOG("%ld lazy roots made or reused", roots);
	if (read_long("/proc/sys/vm/anon_vma_lazy") == 1)
		EXPECT_EQ(roots, 1);

	dst = mmap(NULL, (nr + 4) * psize(), PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(dst, MAP_FAILED);
	moved = mremap(p, nr * psize(), nr * psize(),
		       MREMAP_MAYMOVE | MREMAP_FIXED, dst + 2 * psize());
	ASSERT_EQ(moved, dst + 2 * psize());
	ASSERT_EQ(poked_bad(moved, nr, 71), -1);

	ASSERT_EQ(pipe(pipes), 0);
	child = fork();
	ASSERT_GE(child, 0);
	if (!child) {
		char go;

		if (read(pipes[0], &go, 1) != 1)
			_exit(1);
		_exit(poked_bad(moved, nr, 71) == -1 ? 0 : 2);
	}
	/* New copies of the parent's own, which reclaim may take. */
	ASSERT_EQ(poke(mem, moved, nr, 72), 0);
	if (numa)
		EXPECT_EQ(move_to_other_node(moved, nr), nr);
	madvise(moved, nr * psize(), MADV_PAGEOUT);
	for (i = 0; i < nr; i += 2)
		swapped += !!(pagemap_of(moved + i * psize()) & PM_SWAP);
	TH_LOG("%d of the parent's %d copies swapped out", swapped, nr / 2);
	if (has_swap())
		EXPECT_EQ(swapped, nr / 2);
	ASSERT_EQ(poked_bad(moved, nr, 72), -1);

	ASSERT_EQ(write(pipes[1], "g", 1), 1);
	ASSERT_EQ(waitpid(child, &status, 0), child);
	EXPECT_EQ(WEXITSTATUS(status), 0);
	ASSERT_EQ(file_bad(fd, nr, 70), -1);
	close(mem);
	munmap(dst, (nr + 4) * psize());
	close(fd);
}

/* Compaction moves (migrates) pages: the data must follow, PFN or not. */
TEST(compaction_migrates)
{
	int nr = 4096, i, moved = 0;
	char *p = map_anon(nr);
	__u64 *pfn;

	ASSERT_NE(p, NULL);
	pfn = calloc(nr, sizeof(*pfn));
	ASSERT_NE(pfn, NULL);
	fill(p, nr, 13);
	for (i = 0; i < nr; i++)
		pfn[i] = pagemap_of(p + i * psize()) & PM_PFN_MASK;
	if (!pfn[0])
		SKIP(return, "no PFNs in pagemap (needs CAP_SYS_ADMIN)");
	if (write_file("/proc/sys/vm/compact_memory", "1"))
		SKIP(return, "no compaction");
	for (i = 0; i < nr; i++)
		moved += (pagemap_of(p + i * psize()) & PM_PFN_MASK) != pfn[i];
	ASSERT_EQ(first_bad(p, nr, 13), -1);
	if (!moved)
		SKIP(return, "compaction left all %d pages where they were", nr);
	TH_LOG("%d of %d pages migrated", moved, nr);
	free(pfn);
	munmap(p, nr * psize());
}

/*
 * page_idle reads and writes whole 64-page chunks of the bitmap: the one
 * that max_pfn cuts short transfers nothing (0 bytes), although the kernel
 * walked its pages. Is the chunk of @pfn a whole one?
 */
static bool idle_chunk_whole(int fd, __u64 pfn)
{
	__u64 bits;

	return pread(fd, &bits, 8, pfn / 64 * 8) == 8;
}

/* Reading page_idle after an access walks the rmap and finds it young. */
TEST(page_idle_sees_access)
{
	/* Enough pages that the first ones have left the per-CPU LRU batch. */
	int nr = 64, i, n, fd, idx[2];
	char *p = map_anon(nr);
	__u64 pfn[2], bits;

	ASSERT_NE(p, NULL);
	fill(p, nr, 15);
	fd = open("/sys/kernel/mm/page_idle/bitmap", O_RDWR);
	if (fd < 0)
		SKIP(return, "no page_idle");
	/* Two pages, touched and untouched, in whole chunks of the bitmap. */
	for (i = 0, n = 0; i < nr && n < 2; i++) {
		__u64 f = pagemap_of(p + i * psize()) & PM_PFN_MASK;

		if (!f) {
			close(fd);
			SKIP(return, "no PFNs in pagemap (needs CAP_SYS_ADMIN)");
		}
		if (!idle_chunk_whole(fd, f))
			continue;
		idx[n] = i;
		pfn[n++] = f;
	}
	ASSERT_EQ(n, 2);
	for (i = 0; i < 2; i++) {
		bits = 1ULL << (pfn[i] % 64);
		ASSERT_EQ(pwrite(fd, &bits, 8, pfn[i] / 64 * 8), 8);
	}
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(pread(fd, &bits, 8, pfn[i] / 64 * 8), 8);
		if (!(bits & (1ULL << (pfn[i] % 64))))
			SKIP(return, "page %d could not be marked idle", idx[i]);
	}
	/*
	 * x86 clears the young bit without a TLB flush, and the CPU sets it
	 * only on a page walk: make the access below walk the page table.
	 * The protection change splits the VMA and its undoing merges it.
	 */
	ASSERT_EQ(mprotect(p + idx[0] * psize(), psize(), PROT_READ), 0);
	ASSERT_EQ(mprotect(p + idx[0] * psize(), psize(), PROT_READ | PROT_WRITE), 0);
	/* Touch the first page only: pread() below keeps the store where it is. */
	*(__u64 *)(p + idx[0] * psize()) = word(15, idx[0]);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(pread(fd, &bits, 8, pfn[i] / 64 * 8), 8);
		/* The first was seen accessed through its rmap; the second stays idle. */
		ASSERT_EQ(!!(bits & (1ULL << (pfn[i] % 64))), i);
	}
	close(fd);
	ASSERT_EQ(first_bad(p, nr, 15), -1);
	munmap(p, nr * psize());
}

/*
 * Transparent huge pages: a PMD-aligned region of @nr_pmds huge pages
 * faulted in with MADV_HUGEPAGE, or NULL (with *why set) if this kernel
 * cannot give one.
 */
#define PMD_BYTES	(2UL << 20)

static char *map_thp(int nr_pmds, const char **why)
{
	size_t len = nr_pmds * PMD_BYTES;
	char *raw, *p;

	*why = NULL;
	if (access("/sys/kernel/mm/transparent_hugepage/enabled", R_OK)) {
		*why = "no THP";
		return NULL;
	}
	raw = mmap(NULL, len + PMD_BYTES, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED) {
		*why = "mmap failed";
		return NULL;
	}
	p = (char *)(((unsigned long)raw + PMD_BYTES - 1) & ~(PMD_BYTES - 1));
	if (p != raw)
		munmap(raw, p - raw);
	munmap(p + len, raw + PMD_BYTES - p);
	if (madvise(p, len, MADV_HUGEPAGE)) {
		*why = "MADV_HUGEPAGE failed";
		munmap(p, len);
		return NULL;
	}
	return p;
}

/* kB of AnonHugePages in the VMAs of /proc/@pid/smaps inside [p, p + len). */
static long anon_huge_kb(pid_t pid, char *p, size_t len)
{
	unsigned long start, end;
	char path[64], line[256];
	bool inside = false;
	long kb, sum = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2)
			inside = start >= (unsigned long)p &&
				 end <= (unsigned long)p + len;
		else if (inside && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			sum += kb;
	}
	fclose(f);
	return sum;
}

/* Split every THP of @pid in [p, p + len) through debugfs. */
static int split_thps(pid_t pid, char *p, size_t len)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "%d,0x%lx,0x%lx", pid, (unsigned long)p,
		 (unsigned long)p + len);
	return write_file("/sys/kernel/debug/split_huge_pages", buf);
}

/*
 * A THP shared with a child by fork is split (the walk that unmaps it
 * finds both processes), and both keep their data.
 */
TEST(thp_split_after_fork)
{
	int nr_pmds = 4, nr = nr_pmds * PMD_BYTES / psize(), status, err;
	const char *why;
	char *p = map_thp(nr_pmds, &why);
	int pipes[2];
	pid_t child;

	if (!p)
		SKIP(return, "%s", why);
	fill(p, nr, 19);
	if (anon_huge_kb(getpid(), p, nr_pmds * PMD_BYTES) <= 0)
		SKIP(return, "no THP was faulted in");
	child = fork_checker(p, nr, 19, pipes);
	ASSERT_GE(child, 0);
	err = split_thps(getpid(), p, nr_pmds * PMD_BYTES);
	if (err) {
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
		SKIP(return, "split_huge_pages: %s (debugfs?)", strerror(-err));
	}
	EXPECT_EQ(anon_huge_kb(getpid(), p, nr_pmds * PMD_BYTES), 0);
	EXPECT_EQ(anon_huge_kb(child, p, nr_pmds * PMD_BYTES), 0);
	ASSERT_EQ(write(pipes[1], "g", 1), 1);
	ASSERT_EQ(waitpid(child, &status, 0), child);
	ASSERT_EQ(WEXITSTATUS(status), 0);
	ASSERT_EQ(first_bad(p, nr, 19), -1);
	/* COW after the split: the parent's write stays its own. */
	fill(p, nr / 2, 20);
	ASSERT_EQ(bad_in(p, 0, nr / 2, 20), -1);
	ASSERT_EQ(bad_in(p, nr / 2, nr, 19), -1);
	close(pipes[0]);
	close(pipes[1]);
	munmap(p, nr_pmds * PMD_BYTES);
}

/* A THP never shared is split too (the walk of a lazy root, if any). */
TEST(thp_split_unshared)
{
	int nr_pmds = 2, nr = nr_pmds * PMD_BYTES / psize(), err;
	const char *why;
	char *p = map_thp(nr_pmds, &why);

	if (!p)
		SKIP(return, "%s", why);
	fill(p, nr, 21);
	if (anon_huge_kb(getpid(), p, nr_pmds * PMD_BYTES) <= 0)
		SKIP(return, "no THP was faulted in");
	err = split_thps(getpid(), p, nr_pmds * PMD_BYTES);
	if (err)
		SKIP(return, "split_huge_pages: %s (debugfs?)", strerror(-err));
	EXPECT_EQ(anon_huge_kb(getpid(), p, nr_pmds * PMD_BYTES), 0);
	ASSERT_EQ(first_bad(p, nr, 21), -1);
	munmap(p, nr_pmds * PMD_BYTES);
}

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

/*
 * Small pages collapsed into a THP (MADV_COLLAPSE takes the rmap lock of
 * the VMA and names the new folio from it), then shared with a child and
 * written on both sides (COW of a PMD-mapped THP), then, the child gone,
 * paged out (the walk unmaps the THP's remaining mappings) and read back.
 */
TEST_F_TIMEOUT(swap, thp_collapse_cow_and_pageout, 180)
{
	int nr_pmds = 2, nr = nr_pmds * PMD_BYTES / psize(), swapped = 0, i;
	size_t len = nr_pmds * PMD_BYTES;
	int pipes[2], status;
	const char *why;
	char *p = map_thp(nr_pmds, &why);
	pid_t child;

	if (!p)
		SKIP(return, "%s", why);
	ASSERT_EQ(madvise(p, len, MADV_NOHUGEPAGE), 0);
	fill(p, nr, 23);
	ASSERT_EQ(anon_huge_kb(getpid(), p, len), 0);
	ASSERT_EQ(madvise(p, len, MADV_HUGEPAGE), 0);
	if (madvise(p, len, MADV_COLLAPSE))
		SKIP(return, "MADV_COLLAPSE: %s", strerror(errno));
	ASSERT_EQ(anon_huge_kb(getpid(), p, len), len / 1024);
	ASSERT_EQ(first_bad(p, nr, 23), -1);

	child = fork_checker(p, nr, 23, pipes);
	ASSERT_GE(child, 0);
	/* The parent's writes to the first half stay its own. */
	fill(p, nr / 2, 24);
	ASSERT_EQ(write(pipes[1], "g", 1), 1);
	ASSERT_EQ(waitpid(child, &status, 0), child);
	ASSERT_EQ(WEXITSTATUS(status), 0);
	close(pipes[0]);
	close(pipes[1]);
	ASSERT_EQ(bad_in(p, 0, nr / 2, 24), -1);
	ASSERT_EQ(bad_in(p, nr / 2, nr, 23), -1);

	if (madvise(p, len, MADV_PAGEOUT))
		SKIP(return, "MADV_PAGEOUT: %s", strerror(errno));
	for (i = 0; i < nr; i++)
		swapped += !!(pagemap_of(p + i * psize()) & PM_SWAP);
	if (!swapped && !has_swap())
		SKIP(return, "no swap device");
	/* The half never written after the fork is the collapsed THP's. */
	for (i = nr / 2; i < nr; i++)
		EXPECT_TRUE(pagemap_of(p + i * psize()) & PM_SWAP);
	ASSERT_EQ(bad_in(p, 0, nr / 2, 24), -1);
	ASSERT_EQ(bad_in(p, nr / 2, nr, 23), -1);
	munmap(p, len);
}

/*
 * KSM merges identical pages (a merge rewrites their rmap) and unmerges
 * them. ksmd is made to scan fast while a test waits, then put back as it
 * was; an emulated guest may need a minute for it.
 */
FIXTURE(ksm) {
	long sleep_ms, pages, run;
};

static void write_long(const char *path, long value)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", value);
	write_file(path, buf);
}

FIXTURE_SETUP(ksm)
{
	if (access("/sys/kernel/mm/ksm/run", W_OK) ||
	    access("/proc/self/ksm_merging_pages", R_OK))
		SKIP(return, "no KSM");
	self->sleep_ms = read_long("/sys/kernel/mm/ksm/sleep_millisecs");
	self->pages = read_long("/sys/kernel/mm/ksm/pages_to_scan");
	self->run = read_long("/sys/kernel/mm/ksm/run");
	write_file("/sys/kernel/mm/ksm/sleep_millisecs", "0");
	write_file("/sys/kernel/mm/ksm/pages_to_scan", "4096");
	ASSERT_EQ(write_file("/sys/kernel/mm/ksm/run", "1"), 0);
}

FIXTURE_TEARDOWN(ksm)
{
	if (self->run < 0 || !self->pages)
		return;
	write_long("/sys/kernel/mm/ksm/sleep_millisecs", self->sleep_ms);
	write_long("/sys/kernel/mm/ksm/pages_to_scan", self->pages);
	write_long("/sys/kernel/mm/ksm/run", self->run);
}

/*
 * Wait until ksmd has merged @want pages of this process, or has made no
 * progress in ten rounds of two full scans (or two minutes have passed);
 * the pages it merged.
 */
static long ksm_wait(long want)
{
	long scans = read_long("/sys/kernel/mm/ksm/full_scans");
	long merged = read_long("/proc/self/ksm_merging_pages"), last = merged;
	int tries, still = 0;

	for (tries = 0; tries < 6000 && merged != want && still < 10; tries++) {
		usleep(20000);
		if (read_long("/sys/kernel/mm/ksm/full_scans") < scans + 2)
			continue;
		merged = read_long("/proc/self/ksm_merging_pages");
		still = merged == last ? still + 1 : 0;
		last = merged;
		scans = read_long("/sys/kernel/mm/ksm/full_scans");
	}
	if (merged != want) {
		printf("# ksmd: %ld of %ld pages merged after %d ms, %ld full scans,",
		       merged, want, tries * 20, scans);
		printf(" run %ld, pages_shared %ld, pages_sharing %ld\n",
		       read_long("/sys/kernel/mm/ksm/run"),
		       read_long("/sys/kernel/mm/ksm/pages_shared"),
		       read_long("/sys/kernel/mm/ksm/pages_sharing"));
	}
	return merged;
}

/*
 * How many of the @nr pages at @p are KSM pages (/proc/kpageflags), or -1
 * if that cannot be read (it needs CAP_SYS_ADMIN).
 */
static int ksm_pages_in(char *p, int nr)
{
	int fd = open("/proc/kpageflags", O_RDONLY), i, n = 0;
	__u64 pfn, flags;

	if (fd < 0)
		return -1;
	for (i = 0; i < nr; i++) {
		pfn = pagemap_of(p + i * psize()) & PM_PFN_MASK;
		if (!pfn || pread(fd, &flags, 8, pfn * 8) != 8) {
			n = -1;
			break;
		}
		n += !!(flags & (1ULL << 21));	/* KPF_KSM */
	}
	close(fd);
	return n;
}

TEST_F_TIMEOUT(ksm, merge_and_unmerge, 240)
{
	int nr = 64, i, ksm;
	bool kpageflags_ok;
	char *p = map_anon(nr);

	ASSERT_NE(p, NULL);
	for (i = 0; i < nr; i++)
		memset(p + i * psize(), 0x5a, psize());
	/*
	 * 6.12's stable_page_flags() tests mapping & PAGE_MAPPING_KSM, true
	 * for every anonymous page: there KPF_KSM says nothing.
	 */
	kpageflags_ok = ksm_pages_in(p, nr) == 0;
	ASSERT_EQ(madvise(p, nr * psize(), MADV_MERGEABLE), 0);
	EXPECT_EQ(ksm_wait(nr), nr);
	/* A write unmerges one page; the rest stays merged and intact. */
	p[0] = 0x11;
	EXPECT_EQ(p[0], 0x11);
	for (i = 1; i < nr; i++)
		EXPECT_EQ(p[i * psize() + 7], 0x5a);
	ksm = ksm_pages_in(p, nr);
	if (ksm < 0 || !kpageflags_ok)
		SKIP(goto out, "/proc/kpageflags cannot tell KSM pages here");
	EXPECT_EQ(ksm, nr - 1);
	/*
	 * MADV_UNMERGEABLE breaks every KSM page of the range before it
	 * returns (a write-unshare fault each, in a VMA whose root the merge
	 * upgraded). The pages themselves are checked, not ksmd's per-mm
	 * count: that one was seen to stay at 64 for minutes after the
	 * unmerge while pages_shared and pages_sharing were 0, with the
	 * switch off as well as on (docs/results.md, arm64).
	 */
	EXPECT_EQ(madvise(p, nr * psize(), MADV_UNMERGEABLE), 0);
	EXPECT_EQ(ksm_pages_in(p, nr), 0);
	for (i = 1; i < nr; i++)
		EXPECT_EQ(p[i * psize() + 9], 0x5a);
out:
	munmap(p, nr * psize());
}

/*
 * KSM merges the copies that writes into a private file mapping made (a
 * VMA with a file and a lazy root), and a write unmerges one; the file
 * keeps its own words.
 */
TEST_F_TIMEOUT(ksm, private_file_copies_merge, 240)
{
	int nr = 32, i, fd;
	char *p;

	fd = memfd_of_words("anon_vma_lazy_ksm", nr, 80);
	if (fd < 0)
		SKIP(return, "memfd_create: %s", strerror(errno));
	p = mmap(NULL, nr * psize(), PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ASSERT_NE(p, MAP_FAILED);
	for (i = 0; i < nr; i++)
		memset(p + i * psize(), 0x5a, psize());
	ASSERT_EQ(madvise(p, nr * psize(), MADV_MERGEABLE), 0);
	EXPECT_EQ(ksm_wait(nr), nr);
	p[0] = 0x11;
	EXPECT_EQ(p[0], 0x11);
	for (i = 1; i < nr; i++)
		EXPECT_EQ(p[i * psize() + 7], 0x5a);
	EXPECT_EQ(madvise(p, nr * psize(), MADV_UNMERGEABLE), 0);
	for (i = 1; i < nr; i++)
		EXPECT_EQ(p[i * psize() + 9], 0x5a);
	ASSERT_EQ(file_bad(fd, nr, 80), -1);
	munmap(p, nr * psize());
	close(fd);
}

/*
 * KSM merges the identical pages of a THP region: it splits each THP
 * first, which takes an rmap walk of the folio. ksmd may leave a few
 * pages for later scans; most must merge.
 */
TEST_F_TIMEOUT(ksm, thp_merge, 240)
{
	int nr_pmds = 4, nr = nr_pmds * PMD_BYTES / psize(), i;
	const char *why;
	char *p = map_thp(nr_pmds, &why);

	if (!p)
		SKIP(return, "%s", why);
	for (i = 0; i < nr; i++)
		memset(p + i * psize(), 0x3c, psize());
	if (anon_huge_kb(getpid(), p, nr_pmds * PMD_BYTES) <= 0)
		SKIP(return, "no THP was faulted in");
	ASSERT_EQ(madvise(p, nr_pmds * PMD_BYTES, MADV_MERGEABLE), 0);
	EXPECT_GE(ksm_wait(nr), nr * 9 / 10);
	EXPECT_EQ(anon_huge_kb(getpid(), p, nr_pmds * PMD_BYTES), 0);
	for (i = 0; i < nr; i++)
		EXPECT_EQ(p[i * psize() + 5], 0x3c);
	EXPECT_EQ(madvise(p, nr_pmds * PMD_BYTES, MADV_UNMERGEABLE), 0);
	munmap(p, nr_pmds * PMD_BYTES);
}

/*
 * Reclaim charged to a memory cgroup (memory.reclaim, cgroup v2) swaps out
 * pages of a process in it: never-shared pages, and pages shared with a
 * child by fork. The walk that unmaps them is the memcg-filtered one.
 */
#define CG_ROOT		"/sys/fs/cgroup"
#define CG_TEST		CG_ROOT "/anon_vma_lazy"

static int cg_setup(void)
{
	char buf[256] = "";
	int fd;

	if (access(CG_ROOT "/cgroup.controllers", R_OK) &&
	    mount("none", CG_ROOT, "cgroup2", 0, NULL))
		return -1;
	fd = open(CG_ROOT "/cgroup.controllers", O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) < 0 || !strstr(buf, "memory")) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	write_file(CG_ROOT "/cgroup.subtree_control", "+memory");
	if (mkdir(CG_TEST, 0755) && errno != EEXIST)
		return -1;
	return access(CG_TEST "/memory.reclaim", W_OK);
}

static int swapped_in(char *p, int nr)
{
	int i, swapped = 0;

	for (i = 0; i < nr; i++)
		swapped += !!(pagemap_of(p + i * psize()) & PM_SWAP);
	return swapped;
}

TEST_F_TIMEOUT(swap, memcg_reclaim, 180)
{
	int nr = 2048, status, pipes[2];
	char *lone, *shared;
	char pid[32];
	pid_t child;

	if (!has_swap())
		SKIP(return, "no swap device");
	if (cg_setup())
		SKIP(return, "no cgroup v2 memory controller with memory.reclaim");
	snprintf(pid, sizeof(pid), "%d", getpid());
	ASSERT_EQ(write_file(CG_TEST "/cgroup.procs", pid), 0);
	lone = map_anon(nr);
	shared = map_anon(nr);
	ASSERT_NE(lone, NULL);
	ASSERT_NE(shared, NULL);
	fill(lone, nr, 23);
	fill(shared, nr, 24);
	child = fork_checker(shared, nr, 24, pipes);
	ASSERT_GE(child, 0);
	/* Ask for more than there is: everything reclaimable goes. */
	write_file(CG_TEST "/memory.reclaim", "64M");
	EXPECT_GT(swapped_in(lone, nr), nr / 2);
	EXPECT_GT(swapped_in(shared, nr), nr / 2);
	ASSERT_EQ(write(pipes[1], "g", 1), 1);
	ASSERT_EQ(waitpid(child, &status, 0), child);
	EXPECT_EQ(WEXITSTATUS(status), 0);
	ASSERT_EQ(first_bad(lone, nr, 23), -1);
	ASSERT_EQ(first_bad(shared, nr, 24), -1);
	munmap(lone, nr * psize());
	munmap(shared, nr * psize());
	write_file(CG_ROOT "/cgroup.procs", pid);
	rmdir(CG_TEST);
}

/* UFFDIO_MOVE takes pages from one mapping to another (their rmap moves). */
TEST(uffd_move)
{
	struct uffdio_api api = { .api = UFFD_API, .features = UFFD_FEATURE_MOVE };
	struct uffdio_register reg = { 0 };
	struct uffdio_move move = { 0 };
	char *src = map_anon(NR_PAGES), *dst = map_anon(NR_PAGES);
	int uffd;

	ASSERT_NE(src, NULL);
	ASSERT_NE(dst, NULL);
	uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0)
		SKIP(return, "no userfaultfd: %s", strerror(errno));
	if (ioctl(uffd, UFFDIO_API, &api) || !(api.features & UFFD_FEATURE_MOVE))
		SKIP(return, "no UFFDIO_MOVE");
	fill(src, NR_PAGES, 17);
	reg.range.start = (unsigned long)dst;
	reg.range.len = NR_PAGES * psize();
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	ASSERT_EQ(ioctl(uffd, UFFDIO_REGISTER, &reg), 0);
	move.dst = (unsigned long)dst;
	move.src = (unsigned long)src;
	move.len = NR_PAGES * psize();
	ASSERT_EQ(ioctl(uffd, UFFDIO_MOVE, &move), 0);
	ASSERT_EQ(move.move, NR_PAGES * psize());
	ASSERT_EQ(first_bad(dst, NR_PAGES, 17), -1);
	ASSERT_FALSE(pagemap_of(src) & PM_PRESENT);
	ASSERT_EQ(*(__u64 *)src, 0);
	close(uffd);
	munmap(src, NR_PAGES * psize());
	munmap(dst, NR_PAGES * psize());
}

TEST_HARNESS_MAIN
