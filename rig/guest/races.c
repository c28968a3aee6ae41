// SPDX-License-Identifier: GPL-2.0
/*
 * Races of the anonymous reverse map, through the syscall ABI, for a guest
 * with several CPUs: each owner thread keeps its own memory and checks
 * every word of it after each step, while ksmd, fork, first faults of
 * other threads and rmap walkers (MADV_PAGEOUT, page_idle, compaction,
 * move_pages() across NUMA nodes) run at the same time.
 *
 *   races [-t SECONDS] [-s SEED]
 *
 * Owners: "splitter" splits and merges its VMAs with mprotect() and moves
 * ranges away and back with mremap(); "ksm" fills identical pages that
 * ksmd merges (which makes its lazy root an anon_vma under mmap_lock held
 * for read) while it unmaps and mremap()-shrinks pieces; "forker" forks
 * children that check a snapshot while two threads fault pages in and
 * write them; "thp" forks over huge pages, lets the child write half of
 * them and splits them with a partial mprotect(). Prints one line per
 * owner and walker; any wrong word ends it with "RACES-FAIL".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/types.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE		4096UL
#define PMD		(2UL << 20)
/* <numaif.h> without libnuma: move_pages() by its syscall. */
#define MPOL_MF_MOVE	2

static atomic_int stop;
static unsigned int seconds = 30, seed;

/* Regions the walkers may pick from: published by their owners. */
#define MAX_REGIONS	8
static atomic_uintptr_t region_base[MAX_REGIONS];
static atomic_ulong region_pages[MAX_REGIONS];

/* write(), not stdio: a forked child of this threaded program may fail. */
static void fail(const char *who, const char *what, unsigned long i,
		 __u64 got, __u64 want)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf),
			 "RACES-FAIL %s: %s at page %lu: %#llx, want %#llx\n",
			 who, what, i, (unsigned long long)got,
			 (unsigned long long)want);

	if (write(1, buf, n) < 0)
		_exit(3);
	_exit(1);
}

/* The first word of a page that other threads may write meanwhile. */
static __u64 peek(const char *p)
{
	return __atomic_load_n((const __u64 *)p, __ATOMIC_RELAXED);
}

static void poke(char *p, __u64 v)
{
	__atomic_store_n((__u64 *)p, v, __ATOMIC_RELAXED);
}

/* A page's word: which owner, which page, which version. */
static __u64 word(int owner, unsigned long page, unsigned int version)
{
	return ((__u64)owner << 56) | ((__u64)page << 24) | version;
}

static void *map_anon(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		_exit(2);
	}
	return p;
}

static void publish(int slot, void *p, unsigned long pages)
{
	atomic_store(&region_pages[slot], 0);
	atomic_store(&region_base[slot], (uintptr_t)p);
	atomic_store(&region_pages[slot], pages);
}

static void unpublish(int slot)
{
	atomic_store(&region_pages[slot], 0);
}

struct owner {
	const char *name;
	int id;
	unsigned int seed;
	unsigned long steps;
};

static void check_all(struct owner *o, char *p, const unsigned int *ver,
		      unsigned long pages)
{
	unsigned long i;

	for (i = 0; i < pages; i++) {
		__u64 got = peek(p + i * PAGE);

		if (got != word(o->id, i, ver[i]))
			fail(o->name, "wrong word", i, got, word(o->id, i, ver[i]));
	}
}

