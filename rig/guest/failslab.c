// SPDX-License-Identifier: GPL-2.0
/*
 * The workload of the failslab guest (rig/guest/failslab.sh): the
 * anon rmap operations that allocate from anon_vma, anon_vma_chain or
 * anon_vma_lazy, run while failslab makes those allocations fail, with
 * every page checked against the pattern it must hold afterwards. The
 * caller marks the one cache that may fail (failslab's cache filter).
 *
 *   failslab nth LABEL
 *	For each operation, the first, second, ... allocation it makes from
 *	the cache fails in turn (/proc/thread-self/fail-nth), each time in a
 *	fresh process, until the operation makes no more: every allocation
 *	site the operation reaches fails once. One line per operation:
 *	"nth LABEL OP SITES ENOMEM BAD" (runs with a failure, of which the
 *	call returned ENOMEM, runs with wrong data or other errors).
 *   failslab pair LABEL OBJECT_SIZE
 *	The same, failing two allocations in a row (failslab's space and
 *	times, for this process alone; OBJECT_SIZE is the cache's), so that
 *	a fallback after a failed attempt fails too (anon_vma_clone() tries
 *	GFP_NOWAIT, then GFP_KERNEL). "pair LABEL OP SITES ENOMEM BAD".
 *   failslab random LABEL ROUNDS NR
 *	ROUNDS rounds of first faults, mprotect split and merge, mremap
 *	moves, KSM merging, two forks with COW writes in the children,
 *	munmap of middle pages and munmap, over NR VMAs, with failslab's
 *	probability and task filter set by the caller: this process and its
 *	children fail (/proc/self/make-it-fail). One line per operation:
 *	"random LABEL OP ATTEMPTS ENOMEM", and "random-ksm LABEL merged PAGES".
 *   failslab ksm LABEL
 *	One KSM round, while the caller makes ksmd's allocations fail:
 *	"ksm LABEL merged PAGES".
 *   failslab slabs
 *	Active objects of the three rmap caches, "NAME ACTIVE" per line,
 *	once two reads, each after a grace period, agree: one reader that
 *	waits in itself counts only the living, itself included, the same
 *	every time.
 *
 * A fault whose anon_vma_prepare() fails returns VM_FAULT_OOM and is
 * retried, so faults never fail here; system calls return ENOMEM. Exit
 * status 0 when every page held what it must; wrong data or an error
 * other than ENOMEM is printed ("FAIL ...") and fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../bench/guest/slabinfo.h"

#define PAGES		4
#define MAX_VMAS	256
#define NTH_VMAS	4
#define NTH_MAX		500
#define KSM_VMAS	8

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Exit status bits of one nth run. */
#define ST_INJECTED	1
#define ST_ENOMEM	2
#define ST_BAD		4
#define ST_TWICE	8

static long psz;
static const char *label;
static int bad;
static int nth_fd = -1;

struct region {
	char *arena;
	size_t len;
	char *map[MAX_VMAS];
	int nr;
};

/* What page @i of mapping @m holds after @gen writes. */
static __u64 pattern(int m, int i, int gen)
{
	return ((__u64)gen << 48) | ((__u64)m << 16) | (__u64)i;
}

static void fill(char *p, int m, int gen)
{
	int i;

	for (i = 0; i < PAGES; i++)
		*(__u64 *)(p + i * psz) = pattern(m, i, gen);
}

static void check(const char *what, char *p, int m, int gen)
{
	__u64 got;
	int i;

	for (i = 0; i < PAGES; i++) {
		got = *(__u64 *)(p + i * psz);
		if (got != pattern(m, i, gen)) {
			printf("FAIL %s %s: mapping %d page %d holds %#llx, not %#llx\n",
			       label, what, m, i, (unsigned long long)got,
			       (unsigned long long)pattern(m, i, gen));
			bad++;
		}
	}
}

static void check_all(const char *what, struct region *r, int gen)
{
	int m;

	for (m = 0; m < r->nr; m++)
		if (r->map[m])
			check(what, r->map[m], m, gen);
}

static void die(const char *what)
{
	printf("FAIL %s %s: %s\n", label, what, strerror(errno));
	exit(ST_BAD);
}

