// SPDX-License-Identifier: GPL-2.0
/*
 * ANON_VMA_LAZY: the rmap walk of a lazy folio. It visits every VMA on the
 * folio's root that covers it, each addressed by its own vm_start and
 * vm_pgoff, then hands over the anon_vma the root forwards to, if any.
 */
#include "anon_vma_lazy_internal.h"
#include "anon_vma_lazy.h"

/*
 * The address of page @pgoff (of a folio of @nr_pages) in @vma, or -EFAULT
 * if @vma does not cover it: vma_mapping_base(vma) + pgoff * PAGE_SIZE.
 * A folio straddling the start of @vma resolves to vm_start.
 */
unsigned long anon_vma_lazy_address(const struct vm_area_struct *vma,
				    pgoff_t pgoff, unsigned long nr_pages)
{
	unsigned long address;

	if (pgoff >= vma->vm_pgoff) {
		address = vma_mapping_base(vma) + (pgoff << PAGE_SHIFT);
		if (address < vma->vm_start || address >= vma->vm_end)
			return -EFAULT;
		return address;
	}
	if (pgoff + nr_pages - 1 >= vma->vm_pgoff)
		return vma->vm_start;
	return -EFAULT;
}

/*
 * A reference on the lazy root @folio names, or NULL if it names none, is
 * no longer mapped, or its root is being freed. As folio_get_anon_vma().
 */
struct anon_vma_lazy *folio_get_anon_vma_lazy(const struct folio *folio)
{
	struct anon_vma_lazy *root;

	rcu_read_lock();
	root = folio_anon_vma_lazy(folio);
	if (root && (!folio_mapped(folio) ||
		     !anon_vma_lazy_tryget(root)))
		root = NULL;
	rcu_read_unlock();
	return root;
}

/*
 * A reference on the root @folio names, for a walk, and the mapping it was
 * read from. As rmap_walk_anon_lock(), this does not ask for the folio to
 * be mapped: remove_migration_ptes() walks a folio that only migration
 * entries map, and its caller holds a reference on the root. A walk with
 * an rwc->anon_lock asks for folio_lock_anon_vma_read()'s behaviour, which
 * checks folio_mapped() under RCU: a mapped folio keeps its root alive, so
 * the root is not one freed and reused since we read the mapping.
 */
static struct anon_vma_lazy *anon_vma_lazy_walk_get(struct folio *folio,
						    struct rmap_walk_control *rwc,
						    unsigned long *mapping)
{
	struct anon_vma_lazy *root;

	rcu_read_lock();
	*mapping = (unsigned long)READ_ONCE(folio->mapping);
	root = anon_mapping_to_lazy(*mapping);
	if (root && rwc->anon_lock && !folio_mapped(folio))
		root = NULL;
	if (root && !anon_vma_lazy_tryget(root))
		root = NULL;
	rcu_read_unlock();
	return root;
}

/*
 * Visit every VMA on @root that covers @folio; false if the walk is over
 * (rmap_one() or done() said so). The root lock is held.
 */
static bool anon_vma_lazy_walk_list(struct anon_vma_lazy *root,
				    struct folio *folio,
				    struct rmap_walk_control *rwc)
{
	struct vm_area_struct *vma;
	unsigned long nr_pages;
	pgoff_t pgoff;

	/* The VMAs' list and ranges change only under this lock. */
	anon_vma_lazy_assert_locked(root);
	/*
	 * And the folio's index too: UFFDIO_MOVE between two VMAs on one root
	 * changes it under the root lock, leaving the mapping as it was.
	 */
	nr_pages = folio_nr_pages(folio);
	pgoff = folio_pgoff(folio);
	anon_vma_lazy_for_each_vma(root, vma) {
		unsigned long address = anon_vma_lazy_address(vma, pgoff,
							      nr_pages);

		if (address == -EFAULT)
			continue;
		cond_resched();
		if (rwc->invalid_vma && rwc->invalid_vma(vma, rwc->arg))
			continue;
		if (!rwc->rmap_one(folio, vma, address, rwc->arg))
			return false;
		if (rwc->done && rwc->done(folio))
			return false;
	}
	return true;
}

