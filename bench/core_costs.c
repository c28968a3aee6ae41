// SPDX-License-Identifier: GPL-2.0
/*
 * What each rmap operation costs the core and the model of mainline's
 * anon_vma code, in userspace over the shim, for scripts/bench-core to
 * count with callgrind: the program turns collection on around the
 * operations it measures (CALLGRIND_TOGGLE_COLLECT; run it with
 * --collect-atstart=no) and off around their set-up.
 *
 *   core_costs OP off|on N
 *
 * OP is one of
 *   fault         N first faults: anon_vma_prepare() and the new folio's rmap
 *   split         N splits: anon_vma_clone() and the shrink under the lock
 *   unlink        N unlinks of a faulted VMA (munmap, exit)
 *   fork-first    one fork of a process with N faulted VMAs (anon_vma_fork()
 *                 per VMA, and the pte copy's folio rewrite); a lazy child
 *                 joins its parent's roots (a fork family)
 *   fork-again    ten more forks of that process, its first child gone
 *   exit-child    the unlinks of the first child's N VMAs
 *   walk          N rmap walks, each of a folio in a never-forked VMA
 *   walk-forked   N rmap walks of folios that fork mapped in a child too
 *                 (lazy: the family root lists both VMAs)
 *   walk-forward  the same with vm.anon_vma_lazy_family_max at 0, so that
 *                 the fork upgraded, and the folios still name their lazy
 *                 root (as one the fork did not copy would)
 *
 * It prints "ops OP MODE COUNT" (what to divide by) and "allocs OP MODE
 * anon_vma anon_vma_chain anon_vma_lazy" (objects allocated in the measured
 * part), checks what each walk visits, frees everything and fails if any
 * object is left.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/callgrind.h>
#include "anon_vma_lazy_internal.h"
#include "anon_vma_lazy.h"

#define VMA_PAGES	4
#define FORK_AGAIN	10

static const char *const cache_names[] = {
	"anon_vma", "anon_vma_chain", "anon_vma_lazy",
};

#define NR_CACHES	ARRAY_SIZE(cache_names)

struct proc {
	struct mm_struct mm;
	struct vm_area_struct **vma;
	struct folio *folio;
	int nr;
};

static unsigned long allocs_before[NR_CACHES];
static unsigned long allocs_measured[NR_CACHES];
static int failures;

static void die(const char *what)
{
	fprintf(stderr, "core_costs: %s\n", what);
	exit(2);
}

static unsigned long cache_allocs(unsigned int i)
{
	return shim_kmem_cache_allocs(shim_kmem_cache_find(cache_names[i]));
}

/* Collection on: the operations that follow are counted. */
static void measure_start(void)
{
	unsigned int i;

	for (i = 0; i < NR_CACHES; i++)
		allocs_before[i] = cache_allocs(i);
	CALLGRIND_TOGGLE_COLLECT;
}

static void measure_stop(void)
{
	unsigned int i;

	CALLGRIND_TOGGLE_COLLECT;
	for (i = 0; i < NR_CACHES; i++)
		allocs_measured[i] += cache_allocs(i) - allocs_before[i];
}

static void mm_init(struct mm_struct *mm)
{
	memset(mm, 0, sizeof(*mm));
	init_rwsem(&mm->mmap_lock);
	spin_lock_init(&mm->page_table_lock);
	INIT_LIST_HEAD(&mm->mmap);
	atomic_set(&mm->mm_users, 1);
}

static struct vm_area_struct *vma_alloc(void)
{
	struct vm_area_struct *vma = calloc(1, sizeof(*vma));

	if (!vma)
		die("out of memory");
	INIT_LIST_HEAD(&vma->anon_vma_chain);
	INIT_LIST_HEAD(&vma->vm_list);
	return vma;
}

/*
 * @nr private anonymous VMAs of VMA_PAGES pages, a page apart so that none
 * can share a neighbour's anon_vma or root, each with a folio at its start.
 */
static void proc_init(struct proc *p, int nr)
{
	int i;

	mm_init(&p->mm);
	p->nr = nr;
	p->vma = calloc(nr, sizeof(*p->vma));
	p->folio = calloc(nr, sizeof(*p->folio));
	if (!p->vma || !p->folio)
		die("out of memory");
	for (i = 0; i < nr; i++) {
		struct vm_area_struct *vma = vma_alloc();

		vma->vm_mm = &p->mm;
		vma->vm_start = (unsigned long)(1 + i * (VMA_PAGES + 1)) << PAGE_SHIFT;
		vma->vm_end = vma->vm_start + (VMA_PAGES << PAGE_SHIFT);
		vma->vm_pgoff = vma->vm_start >> PAGE_SHIFT;
		vm_flags_init(vma, VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE);
		list_add_tail(&vma->vm_list, &p->mm.mmap);
		p->mm.map_count++;
		p->vma[i] = vma;
		atomic_set(&p->folio[i]._mapcount, -1);
	}
}

