// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmarks of the UML guest, run once per value of vm.anon_vma_lazy by
 * bench/guest/bench.sh. They print figures; nothing here passes or
 * fails on a number.
 *
 *   bench slab-nofork LABEL N        slab objects N faulted VMAs add
 *   bench slab-zygote LABEL P C K    a parent with P faulted VMAs forks C
 *                                    children that each fault K VMAs more
 *   bench slab-forkexec LABEL P C K  a parent with P faulted VMAs forks C
 *                                    children that each exec this program
 *                                    at once and fault K VMAs in it
 *   bench slab-shell LABEL CMD...    the peak of each cache's objects above
 *                                    the start while CMD runs (sampled every
 *                                    10 ms), and what is left when it ended
 *   bench time LABEL N REPEATS       ns per VMA for first faults and munmap,
 *                                    per page of MADV_PAGEOUT (before any
 *                                    fork: each folio's own rmap is walked);
 *                                    ns per fork and child exit of a process
 *                                    with N VMAs: its first fork (a lazy
 *                                    process upgrades there) and the five
 *                                    after it (the parent already regular,
 *                                    children PARENT); REPEATS times over
 *   bench compact LABEL N REPEATS    ns per page compaction migrated
 *                                    (/proc/sys/vm/compact_memory) when N
 *                                    faulted VMAs of 32 pages have every
 *                                    other page dropped, REPEATS times over
 *   bench thp LABEL N REPEATS        ns per THP that debugfs's
 *                                    split_huge_pages splits, of N THPs
 *                                    never shared, and of N shared with a
 *                                    child by fork (the walk through an
 *                                    upgraded root)
 *   bench ksm LABEL N REPEATS        ns per page from MADV_MERGEABLE until
 *                                    ksmd (at full speed) merged all N
 *                                    identical pages of one VMA
 *   bench forkexec LABEL N REPEATS PROG
 *                                    ns per fork of a process with N
 *                                    faulted VMAs whose child execs PROG
 *                                    (a small static program) at once
 *
 * Output: "slab LABEL SCENARIO CACHE OBJECTS OBJSIZE" and
 *         "time LABEL WHAT MIN MEDIAN MAX UNIT".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "slabinfo.h"

#define PAGES	4
#define FORK_AGAIN	5
#define COMPACT_PAGES	32
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

	settle_rcu();
	read_slabs(&before);
	arena = fault_vmas(n);
	settle_rcu();
	read_slabs(&after);
	print_delta(label, "nofork", &before, &after);
	munmap(arena, (size_t)n * (PAGES + 1) * psz);
	return 0;
}

/* A child of slab-children: @k VMAs of its own, then wait for the parent. */
static int hold(int k, int ready, int go)
{
	char byte;

	fault_vmas(k);
	if (write(ready, "r", 1) != 1 || read(go, &byte, 1) != 1)
		return 1;
	return 0;
}

/*
 * A parent with @p faulted VMAs forks @c children that each fault @k VMAs
 * of their own, and counts the slab objects added with all of them alive.
 * zygote: the children keep the parent's memory. forkexec: each execs
 * this program at once ("hold"), so nothing of the parent's is shared
 * any more and what is left is what the fork cost.
 */
static int slab_children(const char *label, const char *scenario,
			 int p, int c, int k)
{
	struct slab_count before, after;
	char ks[16], rs[16], gs[16], byte;
	int ready[2], go[2], i;
	pid_t *kids = calloc(c, sizeof(*kids));
	int exec_self = !strcmp(scenario, "forkexec");

	if (!kids || pipe(ready) || pipe(go))
		return 2;
	snprintf(ks, sizeof(ks), "%d", k);
	snprintf(rs, sizeof(rs), "%d", ready[1]);
	snprintf(gs, sizeof(gs), "%d", go[0]);
	settle_rcu();
	read_slabs(&before);
	fault_vmas(p);
	for (i = 0; i < c; i++) {
		kids[i] = fork();
		if (!kids[i]) {
			if (exec_self) {
				execl("/proc/self/exe", "bench", "hold", ks, rs, gs,
				      (char *)NULL);
				_exit(3);
			}
			_exit(hold(k, ready[1], go[0]));
		}
	}
	for (i = 0; i < c; i++)
		if (read(ready[0], &byte, 1) != 1)
			return 2;
	settle_rcu();
	read_slabs(&after);
	print_delta(label, scenario, &before, &after);
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
	long long *fork_again = calloc(r, sizeof(long long));
	long long *unmap = calloc(r, sizeof(long long));
	long long *pageout = calloc(r, sizeof(long long));
	size_t len = (size_t)n * (PAGES + 1) * psz;
	int i, status, po = 0;
	long long t;
	char *arena;
	pid_t pid;

	if (!fault || !fork_ns || !fork_again || !unmap || !pageout)
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
	 * A process with @n faulted VMAs forks, and the child exits at once:
	 * the first fork of a lazy process pays for the upgrade; the next
	 * ones, from a parent already regular, make PARENT children.
	 */
	for (i = 0; i < r; i++) {
		long long again = 0;
		int j;

		arena = fault_vmas(n);
		for (j = 0; j <= FORK_AGAIN; j++) {
			t = now_ns();
			pid = fork();
			if (!pid)
				_exit(0);
			waitpid(pid, &status, 0);
			t = now_ns() - t;
			if (j)
				again += t;
			else
				fork_ns[i] = t;
		}
		fork_again[i] = again / FORK_AGAIN;
		munmap(arena, len);
	}
	report(label, "first-fault", fault, r, "ns/vma");
	report(label, "fork-first", fork_ns, r, "ns");
	report(label, "fork-again", fork_again, r, "ns");
	report(label, "munmap", unmap, r, "ns/vma");
	if (po)
		report(label, "pageout", pageout, r, "ns/page");
	return 0;
}

