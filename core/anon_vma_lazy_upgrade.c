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
 * @vma joins @anon_vma's tree as the VMA that fills it, as mm/anon_vma.c
 * links a VMA to the anon_vma it prepares. ksmd upgrades under mmap_lock
 * held for read, and others read vma->anon_vma without the root lock
 * meanwhile: a fault stores it in folio->mapping, and munmap's unlink,
 * after mmap_write_downgrade(), takes a regular VMA's chains apart. So
 * the handle is published last, with a release that pairs with their
 * address dependency or acquire: whoever sees the VMA regular sees its
 * chain and the anon_vma initialised.
 */
static void anon_vma_lazy_link_regular(struct vm_area_struct *vma,
				       struct anon_vma_chain *avc,
				       struct anon_vma *anon_vma)
{
	anon_vma_chain_assign(vma, avc, anon_vma);
	anon_vma_interval_tree_insert(avc, &anon_vma->rb_root);
	anon_vma->num_active_vmas++;
	vma_publish_anon_vma_handle(vma, anon_vma_handle_regular(anon_vma));
}

/*
 * Sharing begins (fork, KSM): every VMA on @root moves onto one new regular
 * anon_vma, atomically for walkers, and the root forwards to it from then
 * on. Folios still naming the root need no rewrite to be found; the
 * anon_vma keeps the root alive until it is itself freed. The caller holds
 * mmap_lock: for write (fork), or for read (KSM), when a racing first fault
 * may still add a VMA next door, so the count is checked under the lock.
 */
int anon_vma_lazy_upgrade(struct anon_vma_lazy *root,
			  enum anon_vma_lazy_event why)
{
	struct anon_vma_chain *avc, *next_avc;
	struct vm_area_struct *vma, *next;
	struct anon_vma *anon_vma;
	unsigned int nr, i;
	LIST_HEAD(avcs);

retry:
	nr = READ_ONCE(root->nr_vmas);
	if (WARN_ON_ONCE(!nr || anon_vma_lazy_forward(root)))
		return -EINVAL;
	anon_vma = anon_vma_alloc();
	if (!anon_vma)
		return -ENOMEM;
	/* A new root, as __anon_vma_prepare() makes one: its self-parent link. */
	anon_vma->num_children++;
	for (i = 0; i < nr; i++) {
		avc = anon_vma_chain_alloc(GFP_KERNEL);
		if (!avc)
			goto enomem;
		list_add(&avc->same_vma, &avcs);
	}

	anon_vma_lazy_lock_write(root);
	if (unlikely(root->nr_vmas != nr)) {
		anon_vma_lazy_unlock_write(root);
		list_for_each_entry_safe(avc, next_avc, &avcs, same_vma)
			anon_vma_chain_free(avc);
		INIT_LIST_HEAD(&avcs);
		put_anon_vma(anon_vma);
		goto retry;
	}
	anon_vma_lock_write(anon_vma);
	/*
	 * The origin first: a fault may see a VMA's new anon_vma before the
	 * forward is published, and must find the root's folios its own
	 * (folio_anon_vma_handle_matches()).
	 */
	anon_vma_set_lazy_origin(anon_vma, root);
	list_for_each_entry_safe(vma, next, &root->vmas, anon_vma_chain) {
		mmap_assert_locked(vma->vm_mm);
		avc = list_first_entry(&avcs, struct anon_vma_chain, same_vma);
		list_del(&avc->same_vma);
		list_del_init(&vma->anon_vma_chain);
		anon_vma_lazy_link_regular(vma, avc, anon_vma);
	}
	WRITE_ONCE(root->nr_vmas, 0);
	/*
	 * Release: a walker that sees the forward sees the anon_vma's tree
	 * filled. Pairs with the acquire in anon_vma_lazy_forward().
	 */
	smp_store_release(&root->upgraded, anon_vma);
	anon_vma_unlock_write(anon_vma);
	anon_vma_lazy_unlock_write(root);

	/* The VMAs' references become the single one the anon_vma holds. */
	if (nr > 1 && WARN_ON(refcount_sub_and_test(nr - 1, &root->refcount)))
		return -EINVAL;
	anon_vma_lazy_count(why);
	return 0;

enomem:
	list_for_each_entry_safe(avc, next_avc, &avcs, same_vma)
		anon_vma_chain_free(avc);
	put_anon_vma(anon_vma);
	return -ENOMEM;
}

/* Upgrade @vma's root if it has one; 0 if there was nothing to do. */
int anon_vma_lazy_upgrade_vma(struct vm_area_struct *vma,
			      enum anon_vma_lazy_event why)
{
	struct anon_vma_lazy *root = anon_vma_handle_to_lazy(vma_anon_vma_handle(vma));

	return root ? anon_vma_lazy_upgrade(root, why) : 0;
}

/*
 * The anon_vma that @root was upgraded to is being freed: no VMA is in its
 * tree any more, so no folio naming @root is mapped anywhere. Forget the
 * forward before the anon_vma's memory can be reused, so that a walker
 * reading it under RCU meets either this anon_vma, still typesafe, or
 * nothing; never memory freed before its read-side section began.
 */
void anon_vma_lazy_forward_release(struct anon_vma_lazy *root)
{
	WRITE_ONCE(root->upgraded, NULL);
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
	if (!root)
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

