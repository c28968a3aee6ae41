// SPDX-License-Identifier: GPL-2.0
/* Split, merge and unlink: the root follows its VMAs, and goes after RCU. */
#include "lt.h"

LT_CASE(split_joins_the_root)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(100), LT_PAGE(110));
	struct anon_vma_lazy *root = lt_fault(t, vma);
	struct vm_area_struct *upper = lt_split(t, vma, LT_PAGE(104));

	LT_PTR_EQ(t, anon_vma_handle_to_lazy(vma_anon_vma_handle(upper)), root);
	LT_EQ(t, root->nr_vmas, 2);
	LT_EQ(t, refcount_read(&root->refcount), 2);
	LT_EQ(t, vma->vm_end, LT_PAGE(104));
	LT_EQ(t, upper->vm_start, LT_PAGE(104));
	LT_EQ(t, upper->vm_pgoff, 104);
	if (lt_can(t, LT_CAP_COUNT_SLAB))
		LT_EQ(t, lt_live(t, "anon_vma_lazy"), 1);
}

LT_CASE(clone_from_non_lazy_is_refused)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *a = lt_vma(t, mm, LT_PAGE(100), LT_PAGE(110));
	struct vm_area_struct *b = lt_vma(t, mm, LT_PAGE(110), LT_PAGE(120));

	LT_REQUIRE(t, LT_CAP_COUNT_WARN);
	LT_EQ(t, anon_vma_lazy_clone(b, a), -EINVAL);
	LT_NULL(t, b->anon_vma);
	lt_expect_warns(t, 1);
}

LT_CASE(clone_across_mms_is_refused)
{
	struct vm_area_struct *a = lt_vma(t, lt_mm(t), LT_PAGE(100), LT_PAGE(110));
	struct vm_area_struct *b = lt_vma(t, lt_mm(t), LT_PAGE(100), LT_PAGE(110));
	struct anon_vma_lazy *root = lt_fault(t, a);

	LT_REQUIRE(t, LT_CAP_COUNT_WARN);
	LT_EQ(t, anon_vma_lazy_clone(b, a), -EINVAL);
	LT_NULL(t, b->anon_vma);
	LT_EQ(t, root->nr_vmas, 1);
	lt_expect_warns(t, 1);
}

LT_CASE(unlink_middle_keeps_the_rest)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(100), LT_PAGE(112));
	struct anon_vma_lazy *root = lt_fault(t, vma);
	struct vm_area_struct *mid = lt_split(t, vma, LT_PAGE(104));
	struct vm_area_struct *top = lt_split(t, mid, LT_PAGE(108));

	LT_EQ(t, root->nr_vmas, 3);
	lt_vma_drop(t, mid);
	LT_EQ(t, root->nr_vmas, 2);
	LT_EQ(t, refcount_read(&root->refcount), 2);
	LT_PTR_EQ(t, anon_vma_handle_to_lazy(vma_anon_vma_handle(top)), root);
	LT_PTR_EQ(t, anon_vma_handle_to_lazy(vma_anon_vma_handle(vma)), root);
}

LT_CASE(unlink_last_vma_frees_root_after_grace_period)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(100), LT_PAGE(110));
	struct anon_vma_lazy *root = lt_fault(t, vma);

	LT_REQUIRE(t, LT_CAP_COUNT_SLAB);
	anon_vma_lazy_get(root);	/* a walker's reference */
	lt_vma_drop(t, vma);
	LT_EQ(t, root->nr_vmas, 0);
	LT_TRUE(t, list_empty(&root->vmas));
	rcu_read_lock();
	anon_vma_lazy_put(root);
	/* Freed, but not before this reader has left. */
	LT_EQ(t, refcount_read(&root->refcount), 0);
	LT_EQ(t, lt_live(t, "anon_vma_lazy"), 1);
	rcu_read_unlock();
	lt_rcu_barrier(t);
	LT_EQ(t, lt_live(t, "anon_vma_lazy"), 0);
}

LT_CASE(merge_removed_vma_leaves_root)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(100), LT_PAGE(110));
	struct anon_vma_lazy *root = lt_fault(t, vma);
	struct vm_area_struct *upper = lt_split(t, vma, LT_PAGE(104));
	struct folio *folio = lt_folio(t, 0);
	struct lt_visits visits = {};

	lt_map(t, folio, upper, LT_PAGE(106));
	/* vma_merge(): the survivor grows under the root lock, then unlink. */
	anon_vma_lazy_lock_write(root);
	vma->vm_end = upper->vm_end;
	anon_vma_lazy_unlock_write(root);
	lt_vma_drop(t, upper);
	LT_EQ(t, root->nr_vmas, 1);
	lt_walk(folio, &visits, false, NULL);
	LT_EQ(t, visits.nr, 1);
	LT_PTR_EQ(t, visits.vma[0], vma);
	LT_EQ(t, visits.address[0], LT_PAGE(106));
	lt_unmap(folio);
}

LT_CASE(mergeable_none_with_none_or_lazy)
{
	static unsigned long obj __aligned(8);
	anon_vma_handle_t none = anon_vma_handle_none();
	anon_vma_handle_t lazy = anon_vma_handle_lazy((struct anon_vma_lazy *)&obj);

	LT_TRUE(t, anon_vma_handle_mergeable(none, none, NULL));
	LT_TRUE(t, anon_vma_handle_mergeable(none, lazy, NULL));
	LT_TRUE(t, anon_vma_handle_mergeable(lazy, none, NULL));
}

/*
 * mremap() moving a lazy range back beside a never-faulted VMA: the
 * neighbour would grow over the range without taking its root (found by
 * the userspace mm's fuzzer, fuzz/corpus/mremap-move-back.bin).
 */
