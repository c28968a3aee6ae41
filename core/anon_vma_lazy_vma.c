// SPDX-License-Identifier: GPL-2.0
/*
 * ANON_VMA_LAZY: the VMAs on a lazy root. The first anonymous fault gives a
 * VMA a root (its neighbour's, if they may merge later or the root has
 * room); split, mremap()'s
 * copy_vma() and merge put the new VMA on the same root, unlink takes it
 * off; two VMAs merge only where their folios resolve the same way after.
 */
#include "anon_vma_lazy_internal.h"
#include "anon_vma_lazy.h"

static void anon_vma_lazy_link(struct anon_vma_lazy *root,
			       struct vm_area_struct *vma)
{
	anon_vma_lazy_assert_locked(root);
	/* Tail: a VMA made from another is walked after it (see move_ptes). */
	list_add_tail(&vma->anon_vma_chain, &root->vmas);
	/* Read without the lock by anon_vma_lazy_upgrade(), then checked. */
	WRITE_ONCE(root->nr_vmas, root->nr_vmas + 1);
}

/*
 * First anonymous fault of @vma: give it a lazy root, @reuse if the host
 * found one next door. Like __anon_vma_prepare(), runs under mmap_lock held
 * for read, so two threads may race here; page_table_lock picks the winner.
 */
int anon_vma_lazy_prepare(struct vm_area_struct *vma,
			  struct anon_vma_lazy *reuse)
{
	struct mm_struct *mm = vma->vm_mm;
	struct anon_vma_lazy *root = reuse, *allocated = NULL;

	mmap_assert_locked(mm);
	if (!root) {
		root = anon_vma_lazy_alloc();
		if (!root)
			return -ENOMEM;
		allocated = root;
	}

	anon_vma_lazy_lock_write(root);
	/* KSM upgraded the neighbour's root since we looked: start afresh. */
	if (unlikely(!allocated && anon_vma_lazy_forward(root))) {
		anon_vma_lazy_unlock_write(root);
		return anon_vma_lazy_prepare(vma, NULL);
	}
	spin_lock(&mm->page_table_lock);
	if (likely(!vma->anon_vma)) {
		if (!allocated)
			anon_vma_lazy_get(root);
		anon_vma_lazy_link(root, vma);
		vma_publish_anon_vma_handle(vma, anon_vma_handle_lazy(root));
		anon_vma_lazy_count(allocated ? ANON_VMA_LAZY_ROOT_ALLOC :
					 ANON_VMA_LAZY_ROOT_REUSE);
		allocated = NULL;
	}
	spin_unlock(&mm->page_table_lock);
	anon_vma_lazy_unlock_write(root);

	if (unlikely(allocated))
		anon_vma_lazy_put(allocated);
	return 0;
}

/*
 * A neighbour's root that @vma may share although the two will never merge
 * (another mapping base, other flags or policy): one root fewer, for one
 * more VMA that each walk of their folios skips with a subtraction. Only
 * up to ANON_VMA_LAZY_SHARE_MAX VMAs share a root that way. The count is
 * read without the root lock: faults racing for one root may take it a
 * few over, which bounds the walk a little less tightly and breaks nothing.
 * anon_vma_lazy_prepare() finds out under the lock whether the root was
 * upgraded meanwhile.
 *
 * Not for a VMA whose page tables may hold raw pfns (VM_PFNMAP, VM_IO,
 * VM_MIXEDMAP, as a private /dev/mem mapping does beside its COW copies):
 * page_vma_mapped_walk() matches by pfn, so a walk of another VMA's folio
 * could take such a pte for a mapping of it. find_mergeable_anon_vma()
 * never puts them beside a VMA of other flags either.
 */
struct anon_vma_lazy *anon_vma_lazy_shareable(const struct vm_area_struct *near,
					      const struct vm_area_struct *vma)
{
	struct anon_vma_lazy *root = anon_vma_handle_to_lazy(vma_anon_vma_handle(near));

	if (!root || near->vm_mm != vma->vm_mm)
		return NULL;
	if ((near->vm_flags | vma->vm_flags) & (VM_PFNMAP | VM_IO | VM_MIXEDMAP))
		return NULL;
	if (READ_ONCE(root->nr_vmas) >= ANON_VMA_LAZY_SHARE_MAX)
		return NULL;
	return root;
}

/*
 * @dst was made from @src by split, copy_vma() (mremap) or a merge that
 * extends a VMA without anon memory over one with it: it joins @src's root.
 * Nothing is allocated, so this cannot fail; it returns int to stand where
 * anon_vma_clone() does.
 */
int anon_vma_lazy_clone(struct vm_area_struct *dst, struct vm_area_struct *src)
{
	struct anon_vma_lazy *root = anon_vma_handle_to_lazy(vma_anon_vma_handle(src));

	if (WARN_ON_ONCE(!root || dst->vm_mm != src->vm_mm))
		return -EINVAL;
	anon_vma_lazy_lock_write(root);
	anon_vma_lazy_get(root);
	anon_vma_lazy_link(root, dst);
	vma_set_anon_vma_handle(dst, anon_vma_handle_lazy(root));
	anon_vma_lazy_unlock_write(root);
	return 0;
}

/*
 * @vma leaves its root: munmap, exit, or merged into a neighbour. Called
 * where unlink_anon_vmas() is, before free_pgtables() frees the page tables,
 * so a walker holding the root lock never sees a VMA without them.
 *
 * munmap(), brk() and mremap() unlink after mmap_write_downgrade(), under
 * mmap_lock held for read, and so does ksmd upgrade a root: the root may
 * have become an anon_vma between the caller's look at @vma and our lock.
 * Then @vma is regular, has a chain, and false tells the caller to unlink
 * it as such; false too if @vma was not lazy when we looked. The caller
 * asks for every VMA (not only those it saw lazy), so that a VMA seen
 * regular was seen so with an acquire, after its chain was set up.
 */
bool anon_vma_lazy_unlink(struct vm_area_struct *vma)
{
	/* Acquire: pairs with anon_vma_lazy_link_regular()'s release. */
	anon_vma_handle_t handle = vma_anon_vma_handle_acquire(vma);
	struct anon_vma_lazy *root = anon_vma_handle_to_lazy(handle);

	return root && __anon_vma_lazy_unlink(vma, root);
}

/* The second half, with @root as read from @vma before any lock. */
bool __anon_vma_lazy_unlink(struct vm_area_struct *vma,
			    struct anon_vma_lazy *root)
{
	struct anon_vma *forward;

	anon_vma_lazy_lock_write(root);
	if (!anon_vma_handle_equal(vma_anon_vma_handle(vma), anon_vma_handle_lazy(root))) {
		anon_vma_lazy_unlock_write(root);
		return false;
	}
	list_del_init(&vma->anon_vma_chain);
	/*
	 * Release: a lockless reader that sees the count 0 (acquire, then
	 * the forward) sees the forward an upgrade set before our lock.
	 */
	smp_store_release(&root->nr_vmas, root->nr_vmas - 1);
	vma_set_anon_vma_handle(vma, anon_vma_handle_none());
	/* The last listed VMA of a family that forwards: let the anon_vma go. */
	forward = root->nr_vmas ? NULL : anon_vma_lazy_forward(root);
	anon_vma_lazy_unlock_write(root);
	if (forward)
		put_anon_vma(forward);
	anon_vma_lazy_put(root);
	return true;
}
