// SPDX-License-Identifier: GPL-2.0
/*
 * ANON_VMA_LAZY: sharing begins. Fork and KSM turn a lazy root into an
 * anon_vma of mm/anon_vma.c, atomically for walkers, and the root forwards
 * to it for as long as that anon_vma lives; fork points the folios it
 * copies at the anon_vma.
 */
#include "anon_vma_lazy_internal.h"
#include "anon_vma_lazy.h"

/*
 * @vma joins @anon_vma's tree: as the VMA that fills it (@regular), as
 * mm/anon_vma.c links a VMA to the anon_vma it prepares, or with a chain
 * only, as a forked child's VMA (PARENT). ksmd upgrades under mmap_lock
 * held for read, and others read vma->anon_vma without the root lock
 * meanwhile: a fault stores it in folio->mapping, and munmap's unlink,
 * after mmap_write_downgrade(), takes a regular VMA's chains apart. So
 * the handle is published last, with a release that pairs with their
 * address dependency or acquire: whoever sees the VMA regular sees its
 * chain and the anon_vma initialised.
 */
static void anon_vma_lazy_link_moved(struct vm_area_struct *vma,
				     struct anon_vma_chain *avc,
				     struct anon_vma *anon_vma, bool regular)
{
	/* Only ever a VMA whose mm's writers the caller excludes. */
	mmap_assert_locked(vma->vm_mm);
	anon_vma_chain_assign(vma, avc, anon_vma);
	anon_vma_interval_tree_insert(avc, &anon_vma->rb_root);
	if (regular)
		anon_vma->num_active_vmas++;
	vma_publish_anon_vma_handle(vma, regular ?
				    anon_vma_handle_regular(anon_vma) :
				    anon_vma_handle_parent(anon_vma));
}

/*
 * The anon_vma the VMAs of @root's first mm to leave go to, or of a later
 * one if the VMAs that went before have all gone: REGULAR VMAs of a new
 * anon_vma whose origin is @root. Called with @root locked; @anon_vma is
 * new, or @old is what the root forwarded to until now and has an empty
 * tree (mainline never puts a VMA back into an emptied tree: it was put
 * when it emptied).
 */
static void anon_vma_lazy_forward_to(struct anon_vma_lazy *root,
				     struct anon_vma *anon_vma)
{
	/* A new root, as __anon_vma_prepare() makes one: its self-parent link. */
	anon_vma->num_children++;
	/*
	 * The origin first: a fault may see a VMA's new anon_vma before the
	 * forward is published, and must find the root's folios its own
	 * (folio_anon_vma_handle_matches()).
	 */
	anon_vma_set_lazy_origin(anon_vma, root);
	anon_vma_lazy_get(root);
}

/*
 * Sharing begins for @mm (a fork past the family cap, a KSM merge): its
 * VMAs on @root move to a regular anon_vma, atomically for walkers, and
 * the root forwards there from then on. Folios still naming the root need
 * no rewrite to be found: the walk covers the VMAs still listed (other mms
 * of the fork family, which move when their own mm needs it) and then the
 * anon_vma's tree. The first mm to leave gets a new anon_vma (REGULAR);
 * later ones chain into it (PARENT: an anon_vma of their own at their next
 * fault, as a forked child's). Only @mm's VMAs change: the caller holds
 * its mmap_lock, for write (fork) or for read (KSM, when a racing first
 * fault may still add a VMA next door, so the count is checked under the
 * lock), and no other mm's writer ever sees its VMA change under it.
 */
int anon_vma_lazy_upgrade(struct anon_vma_lazy *root, struct mm_struct *mm,
			  enum anon_vma_lazy_event why)
{
	struct anon_vma *anon_vma, *forward, *target, *unhold = NULL;
	struct anon_vma_chain *avc, *next_avc;
	struct vm_area_struct *vma, *next;
	unsigned int nr, mine, moved = 0;
	bool regular;
	LIST_HEAD(avcs);
	int err = 0;

	mmap_assert_locked(mm);
retry:
	/* Enough chains for every listed VMA: the lock comes after. */
	nr = READ_ONCE(root->nr_vmas);
	if (!nr)
		return -EAGAIN;
	anon_vma = anon_vma_alloc();
	if (!anon_vma)
		return -ENOMEM;
	for (moved = 0; moved < nr; moved++) {
		avc = anon_vma_chain_alloc(GFP_KERNEL);
		if (!avc) {
			err = -ENOMEM;
			goto free;
		}
		list_add(&avc->same_vma, &avcs);
	}
	moved = 0;

