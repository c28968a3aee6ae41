// SPDX-License-Identifier: GPL-2.0
/*
 * Tagged handles: what anon_vma_lock_*(), get/put_anon_vma() and
 * folio_get_anon_vma() do when vma->anon_vma or a folio is lazy.
 */
#include "lt.h"

static int lt_upgrade_vma(struct vm_area_struct *vma)
{
	int err;

	mmap_write_lock(vma->vm_mm);
	err = anon_vma_lazy_upgrade_vma(vma, ANON_VMA_LAZY_UPGRADE_FORK);
	mmap_write_unlock(vma->vm_mm);
	return err;
}

LT_CASE(tagged_lock_of_lazy_vma_is_its_root_lock)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(800), LT_PAGE(810));
	struct anon_vma_lazy *root = lt_fault(t, vma);

	anon_vma_lock_write(vma->anon_vma);
	LT_FALSE(t, anon_vma_lazy_trylock_read(root));
	anon_vma_unlock_write(vma->anon_vma);
	LT_TRUE(t, anon_vma_trylock_read(vma->anon_vma));
	LT_FALSE(t, anon_vma_trylock_write(vma->anon_vma));
	anon_vma_unlock_read(vma->anon_vma);
}

LT_CASE(tagged_get_put_count_on_the_root)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(800), LT_PAGE(810));
	struct anon_vma_lazy *root = lt_fault(t, vma);

	get_anon_vma(vma->anon_vma);
	LT_EQ(t, refcount_read(&root->refcount), 2);
	put_anon_vma(vma->anon_vma);
	LT_EQ(t, refcount_read(&root->refcount), 1);
}

LT_CASE(tagged_parent_locks_and_counts_its_anon_vma)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(800), LT_PAGE(810));
	struct vm_area_struct *child = lt_vma_dup(t, vma, lt_mm(t));
	struct anon_vma *anon_vma;
	int refs;

	lt_fault(t, vma);
	mmap_write_lock(vma->vm_mm);
	LT_EQ(t, anon_vma_lazy_fork(child, vma), 0);
	mmap_write_unlock(vma->vm_mm);
	anon_vma = anon_vma_handle_to_parent(vma_anon_vma_handle(child));
	LT_NOT_NULL(t, anon_vma);
	refs = atomic_read(&anon_vma->refcount);
	get_anon_vma(child->anon_vma);
	LT_EQ(t, atomic_read(&anon_vma->refcount), refs + 1);
	put_anon_vma(child->anon_vma);
	anon_vma_lock_read(child->anon_vma);
	LT_FALSE(t, anon_vma_trylock_write(anon_vma));
	anon_vma_unlock_read(child->anon_vma);
	LT_TRUE(t, anon_vma_trylock_write(anon_vma));
	anon_vma_unlock_write(anon_vma);
}

LT_CASE(folio_get_anon_vma_of_lazy_folio_is_tagged_root)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(800), LT_PAGE(810));
	struct anon_vma_lazy *root = lt_fault(t, vma);
	struct folio *folio = lt_folio(t, 0);
	struct anon_vma *handle;

	lt_map(t, folio, vma, LT_PAGE(801));
	handle = folio_get_anon_vma(folio);
	LT_PTR_EQ(t, handle, vma->anon_vma);
	LT_PTR_EQ(t, anon_vma_handle_to_lazy(anon_vma_as_handle(handle)), root);
	LT_EQ(t, refcount_read(&root->refcount), 2);
	put_anon_vma(handle);
	lt_unmap(folio);
	LT_NULL(t, folio_get_anon_vma(folio));
	LT_EQ(t, refcount_read(&root->refcount), 1);
}

LT_CASE(folio_get_anon_vma_of_upgraded_root_is_its_anon_vma)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(800), LT_PAGE(810));
	struct anon_vma_lazy *root = lt_fault(t, vma);
	struct folio *folio = lt_folio(t, 0);
	struct anon_vma *handle, *anon_vma;

	lt_map(t, folio, vma, LT_PAGE(801));
	LT_EQ(t, lt_upgrade_vma(vma), 0);
	anon_vma = anon_vma_handle_to_regular(vma_anon_vma_handle(vma));
	handle = folio_get_anon_vma(folio);
	LT_PTR_EQ(t, handle, anon_vma);
	LT_EQ(t, refcount_read(&root->refcount), 1);
	put_anon_vma(handle);
	lt_unmap(folio);
}

