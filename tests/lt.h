/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lt: one body for each test case, two hosts. A case is written once in
 * tests/cases/ against this interface; tests/criterion/ runs it in
 * userspace over seam/user and tests/kunit/ runs it in a kernel (after
 * lib/test_xarray.c run by tools/testing/radix-tree). lt_host.h, found on
 * the include path, is the host's half: its assertion macros and what it
 * can do (inject allocation failures, count WARNs and slab objects).
 */
#ifndef __LAZYRMAP_LT_H
#define __LAZYRMAP_LT_H

#include "anon_vma_lazy_internal.h"
#include "anon_vma_lazy.h"
#include <linux/string.h>

struct lt;

#define LT_CASE(name)	void lt_case_##name(struct lt *t)
#define LT_CASE_ITEM(name)	LT_CASE(name);
#include "lt_cases.h"
#undef LT_CASE_ITEM

/* What a host may not be able to do; a case that needs it is skipped there. */
enum lt_cap {
	LT_CAP_FAULT_INJECT,	/* fail the nth allocation from now */
	LT_CAP_COUNT_WARN,	/* a case may WARN on purpose and count it */
	LT_CAP_COUNT_SLAB,	/* exact live objects per cache */
	LT_CAP_LOCKDEP,		/* lock assertions and recursion reports */
	LT_CAP_MM_TREE,		/* VMAs in an mm's tree: mm_take_all_locks() */
};

#include "lt_host.h"

/* Objects made through these are torn down and leak-checked by the host. */
struct mm_struct *lt_mm(struct lt *t);
struct vm_area_struct *lt_vma(struct lt *t, struct mm_struct *mm,
			      unsigned long start, unsigned long end);
struct vm_area_struct *lt_vma_dup(struct lt *t, struct vm_area_struct *vma,
				  struct mm_struct *mm);
void lt_vma_drop(struct lt *t, struct vm_area_struct *vma);
struct folio *lt_folio(struct lt *t, unsigned int order);
/* LT_CAP_MM_TREE: @vma goes into its mm's tree, and with the mm. */
void lt_vma_insert(struct lt *t, struct vm_area_struct *vma);
/* mm_take_all_locks() and its drop; false if lockdep objected. */
bool lt_take_all_locks(struct lt *t, struct mm_struct *mm);

bool lt_can(struct lt *t, enum lt_cap cap);
void lt_fail_nth(struct lt *t, unsigned long nth);
void lt_fail_run(struct lt *t, unsigned long nth, unsigned long count);
unsigned long lt_warns(struct lt *t);
void lt_expect_warns(struct lt *t, unsigned long nr);
long lt_live(struct lt *t, const char *cache);
unsigned long lt_event(struct lt *t, enum anon_vma_lazy_event event);
void lt_rcu_barrier(struct lt *t);
/* A second thread, for the interleavings only a waiting lock can show. */
struct lt_thread;
struct lt_thread *lt_thread_start(struct lt *t, void (*fn)(void *arg),
				  void *arg);
void lt_thread_join(struct lt *t, struct lt_thread *thread);
/* Let the other thread run (it may be about to wait on a lock). */
void lt_yield(struct lt *t);

/* Shared helpers (tests/cases/lt_common.c), identical in both hosts. */
int lt_sysctl_write(struct lt *t, const char *procname, const char *value);
const struct ctl_table *lt_sysctl(const char *procname);
void lt_map(struct lt *t, struct folio *folio, struct vm_area_struct *vma,
	    unsigned long address);
void lt_unmap(struct folio *folio);
struct vm_area_struct *lt_split(struct lt *t, struct vm_area_struct *vma,
				unsigned long address);
struct anon_vma_lazy *lt_fault(struct lt *t, struct vm_area_struct *vma);

/* A walk that records what it visits. */
#define LT_MAX_VISITS 8
struct lt_visits {
	unsigned int nr;
	struct vm_area_struct *vma[LT_MAX_VISITS];
	unsigned long address[LT_MAX_VISITS];
	unsigned int stop_after;	/* rmap_one says stop after this many */
	struct vm_area_struct *invalid;	/* invalid_vma says skip this one */
};

void lt_walk(struct folio *folio, struct lt_visits *visits, bool try_lock,
	     bool *contended);
void lt_walk_held(struct folio *folio, struct lt_visits *visits);
void lt_walk_unlocked(struct folio *folio, struct lt_visits *visits);
void lt_walk_locked_rmap(struct folio *folio, struct lt_visits *visits);
bool lt_must_not_visit(struct folio *folio, struct vm_area_struct *vma,
		       unsigned long address, void *arg);
struct anon_vma *lt_walk_locked(struct folio *folio, struct lt_visits *visits);

#define LT_PAGE(n)	((unsigned long)(n) << PAGE_SHIFT)

#define LT_REQUIRE(t, cap) do {						\
	if (!lt_can((t), (cap))) {					\
		LT_SKIP((t), "host cannot " #cap);			\
		return;							\
	}								\
} while (0)

#endif /* __LAZYRMAP_LT_H */