/*
 * The peak, per cache, of the objects above the start while @argv runs,
 * sampled every 10 ms, and what is left after it ended: a shell and
 * compiler workload forks and execs constantly, so nothing stays.
 */
static int slab_shell(const char *label, char **argv)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	struct slab_count before, now, peak;
	int i, status;
	pid_t pid;

	/* This process's own first fork upgrades its roots: not counted. */
	pid = fork();
	if (!pid)
		_exit(0);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 2;
	read_slabs(&before);
	peak = before;
	pid = fork();
	if (pid < 0)
		return 2;
	if (!pid) {
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, WNOHANG) == 0) {
		read_slabs(&now);
		for (i = 0; i < NR_CACHES; i++)
			if (now.objs[i] > peak.objs[i])
				peak.objs[i] = now.objs[i];
		nanosleep(&tick, NULL);
	}
	read_slabs(&now);
	print_delta(label, "shell", &before, &peak);
	print_delta(label, "shell-end", &before, &now);
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : 1;
}

static long long read_vmstat(const char *name)
{
	char key[64];
	long long v, found = -1;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", key, &v) == 2)
		if (!strcmp(key, name))
			found = v;
	fclose(f);
	return found;
}

/*
 * Compaction over memory that @n faulted VMAs of COMPACT_PAGES pages
 * fragment, every other page dropped (MADV_DONTNEED): ns per page it
 * migrated, each migration walking the folio's rmap to unmap it and again
 * to map the copy. Repeated on fresh memory.
 */