LT_CASE(settle_switches_to_anon_vma_upgraded_meanwhile)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(800), LT_PAGE(810));
	struct anon_vma_lazy *root = lt_fault(t, vma);
	struct folio *folio = lt_folio(t, 0);
	struct anon_vma *handle, *settled;

	lt_map(t, folio, vma, LT_PAGE(801));
	handle = folio_get_anon_vma(folio);
	/* Not upgraded: the locked root handle stays. */
	anon_vma_lock_write(handle);
	LT_PTR_EQ(t, anon_vma_handle_settle_locked(anon_vma_as_handle(handle)), handle);
	anon_vma_unlock_write(handle);
	/* Upgraded between folio_get_anon_vma() and the lock. */
	LT_EQ(t, lt_upgrade_vma(vma), 0);
	anon_vma_lock_write(handle);
	settled = anon_vma_handle_settle_locked(anon_vma_as_handle(handle));
	LT_PTR_EQ(t, settled, anon_vma_handle_to_regular(vma_anon_vma_handle(vma)));
	LT_TRUE(t, anon_vma_lazy_trylock_read(root));
	anon_vma_lazy_unlock_read(root);
	LT_FALSE(t, down_read_trylock(&settled->root->rwsem));
	anon_vma_unlock_write(settled);
	put_anon_vma(settled);
	LT_EQ(t, refcount_read(&root->refcount), 1);
	lt_unmap(folio);
}

LT_CASE(folio_matches_vma_of_its_root_or_forward)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *a = lt_vma(t, mm, LT_PAGE(800), LT_PAGE(810));
	struct vm_area_struct *b = lt_vma(t, mm, LT_PAGE(900), LT_PAGE(910));
	struct vm_area_struct *child = lt_vma_dup(t, a, lt_mm(t));
	struct folio *folio = lt_folio(t, 0);

	lt_fault(t, a);
	lt_fault(t, b);
	lt_map(t, folio, a, LT_PAGE(801));
	LT_TRUE(t, folio_anon_vma_handle_matches(folio, a));
	LT_FALSE(t, folio_anon_vma_handle_matches(folio, b));
	mmap_write_lock(mm);
	LT_EQ(t, anon_vma_lazy_fork(child, a), 0);
	mmap_write_unlock(mm);
	/* Still naming the root, the folio belongs to parent and child. */
	LT_TRUE(t, folio_anon_vma_handle_matches(folio, a));
	LT_TRUE(t, folio_anon_vma_handle_matches(folio, child));
	LT_FALSE(t, folio_anon_vma_handle_matches(folio, b));
	folio_anon_vma_lazy_rewrite_forked(folio);
	LT_FALSE(t, folio_test_anon_vma_lazy(folio));
	LT_TRUE(t, folio_anon_vma_handle_matches(folio, child));
	LT_FALSE(t, folio_anon_vma_handle_matches(folio, b));
	lt_unmap(folio);
}

LT_CASE(lock_all_takes_each_root_lock_once)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *a = lt_vma(t, mm, LT_PAGE(800), LT_PAGE(810));
	struct vm_area_struct *b = lt_vma(t, mm, LT_PAGE(900), LT_PAGE(910));
	struct anon_vma_lazy *ra = lt_fault(t, a), *rb = lt_fault(t, b);
	struct vm_area_struct *a2 = lt_split(t, a, LT_PAGE(805));

	mmap_write_lock(mm);
	anon_vma_lazy_lock_all(ra, mm);
	anon_vma_lazy_lock_all(anon_vma_handle_to_lazy(vma_anon_vma_handle(a2)), mm);
	anon_vma_lazy_lock_all(rb, mm);
	LT_FALSE(t, anon_vma_lazy_trylock_read(ra));
	LT_FALSE(t, anon_vma_lazy_trylock_read(rb));
	anon_vma_lazy_unlock_all(ra);
	anon_vma_lazy_unlock_all(anon_vma_handle_to_lazy(vma_anon_vma_handle(a2)));
	anon_vma_lazy_unlock_all(rb);
	mmap_write_unlock(mm);
	LT_TRUE(t, anon_vma_lazy_trylock_read(ra));
	anon_vma_lazy_unlock_read(ra);
	LT_TRUE(t, anon_vma_lazy_trylock_read(rb));
	anon_vma_lazy_unlock_read(rb);
}

LT_CASE(prepare_does_not_reuse_an_upgraded_root)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *a = lt_vma(t, mm, LT_PAGE(800), LT_PAGE(810));
	struct vm_area_struct *b = lt_vma(t, mm, LT_PAGE(810), LT_PAGE(820));
	struct anon_vma_lazy *root = lt_fault(t, a), *mine;

	/* KSM upgraded @a after the fault in @b chose to share its root. */
	mmap_read_lock(mm);
	LT_EQ(t, anon_vma_lazy_upgrade_vma(a, ANON_VMA_LAZY_UPGRADE_KSM), 0);
	LT_EQ(t, anon_vma_lazy_prepare(b, root), 0);
	mmap_read_unlock(mm);
	mine = anon_vma_handle_to_lazy(vma_anon_vma_handle(b));
	LT_NOT_NULL(t, mine);
	LT_NE(t, (unsigned long)mine, (unsigned long)root);
	LT_EQ(t, mine->nr_vmas, 1);
}
