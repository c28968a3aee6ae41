// SPDX-License-Identifier: GPL-2.0
/* The first anonymous fault: a root is made, or a neighbour's reused. */
#include "lt.h"

LT_CASE(prepare_makes_root_holding_the_vma)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(50), LT_PAGE(60));
	unsigned long made = lt_event(t, ANON_VMA_LAZY_ROOT_ALLOC);
	struct anon_vma_lazy *root = lt_fault(t, vma);

	LT_NOT_NULL(t, root);
	LT_EQ(t, root->nr_vmas, 1);
	LT_EQ(t, refcount_read(&root->refcount), 1);
	LT_NULL(t, anon_vma_lazy_forward(root));
	LT_PTR_EQ(t, list_first_entry(&root->vmas, struct vm_area_struct,
				      anon_vma_chain), vma);
	LT_TRUE(t, lt_event(t, ANON_VMA_LAZY_ROOT_ALLOC) >= made + 1);
	if (lt_can(t, LT_CAP_COUNT_SLAB)) {
		LT_EQ(t, lt_live(t, "anon_vma_lazy"), 1);
		LT_EQ(t, lt_live(t, "anon_vma"), 0);
		LT_EQ(t, lt_live(t, "anon_vma_chain"), 0);
	}
}

LT_CASE(prepare_loser_of_race_frees_its_root)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(50), LT_PAGE(60));
	struct anon_vma_lazy *root = lt_fault(t, vma);

	/* A second faulting thread arrives after the first published. */
	mmap_read_lock(vma->vm_mm);
	LT_EQ(t, anon_vma_lazy_prepare(vma, NULL), 0);
	mmap_read_unlock(vma->vm_mm);
	LT_PTR_EQ(t, anon_vma_handle_to_lazy(vma_anon_vma_handle(vma)), root);
	LT_EQ(t, root->nr_vmas, 1);
	lt_rcu_barrier(t);
	if (lt_can(t, LT_CAP_COUNT_SLAB))
		LT_EQ(t, lt_live(t, "anon_vma_lazy"), 1);
}

LT_CASE(prepare_reuses_neighbour_root)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *a = lt_vma(t, mm, LT_PAGE(50), LT_PAGE(60));
	struct vm_area_struct *b = lt_vma(t, mm, LT_PAGE(60), LT_PAGE(64));
	struct anon_vma_lazy *root = lt_fault(t, a);
	unsigned long reused = lt_event(t, ANON_VMA_LAZY_ROOT_REUSE);

	LT_PTR_EQ(t, anon_vma_lazy_reusable(a, b), root);
	mmap_read_lock(mm);
	LT_EQ(t, anon_vma_lazy_prepare(b, root), 0);
	mmap_read_unlock(mm);
	LT_PTR_EQ(t, anon_vma_handle_to_lazy(vma_anon_vma_handle(b)), root);
	LT_EQ(t, root->nr_vmas, 2);
	LT_EQ(t, refcount_read(&root->refcount), 2);
	LT_TRUE(t, lt_event(t, ANON_VMA_LAZY_ROOT_REUSE) >= reused + 1);
	if (lt_can(t, LT_CAP_COUNT_SLAB))
		LT_EQ(t, lt_live(t, "anon_vma_lazy"), 1);
}

LT_CASE(shareable_offers_a_root_with_room_to_any_vma_of_the_mm)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *a = lt_vma(t, mm, LT_PAGE(50), LT_PAGE(60));
	struct anon_vma_lazy *root = lt_fault(t, a);
	struct vm_area_struct *vma, *near = a;
	unsigned int i;

	/* Never mergeable with a (another base), yet they may share. */
	for (i = 1; i < ANON_VMA_LAZY_SHARE_MAX; i++) {
		vma = lt_vma(t, mm, LT_PAGE(100 * i), LT_PAGE(100 * i + 4));
		vma->vm_pgoff += 7 * i;
		LT_NULL(t, anon_vma_lazy_reusable(near, vma));
		LT_PTR_EQ(t, anon_vma_lazy_shareable(near, vma), root);
		mmap_read_lock(mm);
		LT_EQ(t, anon_vma_lazy_prepare(vma, root), 0);
		mmap_read_unlock(mm);
		LT_PTR_EQ(t, anon_vma_handle_to_lazy(vma_anon_vma_handle(vma)), root);
		near = vma;
	}
	LT_EQ(t, root->nr_vmas, ANON_VMA_LAZY_SHARE_MAX);
	LT_EQ(t, refcount_read(&root->refcount), ANON_VMA_LAZY_SHARE_MAX);
	if (lt_can(t, LT_CAP_COUNT_SLAB))
		LT_EQ(t, lt_live(t, "anon_vma_lazy"), 1);
	/* Full: the next VMA gets a root of its own. */
	vma = lt_vma(t, mm, LT_PAGE(900), LT_PAGE(904));
	LT_NULL(t, anon_vma_lazy_shareable(near, vma));
	LT_TRUE(t, lt_fault(t, vma) != root);
}

