// SPDX-License-Identifier: GPL-2.0
/*
 * lt's userspace host: objects from the shim's model, every capability on,
 * and a teardown that unlinks what a case left, waits for RCU and fails
 * the case on any leak, WARN it did not expect, or lock left held.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include "lt.h"
#include "lt_user.h"

#define LT_MAX_OBJECTS 64

struct lt {
	struct mm_struct *mm[LT_MAX_OBJECTS];
	struct vm_area_struct *vma[LT_MAX_OBJECTS];
	struct folio *folio[LT_MAX_OBJECTS];
	unsigned int nr_mm, nr_vma, nr_folio;
	unsigned long warns_at_start;
	unsigned long warns_expected;
};

static struct lt lt_ctx;

static const char *const lt_caches[] = {
	"anon_vma_lazy", "anon_vma", "anon_vma_chain",
};

struct lt *lt_user_begin(void)
{
	static bool ready;

	if (!ready) {
		anon_vma_init();
		cr_assert_eq(anon_vma_lazy_sysctl_init(), 0);
		ready = true;
	}
	memset(&lt_ctx, 0, sizeof(lt_ctx));
	sysctl_anon_vma_lazy = 1;
	sysctl_anon_vma_lazy_max_pages = 0;
	sysctl_anon_vma_lazy_family_max = ANON_VMA_LAZY_FAMILY_MAX;
	lt_ctx.warns_at_start = shim_warn_count();
	return &lt_ctx;
}

void lt_user_end(struct lt *t)
{
	unsigned int i;

	shim_slab_fail_nth(0);
	for (i = 0; i < t->nr_vma; i++) {
		struct vm_area_struct *vma = t->vma[i];

		if (!vma)
			continue;
		if (vma->anon_vma)
			unlink_anon_vmas(vma);
		free(vma);
	}
	for (i = 0; i < t->nr_folio; i++)
		free(t->folio[i]);
	for (i = 0; i < t->nr_mm; i++)
		free(t->mm[i]);
	rcu_barrier();

	cr_assert_eq(lockdep_depth_current(), 0, "a lock is still held");
	cr_assert_eq(shim_warn_count() - t->warns_at_start, t->warns_expected,
		     "WARNs: %lu seen, %lu expected",
		     shim_warn_count() - t->warns_at_start, t->warns_expected);
	for (i = 0; i < ARRAY_SIZE(lt_caches); i++)
		cr_assert_eq(lt_live(t, lt_caches[i]), 0, "%s leaked %ld",
			     lt_caches[i], lt_live(t, lt_caches[i]));
}

struct mm_struct *lt_mm(struct lt *t)
{
	struct mm_struct *mm = calloc(1, sizeof(*mm));

	cr_assert_not_null(mm);
	cr_assert_lt(t->nr_mm, LT_MAX_OBJECTS);
	init_rwsem(&mm->mmap_lock);
	spin_lock_init(&mm->page_table_lock);
	INIT_LIST_HEAD(&mm->mmap);
	atomic_set(&mm->mm_users, 1);
	t->mm[t->nr_mm++] = mm;
	return mm;
}

static void lt_track_vma(struct lt *t, struct vm_area_struct *vma)
{
	cr_assert_lt(t->nr_vma, LT_MAX_OBJECTS);
	t->vma[t->nr_vma++] = vma;
}

/* An anonymous private VMA, pgoff as mmap() sets it, in @mm's list. */
struct vm_area_struct *lt_vma(struct lt *t, struct mm_struct *mm,
			      unsigned long start, unsigned long end)
{
	struct vm_area_struct *vma = calloc(1, sizeof(*vma)), *pos;

	cr_assert_not_null(vma);
	vma->vm_mm = mm;
	vma->vm_start = start;
	vma->vm_end = end;
	vma->vm_pgoff = start >> PAGE_SHIFT;
	vm_flags_init(vma, VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE);
	INIT_LIST_HEAD(&vma->anon_vma_chain);
	list_for_each_entry(pos, &mm->mmap, vm_list)
		if (pos->vm_start >= end)
			break;
	list_add_tail(&vma->vm_list, &pos->vm_list);
	mm->map_count++;
	lt_track_vma(t, vma);
	return vma;
}