	anon_vma_lazy_lock_write(root);
	if (unlikely(root->nr_vmas > nr)) {
		anon_vma_lazy_unlock_write(root);
		list_for_each_entry_safe(avc, next_avc, &avcs, same_vma)
			anon_vma_chain_free(avc);
		INIT_LIST_HEAD(&avcs);
		put_anon_vma(anon_vma);
		goto retry;
	}
	mine = 0;
	anon_vma_lazy_for_each_vma(root, vma)
		mine += vma->vm_mm == mm;
	/* ksmd's VMA was unmapped meanwhile (munmap after the downgrade). */
	if (!mine) {
		anon_vma_lazy_unlock_write(root);
		err = -EAGAIN;
		goto free;
	}
	/* Alive: the root holds it while VMAs are listed, as ours are. */
	forward = anon_vma_lazy_forward(root);
	if (forward) {
		anon_vma_lock_write(forward);
		if (RB_EMPTY_ROOT(&forward->rb_root.rb_root)) {
			anon_vma_unlock_write(forward);
			unhold = forward;
			forward = NULL;
		}
	}
	regular = !forward;
	if (regular) {
		target = anon_vma;
		anon_vma_lock_write(target);
		anon_vma_lazy_forward_to(root, target);
	} else {
		target = forward;
	}
	list_for_each_entry_safe(vma, next, &root->vmas, anon_vma_chain) {
		if (vma->vm_mm != mm)
			continue;
		avc = list_first_entry(&avcs, struct anon_vma_chain, same_vma);
		list_del(&avc->same_vma);
		list_del_init(&vma->anon_vma_chain);
		anon_vma_lazy_link_moved(vma, avc, target, regular);
		moved++;
	}
	if (regular) {
		/*
		 * Release: a walker that sees the forward sees the anon_vma's
		 * tree filled. Pairs with the acquire in anon_vma_lazy_forward().
		 */
		smp_store_release(&root->upgraded, target);
	}
	/*
	 * Release, after the forward: a lockless walker that reads the count
	 * 0 (acquire, in rmap_walk_anon_lazy()) then reads this forward, not
	 * one it replaced.
	 */
	smp_store_release(&root->nr_vmas, root->nr_vmas - moved);
	/* The root holds what it forwards to while VMAs are still listed. */
	if (regular && root->nr_vmas)
		get_anon_vma(target);
	else if (!regular && !root->nr_vmas)
		unhold = target;
	anon_vma_unlock_write(target);
	anon_vma_lazy_unlock_write(root);

	if (unhold)
		put_anon_vma(unhold);
	if (!regular)
		put_anon_vma(anon_vma);
	/* The moved VMAs' references; the anon_vma holds one if it is new. */
	if (WARN_ON(refcount_sub_and_test(moved, &root->refcount)))
		err = -EINVAL;
	else
		anon_vma_lazy_count(why);
	list_for_each_entry_safe(avc, next_avc, &avcs, same_vma)
		anon_vma_chain_free(avc);
	return err;

free:
	list_for_each_entry_safe(avc, next_avc, &avcs, same_vma)
		anon_vma_chain_free(avc);
	put_anon_vma(anon_vma);
	return err;
}

/* Upgrade @vma's root if it has one; 0 if there was nothing to do. */
int anon_vma_lazy_upgrade_vma(struct vm_area_struct *vma,
			      enum anon_vma_lazy_event why)
{
	struct anon_vma_lazy *root = anon_vma_handle_to_lazy(vma_anon_vma_handle(vma));

	return root ? anon_vma_lazy_upgrade(root, vma->vm_mm, why) : 0;
}

/*
 * @anon_vma, whose origin is @root, is being freed: no VMA is in its tree
 * any more, and the root no longer lists any (it holds the anon_vma while
 * it does), so no folio naming @root is mapped anywhere, unless through an
 * anon_vma that replaced this one as the forward. Forget this forward
 * before the anon_vma's memory can be reused, so that a walker reading it
 * under RCU meets either this anon_vma, still typesafe, or nothing; never
 * memory freed before its read-side section began.
 */
void anon_vma_lazy_forward_release(struct anon_vma_lazy *root,
				   struct anon_vma *anon_vma)
{
	cmpxchg(&root->upgraded, anon_vma, NULL);
	anon_vma_lazy_put(root);
}

/*
 * Where a locked folio is handled anyway (fork copying its pte, when the
 * trylock succeeds), point it at the anon_vma its root forwards to, saving
 * later walks a hop. As every other change of an anonymous folio's
 * mapping, under the folio lock: a walker holding it sees one mapping.
 */
bool folio_anon_vma_lazy_rewrite(struct folio *folio)
{
	struct anon_vma_lazy *root = folio_anon_vma_lazy(folio);
	struct anon_vma *anon_vma;

	VM_WARN_ON_ONCE_FOLIO(!folio_test_locked(folio), folio);
	/*
	 * Only once the root lists no VMA: a folio named by the anon_vma is
	 * walked in its tree alone, and a listed VMA of another mm of the
	 * family may map it. A root that forwards and lists none never lists
	 * one again (a VMA joins a root only from a VMA on it).
	 */
	if (!root || smp_load_acquire(&root->nr_vmas))
		return false;
	anon_vma = anon_vma_lazy_forward(root);
	if (!anon_vma)
		return false;
	WRITE_ONCE(folio->mapping, (struct address_space *)
		   ((unsigned long)anon_vma | PAGE_MAPPING_ANON));
	return true;
}

/*
 * Fork copies a pte of @folio, whose lazy root it may just have upgraded:
 * rewrite the folio if its lock can be had without waiting (the caller
 * holds the pte lock). A folio someone else holds locked keeps naming the
 * root, which forwards to the same anon_vma.
 */
void folio_anon_vma_lazy_rewrite_forked(struct folio *folio)
{
	if (folio_test_anon_vma_lazy(folio) && folio_trylock(folio)) {
		folio_anon_vma_lazy_rewrite(folio);
		folio_unlock(folio);
	}
}

