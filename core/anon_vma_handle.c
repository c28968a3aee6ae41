// SPDX-License-Identifier: GPL-2.0
/*
 * ANON_VMA_LAZY: the tagged handle's operations. vma->anon_vma, and what
 * folio_get_anon_vma() returns for a lazy folio, may be a lazy root or an
 * inherited anon_vma (include/linux/anon_vma_handle.h): the anon_vma lock
 * and reference helpers of <linux/rmap.h> hand such values here, and a
 * folio is named from a VMA's handle.
 */
#include "anon_vma_lazy_internal.h"
#include "anon_vma_lazy.h"

/*
 * @folio now belongs to @vma (a new folio, wp reuse, uffd move): name its
 * lazy root or, as __folio_set_anon(), its anon_vma, the tree's root when
 * the folio may be shared (or the lazy root that tree came from, while
 * that root still lists VMAs of other mms of its fork family). A PARENT
 * VMA that has not adopted an anon_vma of its own (do_swap_page() makes
 * folios without asking for one) names the inherited anon_vma, whose tree
 * holds the VMA.
 */
int folio_set_anon_mapping(struct folio *folio, struct vm_area_struct *vma,
			   bool exclusive)
{
	anon_vma_handle_t handle = vma_anon_vma_handle(vma);
	struct anon_vma_lazy *root;
	struct anon_vma *anon_vma;

	switch (anon_vma_handle_state(handle)) {
	case ANON_VMA_STATE_LAZY:
		folio_set_anon_vma_lazy(folio, anon_vma_handle_to_lazy(handle));
		return 0;
	case ANON_VMA_STATE_REGULAR:
	case ANON_VMA_STATE_PARENT:
		anon_vma = anon_vma_handle_to_anon_vma(handle);
		if (!exclusive) {
			anon_vma = anon_vma->root;
			/*
			 * A folio read in from a swap entry that a VMA still
			 * listed on the lazy root this tree came from may map
			 * too: name the root, whose walk covers that VMA and
			 * then this tree. The anon_vma holds the root; a
			 * root that lists no VMA never will again.
			 */
			root = anon_vma_lazy_origin(anon_vma);
			/* Acquire: pairs with the count's release (unlink). */
			if (root && smp_load_acquire(&root->nr_vmas)) {
				folio_set_anon_vma_lazy(folio, root);
				return 0;
			}
		}
		WRITE_ONCE(folio->mapping, (struct address_space *)
			   ((unsigned long)anon_vma | PAGE_MAPPING_ANON));
		return 0;
	default:
		WARN_ON_ONCE(1);
		return -EINVAL;
	}
}

/*
 * What anon_vma_handle_settle_locked() gives for a root that forwards while
 * it still lists VMAs (of other mms of its fork family): the root, locked
 * for write and referenced, and the anon_vma it forwards to, locked for
 * write (the root holds it), as the root tagged 3. Never stored in a VMA;
 * only ever unlocked and put.
 */
static struct anon_vma_lazy *anon_vma_handle_to_pair(anon_vma_handle_t handle)
{
	unsigned long val = anon_vma_handle_val(handle);

	if ((val & ANON_VMA_HANDLE_MASK) != ANON_VMA_HANDLE_INVALID)
		return NULL;
	return (struct anon_vma_lazy *)(val & ~ANON_VMA_HANDLE_MASK);
}

/*
 * The anon_vma lock helpers and get/put_anon_vma() come here when handed a
 * tagged value: a VMA's handle, or what folio_get_anon_vma() returned for a
 * lazy folio. A lazy root is locked and counted as itself; a PARENT handle
 * as the anon_vma it names (whose root lock covers every tree it is in).
 */
void anon_vma_handle_lock_write(anon_vma_handle_t handle)
{
	struct anon_vma_lazy *root = anon_vma_handle_to_lazy(handle);

	if (root)
		anon_vma_lazy_lock_write(root);
	else
		down_write(&anon_vma_handle_to_anon_vma(handle)->root->rwsem);
}

void anon_vma_handle_unlock_write(anon_vma_handle_t handle)
{
	struct anon_vma_lazy *root = anon_vma_handle_to_pair(handle);

	if (root) {
		/* Forwards where it did at settling: the root was held since. */
		anon_vma_unlock_write(anon_vma_lazy_forward(root));
		anon_vma_lazy_unlock_write(root);
		return;
	}
	root = anon_vma_handle_to_lazy(handle);
	if (root)
		anon_vma_lazy_unlock_write(root);
	else
		up_write(&anon_vma_handle_to_anon_vma(handle)->root->rwsem);
}

void anon_vma_handle_lock_read(anon_vma_handle_t handle)
{
	struct anon_vma_lazy *root = anon_vma_handle_to_lazy(handle);

	if (root)
		anon_vma_lazy_lock_read(root);
	else
		down_read(&anon_vma_handle_to_anon_vma(handle)->root->rwsem);
}

void anon_vma_handle_unlock_read(anon_vma_handle_t handle)
{
	struct anon_vma_lazy *root = anon_vma_handle_to_lazy(handle);

	if (root)
		anon_vma_lazy_unlock_read(root);
	else
		up_read(&anon_vma_handle_to_anon_vma(handle)->root->rwsem);
}

int anon_vma_handle_trylock_read(anon_vma_handle_t handle)
{
	struct anon_vma_lazy *root = anon_vma_handle_to_lazy(handle);

	if (root)
		return anon_vma_lazy_trylock_read(root);
	return down_read_trylock(&anon_vma_handle_to_anon_vma(handle)->root->rwsem);
}