/*
 * @nr separate VMAs of PAGES pages, a PROT_NONE page between two, filled
 * (first faults) with generation 1. The arena is mapped without the
 * failures the caller may have asked for: mmap() allocates no rmap.
 */
static void region_map(struct region *r, int nr)
{
	int m;

	r->nr = nr;
	r->len = (size_t)(nr * (PAGES + 1) + 1) * psz;
	r->arena = mmap(NULL, r->len, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r->arena == MAP_FAILED)
		die("mmap arena");
	for (m = 0; m < nr; m++) {
		r->map[m] = mmap(r->arena + (size_t)(m * (PAGES + 1) + 1) * psz,
				 PAGES * psz, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (r->map[m] == MAP_FAILED)
			die("mmap");
	}
}

static void region_fill(struct region *r, int gen)
{
	int m;

	for (m = 0; m < r->nr; m++)
		fill(r->map[m], m, gen);
}

static void region_unmap(struct region *r)
{
	int m;

	/* A moved mapping sits between two PROT_NONE pages of its own. */
	for (m = 0; m < r->nr; m++)
		if (r->map[m] && (r->map[m] < r->arena ||
				  r->map[m] >= r->arena + r->len))
			munmap(r->map[m] - psz, (PAGES + 2) * psz);
	munmap(r->arena, r->len);
}

/* Move mapping @m to a place of its own; ENOMEM leaves it where it was. */
static int region_move(struct region *r, int m)
{
	char *dst = mmap(NULL, (PAGES + 2) * psz, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *p;

	if (dst == MAP_FAILED)
		die("mmap for mremap");
	p = mremap(r->map[m], PAGES * psz, PAGES * psz,
		   MREMAP_MAYMOVE | MREMAP_FIXED, dst + psz);
	if (p == MAP_FAILED) {
		munmap(dst, (PAGES + 2) * psz);
		return -1;
	}
	r->map[m] = p;
	return 0;
}

/* The child side of a fork: read everything, write every third mapping. */
static int child_checks(struct region *r, int gen)
{
	int m;

	check_all("child read", r, gen);
	for (m = 0; m < r->nr; m += 3) {
		if (!r->map[m])
			continue;
		fill(r->map[m], m, gen + 10);
		check("child cow", r->map[m], m, gen + 10);
	}
	return bad ? ST_BAD : 0;
}

static int wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	if (!WIFEXITED(status)) {
		printf("FAIL %s: child killed by signal %d\n", label,
		       WTERMSIG(status));
		return ST_BAD;
	}
	return WEXITSTATUS(status);
}

static void write_file(const char *path, long value)
{
	char buf[32];
	int fd = open(path, O_WRONLY), len;

	len = snprintf(buf, sizeof(buf), "%ld", value);
	if (fd < 0 || write(fd, buf, len) != len)
		die(path);
	close(fd);
}

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/*
 * The injector of the nth and pair modes. nth: fail-nth of this thread,
 * opened by the process that uses it. pair: failslab's space lets the
 * first n - 1 allocations through and times stops after two failures;
 * make-it-fail picks this process (the caller set probability to 100).
 */
#define FAILSLAB	"/sys/kernel/debug/failslab/"

static int pair_mode;
static long obj_size;
static int last_fired;

static void inject_open(void)
{
	if (pair_mode)
		return;
	if (nth_fd >= 0)
		close(nth_fd);
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (nth_fd < 0)
		die("/proc/thread-self/fail-nth");
}

/* Fail the @n-th filtered allocation from now (pair: and the next). */
static void inject_arm(unsigned int n)
{
	char buf[16];
	int len;

	if (pair_mode) {
		write_file(FAILSLAB "space", (n - 1) * obj_size + 1);
		write_file(FAILSLAB "times", 2);
		write_file("/proc/self/make-it-fail", 1);
		return;
	}
	len = snprintf(buf, sizeof(buf), "%u", n);
	if (pwrite(nth_fd, buf, len, 0) != len)
		die("write fail-nth");
}

/* Stop injecting: how many failures came since inject_arm()? */
static int inject_disarm(void)
{
	char buf[16] = "";
	int fired;

	if (pair_mode) {
		write_file("/proc/self/make-it-fail", 0);
		fired = 2 - read_long(FAILSLAB "times");
		write_file(FAILSLAB "times", 0);
		return fired;
	}
	if (pread(nth_fd, buf, sizeof(buf) - 1, 0) <= 0)
		die("read fail-nth");
	fired = atoi(buf) == 0;
	if (!fired && pwrite(nth_fd, "0", 1, 0) != 1)
		die("write fail-nth");
	return fired;
}

/*
 * fork() with the checks in the child; -1 and errno if it failed. With
 * @disarm, injection stops in the parent as soon as fork() returns, before
 * the child runs into it; last_fired says what fork() met.
 */
static int fork_checked(struct region *r, int gen, int disarm)
{
	pid_t pid = fork();
	int err = errno;

	if (pid && disarm)
		last_fired = inject_disarm();
	if (pid < 0) {
		errno = err;
		return -1;
	}
	if (!pid)
		_exit(child_checks(r, gen));
	if (wait_child(pid) & ST_BAD)
		bad++;
	return 0;
}

static int errno_status(int rc, int err, const char *what)
{
	if (!rc)
		return 0;
	if (err == ENOMEM)
		return ST_ENOMEM;
	printf("FAIL %s %s: %s\n", label, what, strerror(err));
	return ST_BAD;
}

/*
 * One run of @op, in a fresh process: the state is built first, injection
 * armed just before the operation and stopped just after it.
 */
static int nth_run(const char *op, unsigned int n)
{
	struct region r;
	int st = 0, rc = 0, err = 0, fired = 0;
	pid_t pid;

	inject_open();
	region_map(&r, NTH_VMAS);
	if (!strcmp(op, "fault")) {
		inject_arm(n);
		region_fill(&r, 1);
		fired = inject_disarm();
	} else {
		region_fill(&r, 1);
	}

	if (!strcmp(op, "mprotect-split")) {
		inject_arm(n);
		rc = mprotect(r.map[0] + psz, psz, PROT_READ);
		err = errno;
		fired = inject_disarm();
	} else if (!strcmp(op, "mprotect-merge")) {
		if (mprotect(r.map[0] + psz, psz, PROT_READ))
			die("mprotect");
		inject_arm(n);
		rc = mprotect(r.map[0] + psz, psz, PROT_READ | PROT_WRITE);
		err = errno;
		fired = inject_disarm();
	} else if (!strcmp(op, "mremap")) {
		inject_arm(n);
		rc = region_move(&r, 0);
		err = errno;
		fired = inject_disarm();
	} else if (!strcmp(op, "munmap-middle")) {
		inject_arm(n);
		rc = munmap(r.map[0] + psz, psz);
		err = errno;
		fired = inject_disarm();
		if (!rc) {
			/* Only the first page of mapping 0 is left to check. */
			if (*(__u64 *)r.map[0] != pattern(0, 0, 1)) {
				printf("FAIL %s munmap-middle: page 0 changed\n", label);
				bad++;
			}
			r.map[0] = NULL;
		}
	} else if (!strcmp(op, "fork") || !strcmp(op, "fork-again")) {
		if (!strcmp(op, "fork-again") && fork_checked(&r, 1, 0))
			die("fork");
		inject_arm(n);
		rc = fork_checked(&r, 1, 1);
		err = errno;
		fired = last_fired;
	} else if (!strcmp(op, "child-cow")) {
		/* The child's first writes to what it inherited. */
		pid = fork();
		if (pid < 0)
			die("fork");
		if (!pid) {
			inject_open();
			check_all("child read", &r, 1);
			inject_arm(n);
			region_fill(&r, 2);
			fired = inject_disarm();
			st = fired ? ST_INJECTED : 0;
			st |= fired > 1 ? ST_TWICE : 0;
			check_all("child cow", &r, 2);
			_exit(st | (bad ? ST_BAD : 0));
		}
		st = wait_child(pid);
		fired = (st & ST_INJECTED) ? 1 + !!(st & ST_TWICE) : 0;
	}
	st |= errno_status(rc, err, op);
	if (fired)
		st |= ST_INJECTED;
	if (fired > 1)
		st |= ST_TWICE;
	check_all(op, &r, 1);
	if (bad)
		st |= ST_BAD;
	return st;
}

static const char *const nth_ops[] = {
	"fault", "mprotect-split", "mprotect-merge", "mremap", "munmap-middle",
	"fork", "fork-again", "child-cow",
};

static int nth_all(void)
{
	int failed = 0, injected = 0;
	unsigned int i, n;

	for (i = 0; i < ARRAY_SIZE(nth_ops); i++) {
		int sites = 0, enomem = 0, wrong = 0, st;

		for (n = 1; n <= NTH_MAX; n++) {
			pid_t pid;

			fflush(stdout);
			pid = fork();
			if (pid < 0)
				die("fork");
			if (!pid)
				_exit(nth_run(nth_ops[i], n));
			st = wait_child(pid);
			if (st & ST_BAD)
				wrong++;
			if (!(st & ST_INJECTED))
				break;
			sites++;
			injected += 1 + !!(st & ST_TWICE);
			if (st & ST_ENOMEM)
				enomem++;
		}
		if (n > NTH_MAX) {
			printf("FAIL %s %s: still allocating after %d failures\n",
			       label, nth_ops[i], NTH_MAX);
			wrong++;
		}
		printf("%s %s %s %d %d %d\n", pair_mode ? "pair" : "nth", label,
		       nth_ops[i], sites, enomem, wrong);
		failed |= wrong;
	}
	printf("injected %s %s %d\n", label, pair_mode ? "pair" : "nth", injected);
	return failed ? 1 : 0;
}

enum { R_MPROTECT, R_MREMAP, R_FORK, R_FORK_AGAIN, R_MUNMAP, NR_R };
static const char *const r_names[NR_R] = {
	"mprotect", "mremap", "fork", "fork-again", "munmap-middle",
};

/*
 * KSM_VMAS separate VMAs of identical pages: ksmd merges them (a lazy
 * root is upgraded first, in ksmd, which the caller may make fail too),
 * then a write to each unmerges one page. Returns the pages seen merged.
 */
static long ksm_round(void)
{
	struct region r;
	long merged = 0;
	int m, i, tries;

	region_map(&r, KSM_VMAS);
	for (m = 0; m < KSM_VMAS; m++)
		memset(r.map[m], 0x5a, PAGES * psz);
	if (madvise(r.arena, r.len, MADV_MERGEABLE)) {
		region_unmap(&r);
		return -1;
	}
	for (tries = 0; tries < 250 && merged < KSM_VMAS * PAGES / 2; tries++) {
		usleep(20000);
		merged = read_long("/proc/self/ksm_merging_pages");
	}
	for (m = 0; m < KSM_VMAS; m++) {
		for (i = 0; i < PAGES * psz; i += 512)
			if (r.map[m][i] != 0x5a)
				bad++;
		r.map[m][0] = 0x11;
		if (r.map[m][0] != 0x11 || r.map[m][psz] != 0x5a)
			bad++;
	}
	if (bad)
		printf("FAIL %s ksm: merged pages do not hold their data\n", label);
	madvise(r.arena, r.len, MADV_UNMERGEABLE);
	region_unmap(&r);
	return merged;
}

/* 1 if a system call of the random workload failed with ENOMEM. */
static int count_enomem(int rc, const char *what)
{
	if (!rc)
		return 0;
	if (errno == ENOMEM)
		return 1;
	printf("FAIL %s %s: %s\n", label, what, strerror(errno));
	bad++;
	return 0;
}

static int random_all(int rounds, int nr)
{
	long attempts[NR_R] = { 0 }, enomem[NR_R] = { 0 }, merged = 0, k;
	struct region r;
	int round, m, rc, tries;

	if (nr > MAX_VMAS)
		nr = MAX_VMAS;
	for (round = 0; round < rounds; round++) {
		region_map(&r, nr);
		region_fill(&r, 1);
		check_all("fault", &r, 1);

		/* mprotect() splits a VMA in three and merges it back. */
		for (m = 0; m < nr; m += 2) {
			attempts[R_MPROTECT]++;
			rc = mprotect(r.map[m] + psz, psz, PROT_READ);
			enomem[R_MPROTECT] += count_enomem(rc, "mprotect");
			check("split", r.map[m], m, 1);
			attempts[R_MPROTECT]++;
			rc = mprotect(r.map[m] + psz, psz, PROT_READ | PROT_WRITE);
			enomem[R_MPROTECT] += count_enomem(rc, "mprotect");
			/* A failed split may have left the page read-only. */
			for (tries = 0; rc && tries < 100; tries++)
				rc = mprotect(r.map[m], PAGES * psz,
					      PROT_READ | PROT_WRITE);
			if (rc)
				die("mprotect back");
			fill(r.map[m], m, 2);
			check("merge", r.map[m], m, 2);
			fill(r.map[m], m, 1);
		}
		for (m = 0; m < nr; m += 4) {
			attempts[R_MREMAP]++;
			rc = region_move(&r, m);
			enomem[R_MREMAP] += count_enomem(rc, "mremap");
			check("mremap", r.map[m], m, 1);
		}
		if (round < 3) {
			k = ksm_round();
			if (k > merged)
				merged = k;
		}
		/* Twice: the second fork finds the parent's rmap upgraded. */
		for (m = 0; m < 2; m++) {
			attempts[R_FORK + m]++;
			rc = fork_checked(&r, 1, 0);
			enomem[R_FORK + m] += count_enomem(rc, "fork");
			check_all("parent after fork", &r, 1);
		}
		for (m = 1; m < nr; m += 3) {
			attempts[R_MUNMAP]++;
			rc = munmap(r.map[m] + psz, psz);
			enomem[R_MUNMAP] += count_enomem(rc, "munmap");
			if (!rc) {
				if (*(__u64 *)r.map[m] != pattern(m, 0, 1)) {
					printf("FAIL %s munmap-middle: mapping %d changed\n",
					       label, m);
					bad++;
				}
				munmap(r.map[m], PAGES * psz);
				r.map[m] = NULL;
			}
		}
		check_all("before munmap", &r, 1);
		region_unmap(&r);
	}
	for (m = 0; m < NR_R; m++)
		printf("random %s %s %ld %ld\n", label, r_names[m], attempts[m],
		       enomem[m]);
	printf("random-ksm %s merged %ld\n", label, merged);
	return bad ? 1 : 0;
}

/*
 * The rmap caches' active objects, once two reads agree, each after a
 * grace period (settle_rcu()): roots of a process that just exited are
 * freed by call_rcu(), and counting them or not must not depend on when
 * the read happened. vm_area_struct is left out: failslab.sh compares the
 * caches the rmap allocates from.
 */
static int slabs(void)
{
	struct slab_count last = { 0 }, now;
	int tries, i;

	for (tries = 0; tries < 10; tries++) {
		settle_rcu();
		read_slabs(&now);
		if (tries && !memcmp(now.objs, last.objs, sizeof(now.objs)))
			break;
		last = now;
	}
	for (i = 0; i < NR_CACHES; i++)
		if (strcmp(caches[i], "vm_area_struct"))
			printf("%s %ld\n", caches[i], now.objs[i]);
	return 0;
}

int main(int argc, char **argv)
{
	int rc;

	psz = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);
	label = argc > 2 ? argv[2] : "";
	if (argc == 3 && !strcmp(argv[1], "nth"))
		return nth_all();
	if (argc == 4 && !strcmp(argv[1], "pair")) {
		pair_mode = 1;
		obj_size = atol(argv[3]);
		return nth_all();
	}
	if (argc == 5 && !strcmp(argv[1], "random")) {
		write_file("/proc/self/make-it-fail", 1);
		rc = random_all(atoi(argv[3]), atoi(argv[4]));
		write_file("/proc/self/make-it-fail", 0);
		return rc;
	}
	if (argc == 3 && !strcmp(argv[1], "ksm")) {
		printf("ksm %s merged %ld\n", label, ksm_round());
		return bad ? 1 : 0;
	}
	if (argc == 2 && !strcmp(argv[1], "slabs"))
		return slabs();
	fprintf(stderr, "usage: see the head of failslab.c\n");
	return 2;
}
