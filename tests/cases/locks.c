// SPDX-License-Identifier: GPL-2.0
/* The root lock: exclusion, and the rule that two are never nested. */
#include "lt.h"

LT_CASE(root_lock_write_excludes_readers)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(600), LT_PAGE(601));
	struct anon_vma_lazy *root = lt_fault(t, vma);

	anon_vma_lazy_lock_write(root);
	LT_FALSE(t, anon_vma_lazy_trylock_read(root));
	anon_vma_lazy_unlock_write(root);
	LT_TRUE(t, anon_vma_lazy_trylock_read(root));
	anon_vma_lazy_unlock_read(root);
}

LT_CASE(root_lock_assert_sees_holder)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(600), LT_PAGE(601));
	struct anon_vma_lazy *root = lt_fault(t, vma);

	LT_REQUIRE(t, LT_CAP_LOCKDEP);
	LT_REQUIRE(t, LT_CAP_COUNT_WARN);
	anon_vma_lazy_lock_read(root);
	anon_vma_lazy_assert_locked(root);
	anon_vma_lazy_unlock_read(root);
	LT_EQ(t, lt_warns(t), 0);
	anon_vma_lazy_assert_locked(root);
	LT_EQ(t, lt_warns(t), 1);
	lt_expect_warns(t, 1);
}

LT_CASE(nesting_two_root_locks_is_reported)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *a = lt_vma(t, mm, LT_PAGE(600), LT_PAGE(601));
	struct vm_area_struct *b = lt_vma(t, mm, LT_PAGE(700), LT_PAGE(701));
	struct anon_vma_lazy *ra = lt_fault(t, a), *rb = lt_fault(t, b);

	LT_REQUIRE(t, LT_CAP_LOCKDEP);
	LT_REQUIRE(t, LT_CAP_COUNT_WARN);
	anon_vma_lazy_lock_write(ra);
	if (!anon_vma_lazy_trylock_read(rb)) {
		anon_vma_lazy_unlock_write(ra);
		LT_SKIP(t, "both roots hash to one lock");
		return;
	}
	anon_vma_lazy_unlock_read(rb);
	/* A trylock cannot deadlock; a blocking second lock can. */
	LT_EQ(t, lt_warns(t), 0);
	anon_vma_lazy_lock_read(rb);
	LT_EQ(t, lt_warns(t), 1);
	anon_vma_lazy_unlock_read(rb);
	anon_vma_lazy_unlock_write(ra);
	lt_expect_warns(t, 1);
}