LT_CASE(shareable_refuses_other_mm_and_non_lazy_neighbours)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *a = lt_vma(t, mm, LT_PAGE(50), LT_PAGE(60));
	struct vm_area_struct *b = lt_vma(t, mm, LT_PAGE(60), LT_PAGE(64));
	struct vm_area_struct *other = lt_vma(t, lt_mm(t), LT_PAGE(60), LT_PAGE(64));

	LT_NULL(t, anon_vma_lazy_shareable(a, b));
	lt_fault(t, a);
	LT_NULL(t, anon_vma_lazy_shareable(a, other));
	mmap_write_lock(mm);
	LT_EQ(t, anon_vma_lazy_upgrade_vma(a, ANON_VMA_LAZY_UPGRADE_FORK), 0);
	mmap_write_unlock(mm);
	LT_NULL(t, anon_vma_lazy_shareable(a, b));
}

/* A pte of a raw-pfn mapping could pass for a folio's in another's walk. */
LT_CASE(shareable_refuses_raw_pfn_mappings)
{
	static const unsigned long raw[] = { VM_PFNMAP, VM_IO, VM_MIXEDMAP };
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *a = lt_vma(t, mm, LT_PAGE(50), LT_PAGE(60));
	struct anon_vma_lazy *root = lt_fault(t, a);
	struct vm_area_struct *special;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(raw); i++) {
		special = lt_vma(t, mm, LT_PAGE(100 * i + 100), LT_PAGE(100 * i + 104));
		mmap_write_lock(mm);
		vm_flags_set(special, raw[i]);
		mmap_write_unlock(mm);
		LT_NULL(t, anon_vma_lazy_shareable(a, special));
		/* Private, so its COW copies still get a root: its own. */
		LT_TRUE(t, lt_fault(t, special) != root);
		LT_NULL(t, anon_vma_lazy_shareable(special, a));
	}
	LT_EQ(t, root->nr_vmas, 1);
}

LT_CASE(reusable_refuses_other_base)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *a = lt_vma(t, mm, LT_PAGE(50), LT_PAGE(60));
	struct vm_area_struct *b = lt_vma(t, mm, LT_PAGE(60), LT_PAGE(64));

	lt_fault(t, a);
	b->vm_pgoff += 7;
	LT_NULL(t, anon_vma_lazy_reusable(a, b));
}

LT_CASE(reusable_refuses_other_mm)
{
	struct vm_area_struct *a = lt_vma(t, lt_mm(t), LT_PAGE(50), LT_PAGE(60));
	struct vm_area_struct *b = lt_vma(t, lt_mm(t), LT_PAGE(60), LT_PAGE(64));

	lt_fault(t, a);
	LT_NULL(t, anon_vma_lazy_reusable(a, b));
}

LT_CASE(reusable_refuses_non_lazy_neighbour)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *a = lt_vma(t, mm, LT_PAGE(50), LT_PAGE(60));
	struct vm_area_struct *b = lt_vma(t, mm, LT_PAGE(60), LT_PAGE(64));

	LT_NULL(t, anon_vma_lazy_reusable(a, b));
	lt_fault(t, a);
	mmap_write_lock(mm);
	LT_EQ(t, anon_vma_lazy_upgrade_vma(a, ANON_VMA_LAZY_UPGRADE_FORK), 0);
	mmap_write_unlock(mm);
	LT_NULL(t, anon_vma_lazy_reusable(a, b));
}

LT_CASE(prepare_allocation_failure_changes_nothing)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(50), LT_PAGE(60));

	LT_REQUIRE(t, LT_CAP_FAULT_INJECT);
	lt_fail_nth(t, 1);
	mmap_read_lock(vma->vm_mm);
	LT_EQ(t, anon_vma_lazy_prepare(vma, NULL), -ENOMEM);
	mmap_read_unlock(vma->vm_mm);
	LT_NULL(t, vma->anon_vma);
	LT_TRUE(t, list_empty(&vma->anon_vma_chain));
	LT_EQ(t, lt_live(t, "anon_vma_lazy"), 0);
	/* And the fault can simply be retried. */
	LT_NOT_NULL(t, lt_fault(t, vma));
}

LT_CASE(prepare_without_mmap_lock_is_caught)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(50), LT_PAGE(60));

	LT_REQUIRE(t, LT_CAP_LOCKDEP);
	LT_REQUIRE(t, LT_CAP_COUNT_WARN);
	LT_EQ(t, anon_vma_lazy_prepare(vma, NULL), 0);
	LT_EQ(t, lt_warns(t), 1);
	lt_expect_warns(t, 1);
}
