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
 * the folio may be shared. A PARENT VMA that has not adopted an anon_vma
 * of its own (do_swap_page() makes folios without asking for one) names
 * the inherited anon_vma, whose tree holds the VMA.
 */
int folio_set_anon_mapping(struct folio *folio, struct vm_area_struct *vma,
			   bool exclusive)
{
	anon_vma_handle_t handle = vma_anon_vma_handle(vma);
	struct anon_vma *anon_vma;

	switch (anon_vma_handle_state(handle)) {
	case ANON_VMA_STATE_LAZY:
		folio_set_anon_vma_lazy(folio, anon_vma_handle_to_lazy(handle));
		return 0;
	case ANON_VMA_STATE_REGULAR:
	case ANON_VMA_STATE_PARENT:
		anon_vma = anon_vma_handle_to_anon_vma(handle);
		if (!exclusive)
			anon_vma = anon_vma->root;
		WRITE_ONCE(folio->mapping, (struct address_space *)
			   ((unsigned long)anon_vma | PAGE_MAPPING_ANON));
		return 0;
	default:
		WARN_ON_ONCE(1);
		return -EINVAL;
	}
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
	struct anon_vma_lazy *root = anon_vma_handle_to_lazy(handle);

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
	struct anon_vma_lazy *root = anon_vma_handle_to_lazy(handle);

	if (root)
		anon_vma_lazy_put(root);
	else
		put_anon_vma(anon_vma_handle_to_anon_vma(handle));
}

/*
 * What folio_get_anon_vma() returns for a lazy folio: its root, tagged and
 * referenced, or the anon_vma the root forwards to; NULL if the folio is
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
	if (anon_vma_lazy_forward(root)) {
		forward = anon_vma_lazy_forward_get(root);
		anon_vma_lazy_put(root);
		return forward;
	}
	return (struct anon_vma *)anon_vma_handle_val(anon_vma_handle_lazy(root));
}

/*
 * @handle is a referenced root handle the caller has just locked for write.
 * If the root was upgraded before that, its VMAs are in the anon_vma now:
 * return that anon_vma locked for write and referenced instead, having
 * unlocked and put the root. No upgrade can happen while the root lock is
 * held, so once this returns the handle stays right until unlocked.
 */
struct anon_vma *anon_vma_handle_settle_locked(anon_vma_handle_t handle)
{
	struct anon_vma_lazy *root = anon_vma_handle_to_lazy(handle);
	struct anon_vma *forward;

	if (!root || !anon_vma_lazy_forward(root))
		return (struct anon_vma *)anon_vma_handle_val(handle);
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
	struct anon_vma_lazy *root = anon_vma_handle_to_lazy(handle);

	return root && anon_vma_lazy_forward(root);
}

