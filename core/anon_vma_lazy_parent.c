// SPDX-License-Identifier: GPL-2.0
/*
 * ANON_VMA_LAZY: forked children without an anon_vma of their own. A child
 * VMA of a lazy parent joins the parent's root (a fork family); past the
 * family's cap, or of a regular parent, it chains into the parent's
 * anon_vmas as in mainline, and takes an anon_vma of its own only at its
 * first fault that needs one (PARENT).
 */
#include "anon_vma_lazy_internal.h"
#include "anon_vma_lazy.h"

/*
 * Stands first where anon_vma_fork() does in dup_mmap(): the child's VMA
 * @vma of a lazy @pvma joins its root (a fork family) if the family is
 * below vm.anon_vma_lazy_family_max VMAs. Nothing is allocated, and a
 * child that execs or exits leaves the root as it found it. Both VMAs map
 * the root's folios at the same places, so the walk finds the child's
 * mappings as it finds the parent's. The parent's mmap_lock is held for
 * write and the child's mm is not visible yet; other mms of the family
 * may fork or leave at the same time, under their own mmap_lock and this
 * root lock. False if @vma is left to anon_vma_lazy_fork().
 */
bool anon_vma_lazy_fork_join(struct vm_area_struct *vma,
			     struct vm_area_struct *pvma)
{
	struct anon_vma_lazy *root = anon_vma_handle_to_lazy(vma_anon_vma_handle(pvma));
	bool joined = false;

	if (!root || !IS_ENABLED(CONFIG_ANON_VMA_LAZY) ||
	    !READ_ONCE(sysctl_anon_vma_lazy))
		return false;
	anon_vma_lazy_lock_write(root);
	if (root->nr_vmas < READ_ONCE(sysctl_anon_vma_lazy_family_max)) {
		anon_vma_lazy_get(root);
		list_add_tail(&vma->anon_vma_chain, &root->vmas);
		WRITE_ONCE(root->nr_vmas, root->nr_vmas + 1);
		vma_set_anon_vma_handle(vma, anon_vma_handle_lazy(root));
		joined = true;
	}
	anon_vma_lazy_unlock_write(root);
	if (joined)
		anon_vma_lazy_count(ANON_VMA_LAZY_FAMILY_JOIN);
	return joined;
}

/*
 * Did @vma come onto its lazy root through a fork, rather than through its
 * own mm's first fault? Mainline never grows a forked child's VMA over a
 * new range (its chain list is not singular: is_mergeable_anon_vma()), and
 * mm/vma.c asks this to do the same. A root lists the VMAs of the mm whose
 * fault made it first, and joins go to the tail, so the mm of the first
 * VMA listed is taken for the root's own; once that mm's VMAs listed
 * before the joins are all gone, the next mm's is, which only ever lets
 * a VMA merge where mainline would not, or not merge where it would.
 */
bool anon_vma_lazy_joined(struct vm_area_struct *vma)
{
	struct anon_vma_lazy *root = anon_vma_handle_to_lazy(vma_anon_vma_handle(vma));
	struct vm_area_struct *first;
	bool joined;

	if (!root)
		return false;
	/* Another mm may unlink and free the first VMA: under the lock. */
	anon_vma_lazy_lock_read(root);
	first = list_first_entry_or_null(&root->vmas, struct vm_area_struct,
					 anon_vma_chain);
	joined = first && first->vm_mm != vma->vm_mm;
	anon_vma_lazy_unlock_read(root);
	return joined;
}

/*
 * Stands where anon_vma_fork() does in dup_mmap(), for a child that did
 * not join its parent's root. The parent's VMAs on a lazy root move to an
 * anon_vma first; the child then chains into the parent's anon_vmas, as in
 * mainline, but gets an anon_vma of its own only when it first needs one
 * (PARENT state, see anon_vma_lazy_parent_adopt()). With the switch off,
 * the child is forked exactly as mainline does it.
 */
int anon_vma_lazy_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma)
{
	anon_vma_handle_t phandle = vma_anon_vma_handle(pvma);
	bool lazy = IS_ENABLED(CONFIG_ANON_VMA_LAZY) &&
		    READ_ONCE(sysctl_anon_vma_lazy);
	struct anon_vma_lazy *root;
	struct anon_vma *parent;
	int err;

	switch (anon_vma_handle_state(phandle)) {
	case ANON_VMA_STATE_NONE:
		vma_set_anon_vma_handle(vma, phandle);
		return 0;
	case ANON_VMA_STATE_BAD:
		return -EINVAL;
	case ANON_VMA_STATE_LAZY:
		root = anon_vma_handle_to_lazy(phandle);
		err = anon_vma_lazy_upgrade(root, pvma->vm_mm,
					    ANON_VMA_LAZY_UPGRADE_FORK);
		if (err)
			return err;
		phandle = vma_anon_vma_handle(pvma);
		parent = anon_vma_handle_to_anon_vma(phandle);
		break;
	case ANON_VMA_STATE_PARENT:
		parent = anon_vma_handle_to_parent(phandle);
		break;
	default:
		parent = anon_vma_handle_to_regular(phandle);
		break;
	}

	if (!lazy) {
		if (anon_vma_handle_state(phandle) == ANON_VMA_STATE_PARENT) {
			err = anon_vma_lazy_parent_adopt(pvma);
			if (err)
				return err;
		}
		return __anon_vma_fork(vma, pvma);
	}

	vma_set_anon_vma_handle(vma, anon_vma_handle_none());
	err = anon_vma_clone(vma, pvma);
	if (err)
		return err;
	/* The clone reused an anon_vma that no VMA was filling: it is ours. */
	if (vma->anon_vma)
		return 0;
	vma_set_anon_vma_handle(vma, anon_vma_handle_parent(parent));
	anon_vma_lazy_count(ANON_VMA_LAZY_PARENT_FORK);
	return 0;
}

/*
 * First anonymous fault in a PARENT VMA: the rest of anon_vma_fork(), an
 * anon_vma of its own under the one it inherited.
 */
int anon_vma_lazy_parent_adopt(struct vm_area_struct *vma)
{
	struct anon_vma *parent = anon_vma_handle_to_parent(vma_anon_vma_handle(vma));
	int err;

	if (WARN_ON_ONCE(!parent))
		return -EINVAL;
	err = anon_vma_adopt(vma, parent, true);
	if (!err)
		anon_vma_lazy_count(ANON_VMA_LAZY_PARENT_ADOPT);
	return err;
}