static int compaction(const char *label, int n, int r)
{
	long long *per_page = calloc(r, sizeof(long long));
	size_t stride = (COMPACT_PAGES + 1) * psz;
	long long t, migrated;
	int i, m, j, fd;
	char *arena, *p;

	if (!per_page)
		return 2;
	for (i = 0; i < r; i++) {
		arena = mmap(NULL, n * stride, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (arena == MAP_FAILED) {
			perror("mmap");
			return 2;
		}
		for (m = 0; m < n; m++) {
			p = mmap(arena + m * stride, COMPACT_PAGES * psz,
				 PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			if (p == MAP_FAILED) {
				perror("mmap fixed");
				return 2;
			}
			for (j = 0; j < COMPACT_PAGES; j++)
				p[j * psz] = (char)j;
		}
		for (m = 0; m < n; m++)
			for (j = 1; j < COMPACT_PAGES; j += 2)
				madvise(arena + m * stride + j * psz, psz,
					MADV_DONTNEED);
		migrated = read_vmstat("pgmigrate_success");
		fd = open("/proc/sys/vm/compact_memory", O_WRONLY);
		t = now_ns();
		if (fd < 0 || write(fd, "1", 1) != 1) {
			perror("compact_memory");
			return 2;
		}
		t = now_ns() - t;
		close(fd);
		migrated = read_vmstat("pgmigrate_success") - migrated;
		per_page[i] = migrated > 0 ? t / migrated : 0;
		printf("compact %s run %d: %lld ns, %lld pages migrated\n", label,
		       i, t, migrated);
		munmap(arena, (size_t)n * stride);
	}
	report(label, "compaction", per_page, r, "ns/page");
	return 0;
}

static int write_str(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, value, strlen(value)) == (ssize_t)strlen(value);
	close(fd);
	return ok ? 0 : -1;
}

static long read_num(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	close(fd);
	return strtol(buf, NULL, 10);
}

#define PMD_SIZE	(2L << 20)

/* kB of AnonHugePages in this process's smaps. */
static long anon_huge_kb(void)
{
	char line[256];
	long kb, sum = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			sum += kb;
	fclose(f);
	return sum;
}

/* @n PMD-aligned THPs, faulted in; NULL if this kernel gave none. */
static char *map_thps(int n, char **raw)
{
	char *p;

	*raw = mmap(NULL, (n + 1) * PMD_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*raw == MAP_FAILED)
		return NULL;
	p = (char *)(((unsigned long)*raw + PMD_SIZE - 1) & ~(PMD_SIZE - 1));
	if (madvise(p, n * PMD_SIZE, MADV_HUGEPAGE))
		return NULL;
	memset(p, 1, n * PMD_SIZE);
	return p;
}

static int thp_split(const char *label, int n, int r)
{
	long long *alone = calloc(r, sizeof(long long));
	long long *shared = calloc(r, sizeof(long long));
	char cmd[128], *raw, *p;
	int i, fork_it, status, pipes[2];
	long long t;
	pid_t pid = 0;

	if (!alone || !shared)
		return 2;
	for (i = 0; i < r; i++) {
		for (fork_it = 0; fork_it < 2; fork_it++) {
			p = map_thps(n, &raw);
			if (!p || anon_huge_kb() < n * (PMD_SIZE >> 10)) {
				printf("thp %s: no THPs here, skipped\n", label);
				return 0;
			}
			if (fork_it) {
				if (pipe(pipes))
					return 2;
				pid = fork();
				if (!pid) {
					char c;

					if (read(pipes[0], &c, 1) != 1)
						_exit(1);
					_exit(0);
				}
			}
			snprintf(cmd, sizeof(cmd), "%d,0x%lx,0x%lx", getpid(),
				 (unsigned long)p, (unsigned long)p + n * PMD_SIZE);
			t = now_ns();
			if (write_str("/sys/kernel/debug/split_huge_pages", cmd)) {
				perror("split_huge_pages");
				return 2;
			}
			t = (now_ns() - t) / n;
			if (anon_huge_kb()) {
				printf("thp %s: split left huge pages\n", label);
				return 1;
			}
			(fork_it ? shared : alone)[i] = t;
			if (fork_it) {
				if (write(pipes[1], "x", 1) != 1)
					return 2;
				waitpid(pid, &status, 0);
				close(pipes[0]);
				close(pipes[1]);
			}
			munmap(raw, (n + 1) * PMD_SIZE);
		}
	}
	report(label, "thp-split", alone, r, "ns/thp");
	report(label, "thp-split-forked", shared, r, "ns/thp");
	return 0;
}

static int ksm_merge(const char *label, int n, int r)
{
	long long *per_page = calloc(r, sizeof(long long));
	struct timespec tick = { 0, 1000 * 1000 };
	long long t;
	char *p;
	int i;

	if (!per_page || read_num("/sys/kernel/mm/ksm/run") < 0)
		return 2;
	write_str("/sys/kernel/mm/ksm/sleep_millisecs", "0");
	write_str("/sys/kernel/mm/ksm/pages_to_scan", "4096");
	write_str("/sys/kernel/mm/ksm/run", "1");
	for (i = 0; i < r; i++) {
		p = mmap(NULL, n * psz, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return 2;
		memset(p, 0x5a, n * psz);
		t = now_ns();
		if (madvise(p, n * psz, MADV_MERGEABLE))
			return 2;
		while (read_num("/proc/self/ksm_merging_pages") < n)
			nanosleep(&tick, NULL);
		per_page[i] = (now_ns() - t) / n;
		munmap(p, n * psz);
		/* ksmd forgets the pages before the next round. */
		while (read_num("/proc/self/ksm_merging_pages") > 0)
			nanosleep(&tick, NULL);
	}
	write_str("/sys/kernel/mm/ksm/run", "2");
	report(label, "ksm-merge", per_page, r, "ns/page");
	return 0;
}

static int fork_exec(const char *label, int n, int r, const char *prog)
{
	long long *per_fork = calloc(r, sizeof(long long));
	size_t len = (size_t)n * (PAGES + 1) * psz;
	int i, status;
	char *arena;
	long long t;
	pid_t pid;

	if (!per_fork)
		return 2;
	for (i = 0; i < r; i++) {
		arena = fault_vmas(n);
		t = now_ns();
		pid = fork();
		if (!pid) {
			execl(prog, prog, (char *)NULL);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			return 1;
		per_fork[i] = now_ns() - t;
		munmap(arena, len);
	}
	report(label, "fork-exec", per_fork, r, "ns");
	return 0;
}

int main(int argc, char **argv)
{
	psz = sysconf(_SC_PAGESIZE);
	if (argc == 4 && !strcmp(argv[1], "slab-nofork"))
		return slab_nofork(argv[2], atoi(argv[3]));
	if (argc == 6 && (!strcmp(argv[1], "slab-zygote") ||
			  !strcmp(argv[1], "slab-forkexec")))
		return slab_children(argv[2], argv[1] + strlen("slab-"),
				     atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
	if (argc == 5 && !strcmp(argv[1], "hold"))
		return hold(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "time"))
		return timing(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc >= 4 && !strcmp(argv[1], "slab-shell"))
		return slab_shell(argv[2], argv + 3);
	if (argc == 5 && !strcmp(argv[1], "compact"))
		return compaction(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "thp"))
		return thp_split(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "ksm"))
		return ksm_merge(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 6 && !strcmp(argv[1], "forkexec"))
		return fork_exec(argv[2], atoi(argv[3]), atoi(argv[4]), argv[5]);
	fprintf(stderr, "usage: see the head of bench.c\n");
	return 2;
}