/* mprotect() splits and merges, mremap() moves a range away and back. */
static void *splitter(void *arg)
{
	struct owner *o = arg;
	unsigned long pages = 256, i;
	unsigned int ver[256] = { 0 };
	char *p = map_anon(pages * PAGE), *away;

	for (i = 0; i < pages; i++)
		*(__u64 *)(p + i * PAGE) = word(o->id, i, 0);
	publish(o->id, p, pages);
	while (!atomic_load(&stop)) {
		unsigned long a = rand_r(&o->seed) % (pages - 16);
		unsigned long n = 1 + rand_r(&o->seed) % 15;

		switch (rand_r(&o->seed) % 3) {
		case 0:
			mprotect(p + a * PAGE, n * PAGE, PROT_READ);
			check_all(o, p, ver, pages);
			mprotect(p + a * PAGE, n * PAGE, PROT_READ | PROT_WRITE);
			break;
		case 1:
			away = mmap(NULL, n * PAGE, PROT_NONE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (away == MAP_FAILED)
				break;
			if (mremap(p + a * PAGE, n * PAGE, n * PAGE,
				   MREMAP_MAYMOVE | MREMAP_FIXED, away) == MAP_FAILED)
				fail(o->name, "mremap away", a, errno, 0);
			for (i = 0; i < n; i++)
				if (*(__u64 *)(away + i * PAGE) != word(o->id, a + i, ver[a + i]))
					fail(o->name, "moved word", a + i,
					     *(__u64 *)(away + i * PAGE),
					     word(o->id, a + i, ver[a + i]));
			if (mremap(away, n * PAGE, n * PAGE,
				   MREMAP_MAYMOVE | MREMAP_FIXED, p + a * PAGE) == MAP_FAILED)
				fail(o->name, "mremap back", a, errno, 0);
			break;
		default:
			for (i = a; i < a + n; i++) {
				ver[i]++;
				*(__u64 *)(p + i * PAGE) = word(o->id, i, ver[i]);
			}
		}
		check_all(o, p, ver, pages);
		o->steps++;
	}
	unpublish(o->id);
	munmap(p, pages * PAGE);
	return NULL;
}

/*
 * Identical pages for ksmd, split in pieces on one root; pieces go by
 * munmap() and mremap() shrinks while ksmd upgrades the root.
 */
static void *ksm_victim(void *arg)
{
	struct owner *o = arg;
	unsigned long pages = 128, i, keep;
	char *p;

	while (!atomic_load(&stop)) {
		p = map_anon(pages * PAGE);
		madvise(p, pages * PAGE, MADV_MERGEABLE);
		for (i = 0; i < pages; i++)
			memset(p + i * PAGE, 0x5a, PAGE);
		mprotect(p + 32 * PAGE, 32 * PAGE, PROT_READ);
		publish(o->id, p, pages);
		usleep(1000 * (rand_r(&o->seed) % 50));
		keep = 64 + rand_r(&o->seed) % 32;
		unpublish(o->id);
		if (rand_r(&o->seed) & 1) {
			munmap(p + keep * PAGE, (pages - keep) * PAGE);
		} else {
			mprotect(p + 32 * PAGE, 32 * PAGE, PROT_READ | PROT_WRITE);
			if (mremap(p, pages * PAGE, keep * PAGE, 0) != p)
				fail(o->name, "mremap shrink", keep, errno, 0);
		}
		for (i = 0; i < keep; i++) {
			__u64 got = peek(p + i * PAGE + 8 * (i % 512));

			if (got != 0x5a5a5a5a5a5a5a5aULL)
				fail(o->name, "merged word", i, got, 0x5a5a5a5a5a5a5a5aULL);
		}
		munmap(p, keep * PAGE);
		o->steps++;
	}
	return NULL;
}

/* fork() while two threads fault pages of the same VMAs in. */
struct forker_area {
	char *p;
	unsigned long pages;
	atomic_uint ver[512];
	atomic_int done;
};

struct faulter_arg {
	struct forker_area *fa;
	unsigned int half;	/* the pages this thread writes: i % 2 */
};

static void *faulter(void *arg)
{
	struct faulter_arg *f = arg;
	struct forker_area *fa = f->fa;
	unsigned int s = seed ^ f->half;

	while (!atomic_load(&fa->done)) {
		unsigned long i = (rand_r(&s) % (fa->pages / 2)) * 2 + f->half;
		unsigned int v = atomic_load(&fa->ver[i]) + 1;

		poke(fa->p + i * PAGE, word(3, i, v));
		atomic_store(&fa->ver[i], v);
	}
	return NULL;
}

static void *forker(void *arg)
{
	struct owner *o = arg;
	struct forker_area *fa = calloc(1, sizeof(*fa));
	struct faulter_arg f[2] = { { fa, 0 }, { fa, 1 } };
	pthread_t t[2];
	unsigned long i;
	int k, status;

	fa->pages = 512;
	while (!atomic_load(&stop)) {
		fa->p = map_anon(fa->pages * PAGE);
		/* Pieces: the faults go into several VMAs of one root. */
		mprotect(fa->p + 128 * PAGE, 128 * PAGE, PROT_READ | PROT_WRITE | PROT_EXEC);
		for (i = 0; i < fa->pages; i++)
			atomic_store(&fa->ver[i], 0);
		atomic_store(&fa->done, 0);
		publish(o->id, fa->p, fa->pages);
		for (k = 0; k < 2; k++)
			pthread_create(&t[k], NULL, faulter, &f[k]);
		for (k = 0; k < 4; k++) {
			pid_t child = fork();

			if (!child) {
				/* Each word is some page's own, of some version. */
				for (i = 0; i < fa->pages; i++) {
					__u64 got = peek(fa->p + i * PAGE);

					if (got && (got >> 24) != (word(3, i, 0) >> 24))
						fail("child", "foreign word", i, got,
						     word(3, i, 0));
					poke(fa->p + i * PAGE, 0);
				}
				_exit(0);
			}
			if (child < 0 || waitpid(child, &status, 0) != child ||
			    !WIFEXITED(status) || WEXITSTATUS(status))
				fail(o->name, "child", k, status, 0);
		}
		atomic_store(&fa->done, 1);
		for (k = 0; k < 2; k++)
			pthread_join(t[k], NULL);
		unpublish(o->id);
		for (i = 0; i < fa->pages; i++) {
			__u64 got = peek(fa->p + i * PAGE);
			unsigned int v = atomic_load(&fa->ver[i]);

			if (v ? got != word(3, i, v) : got != 0)
				fail(o->name, "parent word", i, got, word(3, i, v));
		}
		munmap(fa->p, fa->pages * PAGE);
		o->steps++;
	}
	free(fa);
	return NULL;
}

/* Huge pages: fork, the child writes half of them, mprotect() splits. */
static void *thp(void *arg)
{
	struct owner *o = arg;
	unsigned long len = 4 * PMD, pages = len / PAGE, i;
	unsigned int *ver = calloc(pages, sizeof(*ver));
	char *raw, *p;
	pid_t child;
	int status;

	while (!atomic_load(&stop)) {
		raw = map_anon(len + PMD);
		p = (char *)(((uintptr_t)raw + PMD - 1) & ~(PMD - 1));
		madvise(p, len, MADV_HUGEPAGE);
		for (i = 0; i < pages; i++) {
			ver[i] = o->steps & 0xffff;
			*(__u64 *)(p + i * PAGE) = word(o->id, i, ver[i]);
		}
		publish(o->id, p, pages);
		child = fork();
		if (!child) {
			for (i = 0; i < pages / 2; i++)
				*(__u64 *)(p + i * PAGE) = word(o->id, i, 0xfffff);
			mprotect(p + PMD / 2, PMD, PROT_READ);
			for (i = 0; i < pages; i++) {
				__u64 want = word(o->id, i,
						  i < pages / 2 ? 0xfffff : ver[i]);

				if (*(__u64 *)(p + i * PAGE) != want)
					fail("child", "huge page word", i,
					     *(__u64 *)(p + i * PAGE), want);
			}
			_exit(0);
		}
		mprotect(p + PMD + PMD / 4, PMD / 2, PROT_READ);
		check_all(o, p, ver, pages);
		if (child < 0 || waitpid(child, &status, 0) != child ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			fail(o->name, "child", 0, status, 0);
		check_all(o, p, ver, pages);
		unpublish(o->id);
		munmap(raw, len + PMD);
		o->steps++;
	}
	free(ver);
	return NULL;
}

/* Walkers: pick a published page and ask the kernel to walk its rmap. */
struct walker {
	const char *name;
	unsigned int seed;
	unsigned long steps, done;
	int (*walk)(struct walker *w, char *addr);
	int fd;
};

static char *pick(struct walker *w, unsigned long *pages)
{
	int r = rand_r(&w->seed) % MAX_REGIONS;
	uintptr_t base = atomic_load(&region_base[r]);

	*pages = atomic_load(&region_pages[r]);
	if (!base || !*pages)
		return NULL;
	return (char *)base + (rand_r(&w->seed) % *pages) * PAGE;
}

static int walk_pageout(struct walker *w, char *addr)
{
	return madvise(addr, 8 * PAGE, MADV_PAGEOUT) == 0;
}

static int walk_move(struct walker *w, char *addr)
{
	void *pages[4] = { addr, addr + PAGE, addr + 2 * PAGE, addr + 3 * PAGE };
	int nodes[4], status[4], n = rand_r(&w->seed) & 1, i;

	for (i = 0; i < 4; i++)
		nodes[i] = n;
	return syscall(__NR_move_pages, 0, 4, pages, nodes, status, MPOL_MF_MOVE) == 0;
}

static int walk_compact(struct walker *w, char *addr)
{
	int fd = open("/proc/sys/vm/compact_memory", O_WRONLY);
	int ok = fd >= 0 && write(fd, "1", 1) == 1;

	if (fd >= 0)
		close(fd);
	usleep(200000);
	return ok;
}

/* page_idle: mark the PFN idle, then read it (a walk of its rmap). */
static int walk_idle(struct walker *w, char *addr)
{
	int pm = open("/proc/self/pagemap", O_RDONLY);
	__u64 entry = 0, bits;
	unsigned long pfn;
	int ok = 0;

	if (pm < 0)
		return 0;
	if (pread(pm, &entry, 8, (uintptr_t)addr / PAGE * 8) != 8)
		entry = 0;
	pfn = entry & ((1ULL << 55) - 1);
	if ((entry & (1ULL << 63)) && pfn) {
		bits = 1ULL << (pfn % 64);
		ok = pwrite(w->fd, &bits, 8, pfn / 64 * 8) == 8 &&
		     pread(w->fd, &bits, 8, pfn / 64 * 8) == 8;
	}
	close(pm);
	return ok;
}

static void *walker(void *arg)
{
	struct walker *w = arg;
	unsigned long pages;

	while (!atomic_load(&stop)) {
		char *addr = pick(w, &pages);

		if (!addr) {
			usleep(1000);
			continue;
		}
		w->steps++;
		w->done += w->walk(w, addr);
	}
	return NULL;
}

static void write_knob(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY);

	if (fd >= 0) {
		if (write(fd, value, strlen(value)) < 0)
			perror(path);
		close(fd);
	}
}

int main(int argc, char **argv)
{
	struct owner owners[] = {
		{ .name = "splitter", .id = 1 },
		{ .name = "ksm", .id = 2 },
		{ .name = "forker", .id = 3 },
		{ .name = "thp", .id = 4 },
	};
	struct walker walkers[] = {
		{ .name = "pageout", .walk = walk_pageout },
		{ .name = "move_pages", .walk = walk_move },
		{ .name = "compaction", .walk = walk_compact },
		{ .name = "page_idle", .walk = walk_idle },
	};
	void *(*fn[])(void *) = { splitter, ksm_victim, forker, thp };
	pthread_t ot[4], wt[4];
	int opt, i;

	seed = (unsigned int)time(NULL) ^ (unsigned int)getpid();
	while ((opt = getopt(argc, argv, "t:s:")) != -1) {
		if (opt == 't')
			seconds = atoi(optarg);
		else if (opt == 's')
			seed = strtoul(optarg, NULL, 0);
		else
			return 2;
	}
	printf("races: seed %u, %u s\n", seed, seconds);
	fflush(stdout);
	write_knob("/sys/kernel/mm/ksm/sleep_millisecs", "0");
	write_knob("/sys/kernel/mm/ksm/pages_to_scan", "1000");
	write_knob("/sys/kernel/mm/ksm/run", "1");
	walkers[3].fd = open("/sys/kernel/mm/page_idle/bitmap", O_RDWR);
	for (i = 0; i < 4; i++) {
		owners[i].seed = seed + i;
		pthread_create(&ot[i], NULL, fn[i], &owners[i]);
	}
	for (i = 0; i < 4; i++) {
		walkers[i].seed = seed + 100 + i;
		if (i == 3 && walkers[i].fd < 0)
			continue;
		pthread_create(&wt[i], NULL, walker, &walkers[i]);
	}
	sleep(seconds);
	atomic_store(&stop, 1);
	for (i = 0; i < 4; i++)
		pthread_join(ot[i], NULL);
	for (i = 0; i < 4; i++)
		if (i != 3 || walkers[i].fd >= 0)
			pthread_join(wt[i], NULL);
	for (i = 0; i < 4; i++)
		printf("races: %s %lu steps\n", owners[i].name, owners[i].steps);
	for (i = 0; i < 4; i++)
		printf("races: %s %lu walks, %lu done\n", walkers[i].name,
		       walkers[i].steps, walkers[i].done);
	for (i = 0; i < 4; i++)
		if (!owners[i].steps)
			fail(owners[i].name, "made no step", 0, 0, 0);
	printf("races: passed\n");
	return 0;
}