/* The first write fault of each VMA, as do_anonymous_page() makes it. */
static void fault_all(struct proc *p, bool measured)
{
	int i;

	mmap_read_lock(&p->mm);
	if (measured)
		measure_start();
	for (i = 0; i < p->nr; i++) {
		if (anon_vma_prepare(p->vma[i]))
			die("anon_vma_prepare failed");
		folio_add_new_anon_rmap(&p->folio[i], p->vma[i], p->vma[i]->vm_start);
	}
	if (measured)
		measure_stop();
	mmap_read_unlock(&p->mm);
}

/* munmap() or exit: every VMA leaves its rmap and is freed. */
static void unmap_all(struct proc *p, bool measured)
{
	int i;

	mmap_write_lock(&p->mm);
	if (measured)
		measure_start();
	for (i = 0; i < p->nr; i++)
		unlink_anon_vmas(p->vma[i]);
	if (measured)
		measure_stop();
	mmap_write_unlock(&p->mm);
	for (i = 0; i < p->nr; i++) {
		list_del(&p->vma[i]->vm_list);
		free(p->vma[i]);
	}
	free(p->vma);
	free(p->folio);
	p->vma = NULL;
	p->folio = NULL;
}

/*
 * __split_vma() in the middle of each VMA: the new upper part joins the
 * rmap, then the lower part shrinks under the rmap lock. The new parts
 * are made (vm_area_dup()) before the measured part.
 */
static int op_split(int n)
{
	struct vm_area_struct **new = calloc(n, sizeof(*new));
	unsigned long mid = (VMA_PAGES / 2) << PAGE_SHIFT;
	struct proc p;
	int i;

	if (!new)
		die("out of memory");
	proc_init(&p, n);
	fault_all(&p, false);
	for (i = 0; i < n; i++) {
		new[i] = vma_alloc();
		*new[i] = *p.vma[i];
		INIT_LIST_HEAD(&new[i]->anon_vma_chain);
		new[i]->vm_start += mid;
		new[i]->vm_pgoff += mid >> PAGE_SHIFT;
		list_add(&new[i]->vm_list, &p.vma[i]->vm_list);
	}
	mmap_write_lock(&p.mm);
	measure_start();
	for (i = 0; i < n; i++) {
		struct vm_area_struct *vma = p.vma[i];

		if (anon_vma_clone(new[i], vma))
			die("anon_vma_clone failed");
		anon_vma_lock_write(vma->anon_vma);
		vma->vm_end = new[i]->vm_start;
		anon_vma_unlock_write(vma->anon_vma);
	}
	measure_stop();
	for (i = 0; i < n; i++) {
		unlink_anon_vmas(new[i]);
		list_del(&new[i]->vm_list);
		free(new[i]);
	}
	mmap_write_unlock(&p.mm);
	free(new);
	unmap_all(&p, false);
	return n;
}

/*
 * dup_mmap() of @parent into @child: vm_area_dup() of every VMA (not
 * measured), then what the rmap does, measured: anon_vma_fork(), which
 * the series makes anon_vma_lazy_fork(), and, for the folio copy_present_ptes()
 * maps in the child, its mapcount and, with @rewrite, the series' rewrite
 * of a folio still naming an upgraded root.
 */
static void fork_proc(struct proc *parent, struct proc *child, bool rewrite,
		      bool measured)
{
	int i;

	mm_init(&child->mm);
	child->nr = parent->nr;
	child->vma = calloc(parent->nr, sizeof(*child->vma));
	if (!child->vma)
		die("out of memory");
	child->folio = NULL;
	for (i = 0; i < parent->nr; i++) {
		struct vm_area_struct *vma = vma_alloc();

		*vma = *parent->vma[i];
		vma->vm_mm = &child->mm;
		INIT_LIST_HEAD(&vma->anon_vma_chain);
		list_add_tail(&vma->vm_list, &child->mm.mmap);
		child->vma[i] = vma;
	}
	/* The child is nobody's to see yet: its mmap_lock is not needed here. */
	mmap_write_lock(&parent->mm);
	if (measured)
		measure_start();
	for (i = 0; i < parent->nr; i++) {
		struct folio *folio = &parent->folio[i];

		if (anon_vma_fork(child->vma[i], parent->vma[i]))
			die("anon_vma_fork failed");
		folio_add_anon_rmap(folio, child->vma[i]);
		if (rewrite)
			folio_anon_vma_lazy_rewrite_forked(folio);
	}
	if (measured)
		measure_stop();
	mmap_write_unlock(&parent->mm);
}

