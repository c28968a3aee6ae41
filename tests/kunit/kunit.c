// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit for ANON_VMA_LAZY: the cases of tests/cases in lazyrmap, the same
 * bodies its userspace suite runs under Criterion, here on real VMAs,
 * folios, anon_vmas and locks. Objects a case makes are torn down by
 * lt_exit(), also when an assertion ended the case early.
 */
#include <linux/completion.h>
#include <linux/debug_locks.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/vmstat.h>
#include "lt.h"

#define LT_MAX_OBJECTS 64

struct lt {
	struct kunit *test;
	struct mm_struct *mm[LT_MAX_OBJECTS];
	struct vm_area_struct *vma[LT_MAX_OBJECTS];
	struct folio *folio[LT_MAX_OBJECTS];
	unsigned int nr_mm, nr_vma, nr_folio;
};

struct kunit *lt_kunit(struct lt *t)
{
	return t->test;
}

static int lt_init(struct kunit *test)
{
	struct lt *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	if (!t)
		return -ENOMEM;
	t->test = test;
	test->priv = t;
	/* Cases change the knobs: each starts from the defaults. */
	sysctl_anon_vma_lazy = 1;
	sysctl_anon_vma_lazy_max_pages = 0;
	sysctl_anon_vma_lazy_family_max = ANON_VMA_LAZY_FAMILY_MAX;
	return 0;
}

static void lt_exit(struct kunit *test)
{
	struct lt *t = test->priv;
	unsigned int i;

	for (i = 0; i < t->nr_vma; i++) {
		struct vm_area_struct *vma = t->vma[i];

		if (!vma)
			continue;
		if (vma->anon_vma)
			unlink_anon_vmas(vma);
		vm_area_free(vma);
	}
	for (i = 0; i < t->nr_folio; i++) {
		struct folio *folio = t->folio[i];

		atomic_set(&folio->_mapcount, -1);
		folio->mapping = NULL;
		folio_put(folio);
	}
	for (i = 0; i < t->nr_mm; i++)
		mmput(t->mm[i]);
	sysctl_anon_vma_lazy = 1;
	sysctl_anon_vma_lazy_max_pages = 0;
	sysctl_anon_vma_lazy_family_max = ANON_VMA_LAZY_FAMILY_MAX;
	rcu_barrier();
}

struct mm_struct *lt_mm(struct lt *t)
{
	struct mm_struct *mm = mm_alloc();

	LT_NOT_NULL(t, mm);
	LT_TRUE(t, t->nr_mm < LT_MAX_OBJECTS);
	t->mm[t->nr_mm++] = mm;
	return mm;
}

static void lt_track_vma(struct lt *t, struct vm_area_struct *vma)
{
	LT_NOT_NULL(t, vma);
	LT_TRUE(t, t->nr_vma < LT_MAX_OBJECTS);
	t->vma[t->nr_vma++] = vma;
}

/* An anonymous private VMA, pgoff as mmap() sets it, not in any tree. */
struct vm_area_struct *lt_vma(struct lt *t, struct mm_struct *mm,
			      unsigned long start, unsigned long end)
{
	struct vm_area_struct *vma = vm_area_alloc(mm);

	lt_track_vma(t, vma);
	vma_set_anonymous(vma);
	vma->vm_start = start;
	vma->vm_end = end;
	vma->vm_pgoff = start >> PAGE_SHIFT;
	vm_flags_init(vma, VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE);
	return vma;
}

struct vm_area_struct *lt_vma_dup(struct lt *t, struct vm_area_struct *vma,
				  struct mm_struct *mm)
{
	struct vm_area_struct *new = vm_area_dup(vma);

	lt_track_vma(t, new);
	new->vm_mm = mm;
	return new;
}

void lt_vma_drop(struct lt *t, struct vm_area_struct *vma)
{
	unsigned int i;

	if (vma->anon_vma)
		unlink_anon_vmas(vma);
	for (i = 0; i < t->nr_vma; i++)
		if (t->vma[i] == vma)
			t->vma[i] = NULL;
	vm_area_free(vma);
}

struct folio *lt_folio(struct lt *t, unsigned int order)
{
	struct folio *folio = folio_alloc(GFP_KERNEL, order);