LT_CASE(mergeable_refuses_lazy_range_into_treeless_neighbour)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *none = lt_vma(t, mm, LT_PAGE(700), LT_PAGE(710));
	struct vm_area_struct *lazy = lt_vma(t, mm, LT_PAGE(720), LT_PAGE(730));
	anon_vma_handle_t handle;

	lt_fault(t, lazy);
	handle = vma_anon_vma_handle(lazy);
	LT_FALSE(t, anon_vma_handle_mergeable(handle, anon_vma_handle_none(), none));
	/* The other way round, the neighbour keeps its root: allowed. */
	LT_TRUE(t, anon_vma_handle_mergeable(anon_vma_handle_none(), handle, lazy));
}

LT_CASE(mergeable_refuses_none_with_parent)
{
	static unsigned long obj __aligned(8);
	anon_vma_handle_t parent = anon_vma_handle_parent((struct anon_vma *)&obj);

	LT_FALSE(t, anon_vma_handle_mergeable(anon_vma_handle_none(), parent, NULL));
	LT_FALSE(t, anon_vma_handle_mergeable(parent, anon_vma_handle_none(), NULL));
	LT_TRUE(t, anon_vma_handle_mergeable(parent, parent, NULL));
}

LT_CASE(mergeable_needs_the_same_root)
{
	static unsigned long obj[4] __aligned(8);
	anon_vma_handle_t r1 = anon_vma_handle_lazy((struct anon_vma_lazy *)&obj[0]);
	anon_vma_handle_t r2 = anon_vma_handle_lazy((struct anon_vma_lazy *)&obj[2]);
	anon_vma_handle_t av = anon_vma_handle_regular((struct anon_vma *)&obj[0]);

	LT_TRUE(t, anon_vma_handle_mergeable(r1, r1, NULL));
	LT_FALSE(t, anon_vma_handle_mergeable(r1, r2, NULL));
	LT_FALSE(t, anon_vma_handle_mergeable(r1, av, NULL));
	LT_FALSE(t, anon_vma_handle_mergeable(av, r1, NULL));
}

LT_CASE(mergeable_regular_keeps_mainline_rule)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *a = lt_vma(t, mm, LT_PAGE(100), LT_PAGE(110));
	struct vm_area_struct *child;
	anon_vma_handle_t handle;

	lt_fault(t, a);
	mmap_write_lock(mm);
	LT_EQ(t, anon_vma_lazy_upgrade_vma(a, ANON_VMA_LAZY_UPGRADE_FORK), 0);
	mmap_write_unlock(mm);
	handle = vma_anon_vma_handle(a);
	/* One chain: a VMA without anon memory may merge with it. */
	LT_TRUE(t, anon_vma_handle_mergeable(anon_vma_handle_none(), handle, a));
	/* A forked child's VMA with its own anon_vma has two: it may not. */
	LT_EQ(t, lt_sysctl_write(t, "anon_vma_lazy", "0"), 0);
	child = lt_vma_dup(t, a, lt_mm(t));
	mmap_write_lock(mm);
	LT_EQ(t, anon_vma_lazy_fork(child, a), 0);
	mmap_write_unlock(mm);
	LT_FALSE(t, anon_vma_handle_mergeable(anon_vma_handle_none(),
					      vma_anon_vma_handle(child), child));
	LT_FALSE(t, anon_vma_handle_mergeable(handle, vma_anon_vma_handle(child), NULL));
}

LT_CASE(mergeable_refuses_reserved_tag)
{
	static unsigned long obj __aligned(8);
	anon_vma_handle_t bad = __anon_vma_handle((unsigned long)&obj | ANON_VMA_HANDLE_INVALID);

	LT_REQUIRE(t, LT_CAP_COUNT_WARN);
	LT_FALSE(t, anon_vma_handle_mergeable(bad, bad, NULL));
	LT_FALSE(t, anon_vma_handle_mergeable(anon_vma_handle_none(), bad, NULL));
	lt_expect_warns(t, 3);
}

/* No walker holds the root: the unlink of its last VMA frees it itself. */
LT_CASE(unlink_of_last_vma_frees_the_root_itself)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(100), LT_PAGE(110));
	struct vm_area_struct *upper;

	LT_REQUIRE(t, LT_CAP_COUNT_SLAB);
	lt_fault(t, vma);
	upper = lt_split(t, vma, LT_PAGE(105));
	lt_vma_drop(t, vma);
	LT_EQ(t, lt_live(t, "anon_vma_lazy"), 1);
	lt_vma_drop(t, upper);
	lt_rcu_barrier(t);
	LT_EQ(t, lt_live(t, "anon_vma_lazy"), 0);
}

/* An upgraded root goes with the last VMA of its anon_vma's tree. */
LT_CASE(unlink_of_last_vma_of_upgraded_root_frees_both)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *vma = lt_vma(t, mm, LT_PAGE(100), LT_PAGE(110));
	struct anon_vma_lazy *root = lt_fault(t, vma);

	LT_REQUIRE(t, LT_CAP_COUNT_SLAB);
	mmap_write_lock(mm);
	LT_EQ(t, anon_vma_lazy_upgrade(root, mm, ANON_VMA_LAZY_UPGRADE_FORK), 0);
	mmap_write_unlock(mm);
	LT_EQ(t, lt_live(t, "anon_vma"), 1);
	lt_vma_drop(t, vma);
	lt_rcu_barrier(t);
	LT_EQ(t, lt_live(t, "anon_vma"), 0);
	LT_EQ(t, lt_live(t, "anon_vma_lazy"), 0);
}