static void exit_child(struct proc *parent, struct proc *child, bool measured)
{
	int i;

	for (i = 0; i < parent->nr; i++)
		folio_remove_rmap(&parent->folio[i]);
	unmap_all(child, measured);
}

/* fork-first, fork-again, exit-child: ops counted, as the head says. */
static int op_fork(const char *op, int n)
{
	struct proc parent, child;
	int i, ops = 1;

	proc_init(&parent, n);
	fault_all(&parent, false);
	fork_proc(&parent, &child, true, !strcmp(op, "fork-first"));
	exit_child(&parent, &child, !strcmp(op, "exit-child"));
	if (!strcmp(op, "fork-again")) {
		for (i = 0; i < FORK_AGAIN; i++) {
			fork_proc(&parent, &child, true, true);
			exit_child(&parent, &child, false);
		}
		ops = FORK_AGAIN;
	}
	unmap_all(&parent, false);
	return ops;
}

struct visits {
	unsigned long address;
	int nr;
	int wrong;
};

static bool visit(struct folio *folio, struct vm_area_struct *vma,
		  unsigned long address, void *arg)
{
	struct visits *v = arg;

	v->nr++;
	if (address != v->address || address < vma->vm_start ||
	    address >= vma->vm_end)
		v->wrong++;
	return true;
}

/* walk, walk-forked, walk-forward: each folio walked once. */
static int op_walk(const char *op, int n)
{
	bool forked = strcmp(op, "walk");
	struct visits *v = calloc(n, sizeof(*v));
	struct proc parent, child;
	int i;

	if (!v)
		die("out of memory");
	proc_init(&parent, n);
	fault_all(&parent, false);
	if (forked)
		fork_proc(&parent, &child, !strcmp(op, "walk-forked"), false);
	for (i = 0; i < n; i++) {
		v[i].address = parent.vma[i]->vm_start;
		folio_lock(&parent.folio[i]);
	}
	measure_start();
	for (i = 0; i < n; i++) {
		struct rmap_walk_control rwc = { .arg = &v[i], .rmap_one = visit };

		rmap_walk(&parent.folio[i], &rwc);
	}
	measure_stop();
	for (i = 0; i < n; i++) {
		folio_unlock(&parent.folio[i]);
		if (v[i].nr != 1 + forked || v[i].wrong) {
			fprintf(stderr, "FAIL %s: folio %d visited %d times, %d wrong\n",
				op, i, v[i].nr, v[i].wrong);
			failures++;
		}
	}
	if (forked)
		exit_child(&parent, &child, false);
	unmap_all(&parent, false);
	free(v);
	return n;
}

int main(int argc, char **argv)
{
	const char *op;
	struct proc p;
	int n, ops;
	long left;

	n = argc == 4 ? atoi(argv[3]) : 0;
	if (n < 1 || (strcmp(argv[2], "off") && strcmp(argv[2], "on"))) {
		fprintf(stderr, "usage: %s OP off|on N (see the head of core_costs.c)\n",
			argv[0]);
		return 2;
	}
	op = argv[1];
	shim_rcu_register_thread();
	anon_vma_init();
	sysctl_anon_vma_lazy = !strcmp(argv[2], "on");
	if (!strcmp(op, "walk-forward"))
		sysctl_anon_vma_lazy_family_max = 0;

	if (!strcmp(op, "fault")) {
		proc_init(&p, n);
		fault_all(&p, true);
		unmap_all(&p, false);
		ops = n;
	} else if (!strcmp(op, "unlink")) {
		proc_init(&p, n);
		fault_all(&p, false);
		unmap_all(&p, true);
		ops = n;
	} else if (!strcmp(op, "split")) {
		ops = op_split(n);
	} else if (!strncmp(op, "fork-", 5) || !strcmp(op, "exit-child")) {
		ops = op_fork(op, n);
	} else if (!strncmp(op, "walk", 4)) {
		ops = op_walk(op, n);
	} else {
		die("unknown operation");
	}

	rcu_barrier();
	left = shim_slab_live_total();
	printf("ops %s %s %d\n", op, argv[2], ops);
	printf("allocs %s %s %lu %lu %lu\n", op, argv[2], allocs_measured[0],
	       allocs_measured[1], allocs_measured[2]);
	if (left || failures || shim_warn_count()) {
		fprintf(stderr, "FAIL %s %s: %ld objects left, %d bad walks, %lu warnings\n",
			op, argv[2], left, failures, shim_warn_count());
		return 1;
	}
	return 0;
}