	LT_NOT_NULL(t, folio);
	LT_TRUE(t, t->nr_folio < LT_MAX_OBJECTS);
	t->folio[t->nr_folio++] = folio;
	return folio;
}

/*
 * Into @vma's mm's maple tree: from now on the mm owns it, and mmput()
 * unlinks and frees it (exit_mmap()).
 */
void lt_vma_insert(struct lt *t, struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned int i;

	mmap_write_lock(mm);
	LT_EQ(t, insert_vm_struct(mm, vma), 0);
	mmap_write_unlock(mm);
	for (i = 0; i < t->nr_vma; i++)
		if (t->vma[i] == vma)
			t->vma[i] = NULL;
}

/* Any report (a cycle, MAX_LOCK_DEPTH) turns lockdep off: debug_locks. */
bool lt_take_all_locks(struct lt *t, struct mm_struct *mm)
{
	bool quiet = debug_locks;
	int err;

	mmap_write_lock(mm);
	err = mm_take_all_locks(mm);
	if (!err)
		mm_drop_all_locks(mm);
	mmap_write_unlock(mm);
	LT_EQ(t, err, 0);
	return quiet && debug_locks;
}

/*
 * The kernel has failslab for fault injection, its own WARN splats and
 * lockdep's reports, and no exact per-cache count: cases that need those
 * run in userspace, and failslab covers the kernel (see docs/testing.md).
 * It alone has mm_take_all_locks() and the maple tree it walks.
 */
bool lt_can(struct lt *t, enum lt_cap cap)
{
	return cap == LT_CAP_MM_TREE;
}

void lt_fail_nth(struct lt *t, unsigned long nth)
{
}

void lt_fail_run(struct lt *t, unsigned long nth, unsigned long count)
{
}

unsigned long lt_warns(struct lt *t)
{
	return 0;
}

void lt_expect_warns(struct lt *t, unsigned long nr)
{
}

long lt_live(struct lt *t, const char *cache)
{
	return -1;
}

unsigned long lt_event(struct lt *t, enum anon_vma_lazy_event event)
{
	unsigned long *events = kunit_kcalloc(t->test, NR_VM_EVENT_ITEMS,
					      sizeof(*events), GFP_KERNEL);

	LT_NOT_NULL(t, events);
	all_vm_events(events);
	return events[anon_vma_lazy_vm_event[event]];
}

void lt_rcu_barrier(struct lt *t)
{
	rcu_barrier();
}

struct lt_thread {
	struct completion done;
	void (*fn)(void *arg);
	void *arg;
};

static int lt_thread_fn(void *data)
{
	struct lt_thread *thread = data;

	thread->fn(thread->arg);
	complete(&thread->done);
	return 0;
}

struct lt_thread *lt_thread_start(struct lt *t, void (*fn)(void *arg),
				  void *arg)
{
	struct lt_thread *thread = kunit_kzalloc(lt_kunit(t), sizeof(*thread),
						 GFP_KERNEL);
	struct task_struct *task;

	LT_NOT_NULL(t, thread);
	init_completion(&thread->done);
	thread->fn = fn;
	thread->arg = arg;
	task = kthread_run(lt_thread_fn, thread, "lt_thread");
	LT_FALSE(t, IS_ERR(task));
	return thread;
}

void lt_thread_join(struct lt *t, struct lt_thread *thread)
{
	wait_for_completion(&thread->done);
}

void lt_yield(struct lt *t)
{
	schedule_timeout_uninterruptible(1);
}

#define LT_CASE_ITEM(name)						\
	static void lt_kunit_##name(struct kunit *test)			\
	{								\
		lt_case_##name(test->priv);				\
	}
#include "lt_cases.h"
#undef LT_CASE_ITEM

#define LT_CASE_ITEM(name)	KUNIT_CASE(lt_kunit_##name),
static struct kunit_case anon_vma_lazy_cases[] = {
#include "lt_cases.h"
	{}
};

static struct kunit_suite anon_vma_lazy_suite = {
	.name = "anon_vma_lazy",
	.init = lt_init,
	.exit = lt_exit,
	.test_cases = anon_vma_lazy_cases,
};

kunit_test_suite(anon_vma_lazy_suite);

MODULE_DESCRIPTION("KUnit tests for ANON_VMA_LAZY, shared with lazyrmap's userspace suite");
MODULE_LICENSE("GPL");