/*
 * The lazy half of rmap_walk_anon(). Visits every VMA on the folio's root
 * that covers it, under the root lock taken shared (or held by the caller
 * when @locked). If the root forwards, returns the anon_vma it forwards to
 * for the caller to walk as a regular one, with a reference to
 * put_anon_vma() afterwards, or, when @locked, the one whose lock the
 * caller took on the handle anon_vma_settle_locked() gave it. While the
 * root still lists VMAs (of other mms of its fork family), the root stays
 * locked across that walk, so that a VMA moving from the list to the tree
 * meanwhile is seen once: *@held is then the root, for
 * rmap_walk_anon_lazy_done() once the tree is walked. Returns NULL when
 * there is nothing more to walk, and ERR_PTR(-EAGAIN) if the folio is no
 * longer lazy (an unlocked folio may be moved to an anon_vma meanwhile):
 * the caller starts again.
 */
struct anon_vma *rmap_walk_anon_lazy(struct folio *folio,
				     struct rmap_walk_control *rwc,
				     bool locked,
				     struct anon_vma_lazy **held)
{
	struct anon_vma *forward = NULL;
	struct anon_vma_lazy *root;
	unsigned long mapping;

	*held = NULL;
	if (locked) {
		root = folio_anon_vma_lazy(folio);
		forward = anon_vma_lazy_forward(root);
		if (!forward || READ_ONCE(root->nr_vmas)) {
			if (!anon_vma_lazy_walk_list(root, folio, rwc))
				return NULL;
		}
		if (forward)
			lockdep_assert_held(&forward->root->rwsem);
		return forward;
	}
retry:
	root = anon_vma_lazy_walk_get(folio, rwc, &mapping);
	if (!root)
		return anon_mapping_is_lazy(mapping) ? NULL : ERR_PTR(-EAGAIN);
	/*
	 * Forwarded, and no VMA listed: that is final (a VMA joins a root
	 * only from a VMA on it), and the forward changes only to NULL when
	 * its anon_vma is freed, which anon_vma_lazy_forward_get() finds out
	 * from its count and origin, root lock or not. The count is read
	 * first, with an acquire that pairs with the upgrade's release, so
	 * that the forward read after it is the one the last VMAs went to.
	 * So no root lock: the caller walks the anon_vma under its lock as a
	 * regular folio's. UFFDIO_MOVE of such a folio runs under that
	 * anon_vma's lock, not the root's, so the caller looks at the folio's
	 * mapping again once it holds that lock, as folio_lock_anon_vma_read()
	 * does.
	 */
	if (!smp_load_acquire(&root->nr_vmas) && anon_vma_lazy_forward(root)) {
		forward = anon_vma_lazy_forward_get(root);
		anon_vma_lazy_put(root);
		return forward;
	}
	if (rwc->try_lock) {
		if (!anon_vma_lazy_trylock_read(root)) {
			rwc->contended = true;
			anon_vma_lazy_put(root);
			return NULL;
		}
	} else {
		anon_vma_lazy_lock_read(root);
	}
	/* UFFDIO_MOVE rewrites the mapping under the root lock: look again. */
	if (unlikely((unsigned long)READ_ONCE(folio->mapping) != mapping)) {
		anon_vma_lazy_unlock_read(root);
		anon_vma_lazy_put(root);
		goto retry;
	}
	if (root->nr_vmas && !anon_vma_lazy_walk_list(root, folio, rwc))
		goto out;
	if (anon_vma_lazy_forward(root)) {
		forward = anon_vma_lazy_forward_get(root);
		/* VMAs listed: the root holds the anon_vma, keep its lock. */
		if (forward && root->nr_vmas) {
			*held = root;
			return forward;
		}
	}
out:
	anon_vma_lazy_unlock_read(root);
	anon_vma_lazy_put(root);
	return forward;
}

/* The root rmap_walk_anon_lazy() kept locked for the walk of its forward. */
void rmap_walk_anon_lazy_done(struct anon_vma_lazy *held)
{
	if (held) {
		anon_vma_lazy_unlock_read(held);
		anon_vma_lazy_put(held);
	}
}