int anon_vma_handle_trylock_write(anon_vma_handle_t handle)
{
	struct anon_vma_lazy *root = anon_vma_handle_to_lazy(handle);

	if (root)
		return anon_vma_lazy_trylock_write(root);
	return down_write_trylock(&anon_vma_handle_to_anon_vma(handle)->root->rwsem);
}

void anon_vma_handle_get(anon_vma_handle_t handle)
{
	struct anon_vma_lazy *root = anon_vma_handle_to_lazy(handle);

	if (root)
		anon_vma_lazy_get(root);
	else
		get_anon_vma(anon_vma_handle_to_anon_vma(handle));
}

void anon_vma_handle_put(anon_vma_handle_t handle)
{
	struct anon_vma_lazy *root = anon_vma_handle_to_pair(handle);

	/* Unlocked already: the forward may be another by now, or gone. */
	if (root) {
		anon_vma_lazy_put(root);
		return;
	}
	root = anon_vma_handle_to_lazy(handle);
	if (root)
		anon_vma_lazy_put(root);
	else
		put_anon_vma(anon_vma_handle_to_anon_vma(handle));
}

/*
 * What folio_get_anon_vma() returns for a lazy folio: its root, tagged and
 * referenced, or the anon_vma the root forwards to if the root lists no
 * VMA any more; NULL if the folio is
 * no longer mapped; ERR_PTR(-EAGAIN) if it is no longer lazy, for the
 * caller to take the regular path.
 */
struct anon_vma *folio_get_anon_vma_handle(struct folio *folio)
{
	struct anon_vma_lazy *root;
	struct anon_vma *forward;
	unsigned long mapping;

	rcu_read_lock();
	mapping = (unsigned long)READ_ONCE(folio->mapping);
	root = anon_mapping_to_lazy(mapping);
	if (!root) {
		rcu_read_unlock();
		return ERR_PTR(-EAGAIN);
	}
	if (!folio_mapped(folio) || !anon_vma_lazy_tryget(root))
		root = NULL;
	rcu_read_unlock();
	if (!root)
		return NULL;
	/*
	 * The anon_vma alone only once the root lists no VMA: before that,
	 * a caller that locks what it gets must lock the root (and settle).
	 * The count first, as rmap_walk_anon_lazy() reads them.
	 */
	if (!smp_load_acquire(&root->nr_vmas) && anon_vma_lazy_forward(root)) {
		forward = anon_vma_lazy_forward_get(root);
		anon_vma_lazy_put(root);
		return forward;
	}
	return (struct anon_vma *)anon_vma_handle_val(anon_vma_handle_lazy(root));
}

/*
 * @handle is a referenced root handle the caller has just locked for write.
 * If the root forwards, the folio's mappings are also, or only, in that
 * anon_vma's tree: lock it too (after the root, the order the upgrade
 * takes them in) while the root still lists VMAs, and return both as one
 * handle; once it lists none, which is final, return that anon_vma alone,
 * locked for write and referenced, having unlocked and put the root. No
 * VMA joins or leaves the list and the forward does not change while the
 * root lock is held, so once this returns the handle stays right until
 * unlocked.
 */
struct anon_vma *anon_vma_handle_settle_locked(anon_vma_handle_t handle)
{
	struct anon_vma_lazy *root = anon_vma_handle_to_lazy(handle);
	struct anon_vma *forward;

	if (!root || !anon_vma_lazy_forward(root))
		return (struct anon_vma *)anon_vma_handle_val(handle);
	/*
	 * The root holds its forward while it lists VMAs, and neither changes
	 * while the root is locked: no reference of our own is needed.
	 */
	if (root->nr_vmas) {
		anon_vma_lock_write(anon_vma_lazy_forward(root));
		return (struct anon_vma *)(anon_vma_handle_val(handle) |
					   ANON_VMA_HANDLE_INVALID);
	}
	forward = anon_vma_lazy_forward_get(root);
	anon_vma_lazy_unlock_write(root);
	anon_vma_lazy_put(root);
	if (forward)
		anon_vma_lock_write(forward);
	return forward;
}

/*
 * __page_check_anon_rmap(): may @folio, whose mapping is already set, be
 * mapped in @vma? Yes if both name the same lazy root, or the same anon_vma
 * tree, directly or because the folio's root was upgraded to the root of
 * the VMA's tree. That anon_vma names the root as its origin before any
 * VMA is linked to it, and for as long as a VMA is: no forward is read, so
 * a fault between the linking and the forward's publication matches too.
 */
bool folio_anon_vma_handle_matches(const struct folio *folio,
				   const struct vm_area_struct *vma)
{
	anon_vma_handle_t handle = vma_anon_vma_handle(vma);
	struct anon_vma_lazy *root = folio_anon_vma_lazy(folio);
	struct anon_vma *mine = anon_vma_handle_to_anon_vma(handle), *folios;
	unsigned long mapping;

	if (root && root == anon_vma_handle_to_lazy(handle))
		return true;
	if (!mine)
		return false;
	if (root)
		return anon_vma_lazy_origin(mine->root) == root;
	mapping = (unsigned long)READ_ONCE(folio->mapping);
	if ((mapping & PAGE_MAPPING_FLAGS) != PAGE_MAPPING_ANON)
		return false;
	folios = (struct anon_vma *)(mapping - PAGE_MAPPING_ANON);
	return folios->root == mine->root;
}

/*
 * With the handle @handle locked: would anon_vma_handle_settle_locked() hand
 * over to the anon_vma its root was upgraded to, and sleep on its lock?
 */
bool anon_vma_handle_forwarded(anon_vma_handle_t handle)
{
	struct anon_vma_lazy *root;

	if (anon_vma_handle_to_pair(handle))
		return false;
	root = anon_vma_handle_to_lazy(handle);

	return root && anon_vma_lazy_forward(root);
}