/* vm_area_dup(): a copy with its own, empty chain list. */
struct vm_area_struct *lt_vma_dup(struct lt *t, struct vm_area_struct *vma,
				  struct mm_struct *mm)
{
	struct vm_area_struct *new = malloc(sizeof(*new));

	cr_assert_not_null(new);
	/* As vm_area_dup() does: vm_flags is read-only to assignment. */
	memcpy(new, vma, sizeof(*new));
	new->vm_mm = mm;
	INIT_LIST_HEAD(&new->anon_vma_chain);
	if (mm == vma->vm_mm) {
		list_add(&new->vm_list, &vma->vm_list);
	} else {
		list_add_tail(&new->vm_list, &mm->mmap);
	}
	mm->map_count++;
	lt_track_vma(t, new);
	return new;
}

/* munmap of @vma: unlink from the rmap, then free it. */
void lt_vma_drop(struct lt *t, struct vm_area_struct *vma)
{
	unsigned int i;

	if (vma->anon_vma)
		unlink_anon_vmas(vma);
	list_del(&vma->vm_list);
	vma->vm_mm->map_count--;
	for (i = 0; i < t->nr_vma; i++)
		if (t->vma[i] == vma)
			t->vma[i] = NULL;
	free(vma);
}

struct folio *lt_folio(struct lt *t, unsigned int order)
{
	struct folio *folio = calloc(1, sizeof(*folio));

	cr_assert_not_null(folio);
	cr_assert_lt(t->nr_folio, LT_MAX_OBJECTS);
	folio->order = order;
	atomic_set(&folio->_mapcount, -1);
	atomic_set(&folio->_refcount, 1);
	t->folio[t->nr_folio++] = folio;
	return folio;
}

/* Every capability but a real mm tree (mm/vma.c is not built here). */
bool lt_can(struct lt *t, enum lt_cap cap)
{
	return cap != LT_CAP_MM_TREE;
}

void lt_vma_insert(struct lt *t, struct vm_area_struct *vma)
{
	cr_assert_fail("no mm tree in userspace");
}

bool lt_take_all_locks(struct lt *t, struct mm_struct *mm)
{
	cr_assert_fail("no mm_take_all_locks() in userspace");
	return false;
}

void lt_fail_nth(struct lt *t, unsigned long nth)
{
	shim_slab_fail_nth(nth);
}

void lt_fail_run(struct lt *t, unsigned long nth, unsigned long count)
{
	shim_slab_fail_run(nth, count);
}

unsigned long lt_warns(struct lt *t)
{
	return shim_warn_count() - t->warns_at_start;
}

void lt_expect_warns(struct lt *t, unsigned long nr)
{
	t->warns_expected = nr;
}

long lt_live(struct lt *t, const char *cache)
{
	return shim_kmem_cache_live(shim_kmem_cache_find(cache));
}

unsigned long lt_event(struct lt *t, enum anon_vma_lazy_event event)
{
	return shim_vm_event(anon_vma_lazy_vm_event[event]);
}

void lt_rcu_barrier(struct lt *t)
{
	rcu_barrier();
}

struct lt_thread {
	pthread_t id;
	void (*fn)(void *arg);
	void *arg;
};

static void *lt_thread_fn(void *data)
{
	struct lt_thread *thread = data;

	thread->fn(thread->arg);
	/* An exited reader left registered would hold up every grace period. */
	shim_rcu_unregister_thread();
	return NULL;
}

struct lt_thread *lt_thread_start(struct lt *t, void (*fn)(void *arg),
				  void *arg)
{
	struct lt_thread *thread = calloc(1, sizeof(*thread));

	LT_NOT_NULL(t, thread);
	thread->fn = fn;
	thread->arg = arg;
	LT_EQ(t, pthread_create(&thread->id, NULL, lt_thread_fn, thread), 0);
	return thread;
}

void lt_thread_join(struct lt *t, struct lt_thread *thread)
{
	LT_EQ(t, pthread_join(thread->id, NULL), 0);
	free(thread);
}

void lt_yield(struct lt *t)
{
	sched_yield();
}
