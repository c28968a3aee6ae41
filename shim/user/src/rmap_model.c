// SPDX-License-Identifier: GPL-2.0
/*
 * The userspace host's mm/rmap.c: mainline's anon_vma machinery (prepare,
 * clone, fork, unlink, reuse of childless anon_vmas, root pinning) written
 * for the model, with the ANON_VMA_LAZY hooks at the places the kernel
 * series puts them. The interval tree is a list filtered by address.
 */
#include "lazyrmap_internal.h"
#include "anon_vma_lazy.h"

static struct kmem_cache *anon_vma_cachep;
static struct kmem_cache *anon_vma_chain_cachep;

static void anon_vma_ctor(void *data)
{
	struct anon_vma *anon_vma = data;

	init_rwsem(&anon_vma->rwsem);
	atomic_set(&anon_vma->refcount, 0);
	INIT_LIST_HEAD(&anon_vma->rb_root);
	anon_vma->lazy_origin = NULL;
}

int anon_vma_model_init(void)
{
	anon_vma_cachep = kmem_cache_create("anon_vma", sizeof(struct anon_vma),
					    0, SLAB_TYPESAFE_BY_RCU | SLAB_PANIC |
					    SLAB_ACCOUNT, anon_vma_ctor);
	anon_vma_chain_cachep = KMEM_CACHE(anon_vma_chain,
					   SLAB_PANIC | SLAB_ACCOUNT);
	if (!anon_vma_cachep || !anon_vma_chain_cachep)
		return -ENOMEM;
	return anon_vma_lazy_init();
}

static struct anon_vma *anon_vma_alloc(void)
{
	struct anon_vma *anon_vma = kmem_cache_alloc(anon_vma_cachep, GFP_KERNEL);

	if (!anon_vma)
		return NULL;
	atomic_set(&anon_vma->refcount, 1);
	anon_vma->num_children = 0;
	anon_vma->num_active_vmas = 0;
	anon_vma->parent = anon_vma;
	anon_vma->root = anon_vma;
	return anon_vma;
}

static void anon_vma_free(struct anon_vma *anon_vma)
{
	VM_BUG_ON(atomic_read(&anon_vma->refcount));
	/* Cleared before reuse: see anon_vma_lazy_forward_get(). */
	if (anon_vma->lazy_origin)
		anon_vma_lazy_forward_release(anon_vma->lazy_origin);
	WRITE_ONCE(anon_vma->lazy_origin, NULL);
	kmem_cache_free(anon_vma_cachep, anon_vma);
}

void __put_anon_vma(struct anon_vma *anon_vma)
{
	struct anon_vma *root = anon_vma->root;

	anon_vma_free(anon_vma);
	if (root != anon_vma && atomic_dec_and_test(&root->refcount))
		anon_vma_free(root);
}

static struct anon_vma_chain *anon_vma_chain_alloc(gfp_t gfp)
{
	return kmem_cache_alloc(anon_vma_chain_cachep, gfp);
}

static void anon_vma_chain_free(struct anon_vma_chain *avc)
{
	kmem_cache_free(anon_vma_chain_cachep, avc);
}

static void anon_vma_chain_assign(struct vm_area_struct *vma,
				  struct anon_vma_chain *avc,
				  struct anon_vma *anon_vma)
{
	avc->vma = vma;
	avc->anon_vma = anon_vma;
	list_add(&avc->same_vma, &vma->anon_vma_chain);
}

static void anon_vma_interval_tree_insert(struct anon_vma_chain *avc,
					  struct anon_vma *anon_vma)
{
	lockdep_assert_held_write(&anon_vma->root->rwsem);
	list_add_tail(&avc->rb, &anon_vma->rb_root);
}

static void anon_vma_interval_tree_remove(struct anon_vma_chain *avc)
{
	lockdep_assert_held_write(&avc->anon_vma->root->rwsem);
	list_del(&avc->rb);
}

/* The neighbour's tree that a new fault in @vma may share, as mainline. */
static anon_vma_tree_t find_mergeable_anon_vma(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	struct vm_area_struct *near[2] = { NULL, NULL };
	unsigned int i;

	if (vma->vm_list.next != &mm->mmap)
		near[0] = list_next_entry(vma, vm_list);
	if (vma->vm_list.prev != &mm->mmap)
		near[1] = list_entry(vma->vm_list.prev, struct vm_area_struct,
				     vm_list);
	for (i = 0; i < 2; i++) {
		struct vm_area_struct *a = i ? near[1] : vma;
		struct vm_area_struct *b = i ? vma : near[0];
		anon_vma_tree_t tree;

		if (!near[i] || a->vm_end != b->vm_start ||
		    ((a->vm_flags ^ b->vm_flags) & ~VM_ACCESS_FLAGS) ||
		    b->vm_pgoff != a->vm_pgoff +
				   ((b->vm_start - a->vm_start) >> PAGE_SHIFT))
			continue;
		tree = vma_anon_vma_tree(near[i]);
		if (anon_vma_lazy_reusable(near[i], vma))
			return tree;
		if (anon_vma_tree_to_regular(tree) &&
		    list_is_singular(&near[i]->anon_vma_chain))
			return tree;
	}
	return anon_vma_tree_none();
}

int __anon_vma_prepare(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	struct anon_vma *anon_vma, *allocated = NULL;
	struct anon_vma_chain *avc;
	anon_vma_tree_t near;

	mmap_assert_locked(mm);
	if (anon_vma_tree_to_parent(vma_anon_vma_tree(vma)))
		return anon_vma_lazy_parent_adopt(vma);

	near = find_mergeable_anon_vma(vma);
	if (anon_vma_tree_to_lazy(near))
		return anon_vma_lazy_prepare(vma, anon_vma_tree_to_lazy(near));
	if (!anon_vma_tree_to_regular(near) && anon_vma_lazy_eligible(vma))
		return anon_vma_lazy_prepare(vma, NULL);

	avc = anon_vma_chain_alloc(GFP_KERNEL);
	if (!avc)
		return -ENOMEM;
	anon_vma = anon_vma_tree_to_regular(near);
	if (!anon_vma) {
		anon_vma = anon_vma_alloc();
		if (!anon_vma) {
			anon_vma_chain_free(avc);
			return -ENOMEM;
		}
		anon_vma->num_children++;
		allocated = anon_vma;
	}

	anon_vma_lock_write(anon_vma);
	spin_lock(&mm->page_table_lock);
	if (likely(!vma->anon_vma)) {
		vma_publish_anon_vma_tree(vma, anon_vma_tree_regular(anon_vma));
		anon_vma_chain_assign(vma, avc, anon_vma);
		anon_vma_interval_tree_insert(avc, anon_vma);
		anon_vma->num_active_vmas++;
		allocated = NULL;
		avc = NULL;
	}
	spin_unlock(&mm->page_table_lock);
	anon_vma_unlock_write(anon_vma);

	if (unlikely(allocated))
		put_anon_vma(allocated);
	if (unlikely(avc))
		anon_vma_chain_free(avc);
	return 0;
}

/* A PARENT VMA has a tree but no anon_vma of its own to put folios in. */
int anon_vma_prepare(struct vm_area_struct *vma)
{
	anon_vma_tree_t tree = vma_anon_vma_tree(vma);

	if (likely(anon_vma_tree_val(tree)) && !anon_vma_tree_to_parent(tree))
		return 0;
	return __anon_vma_prepare(vma);
}

static struct anon_vma *lock_anon_vma_root(struct anon_vma *root,
					   struct anon_vma *anon_vma)
{
	struct anon_vma *new_root = anon_vma->root;

	if (new_root != root) {
		if (WARN_ON_ONCE(root))
			up_write(&root->rwsem);
		root = new_root;
		down_write(&root->rwsem);
	}
	return root;
}

static void unlock_anon_vma_root(struct anon_vma *root)
{
	if (root)
		up_write(&root->rwsem);
}

int anon_vma_clone(struct vm_area_struct *dst, struct vm_area_struct *src)
{
	struct anon_vma_chain *avc, *pavc;
	struct anon_vma *root = NULL, *own;

	if (vma_anon_vma_is_lazy(src))
		return anon_vma_lazy_clone(dst, src);

	list_for_each_entry_reverse(pavc, &src->anon_vma_chain, same_vma) {
		struct anon_vma *anon_vma = pavc->anon_vma;

		avc = anon_vma_chain_alloc(GFP_KERNEL);
		if (unlikely(!avc)) {
			unlock_anon_vma_root(root);
			vma_set_anon_vma_tree(dst, anon_vma_tree_none());
			unlink_anon_vmas(dst);
			return -ENOMEM;
		}
		root = lock_anon_vma_root(root, anon_vma);
		anon_vma_chain_assign(dst, avc, anon_vma);
		anon_vma_interval_tree_insert(avc, anon_vma);
		/* Reuse an anon_vma that no VMA fills and one child uses. */
		if (!dst->anon_vma && src->anon_vma &&
		    anon_vma->num_children < 2 &&
		    anon_vma->num_active_vmas == 0)
			vma_set_anon_vma_tree(dst, anon_vma_tree_regular(anon_vma));
	}
	own = anon_vma_tree_to_regular(vma_anon_vma_tree(dst));
	if (own)
		own->num_active_vmas++;
	unlock_anon_vma_root(root);
	return 0;
}

/* The second half of anon_vma_fork(): an anon_vma of its own under @parent. */
static int anon_vma_adopt(struct vm_area_struct *vma, struct anon_vma *parent,
			  bool recheck)
{
	struct mm_struct *mm = vma->vm_mm;
	struct anon_vma_chain *avc;
	struct anon_vma *anon_vma;
	bool won = true;

	anon_vma = anon_vma_alloc();
	if (!anon_vma)
		return -ENOMEM;
	avc = anon_vma_chain_alloc(GFP_KERNEL);
	if (!avc) {
		put_anon_vma(anon_vma);
		return -ENOMEM;
	}
	anon_vma->root = parent->root;
	anon_vma->parent = parent;
	get_anon_vma(anon_vma->root);

	anon_vma_lock_write(anon_vma);
	spin_lock(&mm->page_table_lock);
	if (recheck)
		won = anon_vma_tree_to_parent(vma_anon_vma_tree(vma)) == parent;
	if (won) {
		vma_publish_anon_vma_tree(vma, anon_vma_tree_regular(anon_vma));
		anon_vma_chain_assign(vma, avc, anon_vma);
		anon_vma_interval_tree_insert(avc, anon_vma);
		anon_vma->parent->num_children++;
		anon_vma->num_active_vmas++;
	}
	spin_unlock(&mm->page_table_lock);
	anon_vma_unlock_write(anon_vma);
	if (!won) {
		anon_vma_chain_free(avc);
		put_anon_vma(anon_vma);
	}
	return 0;
}

int anon_vma_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma)
{
	struct anon_vma *parent = anon_vma_tree_to_regular(vma_anon_vma_tree(pvma));
	int error;

	if (!pvma->anon_vma)
		return 0;
	if (WARN_ON_ONCE(!parent))
		return -EINVAL;
	vma_set_anon_vma_tree(vma, anon_vma_tree_none());
	error = anon_vma_clone(vma, pvma);
	if (error)
		return error;
	if (vma->anon_vma)
		return 0;
	error = anon_vma_adopt(vma, parent, false);
	if (error)
		unlink_anon_vmas(vma);
	return error;
}

void unlink_anon_vmas(struct vm_area_struct *vma)
{
	struct anon_vma_chain *avc, *next;
	struct anon_vma *root = NULL, *own;

	if (IS_ENABLED(CONFIG_ANON_VMA_LAZY) && anon_vma_lazy_unlink(vma))
		return;
	list_for_each_entry_safe(avc, next, &vma->anon_vma_chain, same_vma) {
		struct anon_vma *anon_vma = avc->anon_vma;

		root = lock_anon_vma_root(root, anon_vma);
		anon_vma_interval_tree_remove(avc);
		/* Empty anon_vmas are freed below, outside the lock. */
		if (list_empty(&anon_vma->rb_root)) {
			anon_vma->parent->num_children--;
			continue;
		}
		list_del(&avc->same_vma);
		anon_vma_chain_free(avc);
	}
	own = anon_vma_tree_to_regular(vma_anon_vma_tree(vma));
	if (own)
		own->num_active_vmas--;
	vma_set_anon_vma_tree(vma, anon_vma_tree_none());
	unlock_anon_vma_root(root);

	list_for_each_entry_safe(avc, next, &vma->anon_vma_chain, same_vma) {
		struct anon_vma *anon_vma = avc->anon_vma;

		VM_WARN_ON(anon_vma->num_children);
		VM_WARN_ON(anon_vma->num_active_vmas);
		put_anon_vma(anon_vma);
		list_del(&avc->same_vma);
		anon_vma_chain_free(avc);
	}
}

struct anon_vma *folio_get_anon_vma(struct folio *folio)
{
	unsigned long mapping = (unsigned long)READ_ONCE(folio->mapping);
	struct anon_vma *anon_vma = NULL;

	if (anon_mapping_is_lazy(mapping)) {
		anon_vma = folio_get_anon_vma_tree(folio);
		if (anon_vma != ERR_PTR(-EAGAIN))
			return anon_vma;
		anon_vma = NULL;
		mapping = (unsigned long)READ_ONCE(folio->mapping);
	}
	rcu_read_lock();
	if ((mapping & PAGE_MAPPING_FLAGS) != PAGE_MAPPING_ANON)
		goto out;
	if (!folio_mapped(folio))
		goto out;
	anon_vma = (struct anon_vma *)(mapping - PAGE_MAPPING_ANON);
	if (!atomic_inc_not_zero(&anon_vma->refcount)) {
		anon_vma = NULL;
		goto out;
	}
	if (!folio_mapped(folio)) {
		rcu_read_unlock();
		put_anon_vma(anon_vma);
		return NULL;
	}
out:
	rcu_read_unlock();
	return anon_vma;
}

void folio_add_new_anon_rmap(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address)
{
	__folio_set_anon(folio, vma, address, true);
	atomic_set(&folio->_mapcount, 0);
}

/* Mapping and index of a new anonymous folio, exclusive or not. */
void __folio_set_anon(struct folio *folio, struct vm_area_struct *vma,
		      unsigned long address, bool exclusive)
{
	folio_set_anon_mapping(folio, vma, exclusive);
	folio->index = linear_page_index(vma, address);
}

/* A folio now exclusive to @vma names @vma's own tree (wp reuse, uffd). */
void folio_move_anon_rmap(struct folio *folio, struct vm_area_struct *vma)
{
	VM_BUG_ON_FOLIO(!folio_test_locked(folio), folio);
	VM_BUG_ON_VMA(!vma->anon_vma, vma);
	folio_set_anon_mapping(folio, vma, true);
}

void folio_add_anon_rmap(struct folio *folio, struct vm_area_struct *vma)
{
	VM_BUG_ON_FOLIO(!folio_test_anon(folio), folio);
	atomic_inc(&folio->_mapcount);
}

void folio_remove_rmap(struct folio *folio)
{
	VM_BUG_ON_FOLIO(atomic_read(&folio->_mapcount) < 0, folio);
	atomic_dec(&folio->_mapcount);
}

static void rmap_walk_anon_vma(struct folio *folio, struct anon_vma *anon_vma,
			       struct rmap_walk_control *rwc, bool locked)
{
	unsigned long nr_pages = folio_nr_pages(folio);
	pgoff_t pgoff = folio_pgoff(folio);
	struct anon_vma_chain *avc;

	if (locked) {
		lockdep_assert_held(&anon_vma->root->rwsem);
	} else if (!down_read_trylock(&anon_vma->root->rwsem)) {
		if (rwc->try_lock) {
			rwc->contended = true;
			return;
		}
		anon_vma_lock_read(anon_vma);
	}
	list_for_each_entry(avc, &anon_vma->rb_root, rb) {
		struct vm_area_struct *vma = avc->vma;
		/* The same arithmetic as vma_address(): the core's. */
		unsigned long address = anon_vma_lazy_address(vma, pgoff, nr_pages);

		if (address == -EFAULT)
			continue;
		if (rwc->invalid_vma && rwc->invalid_vma(vma, rwc->arg))
			continue;
		if (!rwc->rmap_one(folio, vma, address, rwc->arg))
			break;
		if (rwc->done && rwc->done(folio))
			break;
	}
	if (!locked)
		anon_vma_unlock_read(anon_vma);
}

/* The model's folio_lock_anon_vma_read(): a mapped folio's, referenced. */
struct anon_vma *folio_lock_anon_vma_read(const struct folio *folio,
					  struct rmap_walk_control *rwc)
{
	return folio_get_anon_vma((struct folio *)folio);
}

/*
 * Anonymous folios only: the model has no files. As rmap_walk_anon(): a
 * lazy folio's walk is the core's; otherwise ->anon_lock (reclaim and
 * page_idle use folio_lock_anon_vma_read(), which gives up on an unmapped
 * folio) or rmap_walk_anon_lock(), which takes folio_anon_vma() as it is:
 * a caller walking a folio that may be unmapped holds a reference on it
 * (remove_migration_ptes() walks a folio only migration entries map).
 */
void rmap_walk(struct folio *folio, struct rmap_walk_control *rwc)
{
	unsigned long mapping;
	struct anon_vma *anon_vma;

again:
	mapping = (unsigned long)READ_ONCE(folio->mapping);
	if (anon_mapping_is_lazy(mapping)) {
		anon_vma = rmap_walk_anon_lazy(folio, rwc, false);
		if (anon_vma == ERR_PTR(-EAGAIN))
			goto again;
		if (!anon_vma)
			return;
	} else if (rwc->anon_lock) {
		anon_vma = rwc->anon_lock(folio, rwc);
		if (!anon_vma)
			return;
	} else if (!folio_mapped(folio)) {
		if ((mapping & PAGE_MAPPING_FLAGS) != PAGE_MAPPING_ANON)
			return;
		anon_vma = (struct anon_vma *)(mapping - PAGE_MAPPING_ANON);
		rmap_walk_anon_vma(folio, anon_vma, rwc, false);
		return;
	} else {
		anon_vma = folio_get_anon_vma(folio);
		if (!anon_vma)
			return;
	}
	rmap_walk_anon_vma(folio, anon_vma, rwc, false);
	put_anon_vma(anon_vma);
}

/*
 * As rmap_walk_locked(): the caller holds the rmap lock of the handle that
 * folio_get_anon_vma() gave and anon_vma_settle_locked() settled, so the
 * mapping cannot change under it (the folio lock is held too).
 */
void rmap_walk_locked(struct folio *folio, struct rmap_walk_control *rwc)
{
	unsigned long mapping = (unsigned long)READ_ONCE(folio->mapping);
	struct anon_vma *anon_vma;

	if (anon_mapping_is_lazy(mapping)) {
		anon_vma = rmap_walk_anon_lazy(folio, rwc, true);
		if (!anon_vma)
			return;
	} else {
		if ((mapping & PAGE_MAPPING_FLAGS) != PAGE_MAPPING_ANON)
			return;
		anon_vma = (struct anon_vma *)(mapping - PAGE_MAPPING_ANON);
	}
	rmap_walk_anon_vma(folio, anon_vma, rwc, true);
}

/* The host half of the core's interface (core/anon_vma_lazy.h). */
struct anon_vma *anon_vma_lazy_host_anon_vma_alloc(void)
{
	struct anon_vma *anon_vma = anon_vma_alloc();

	if (anon_vma)
		anon_vma->num_children++;
	return anon_vma;
}

struct anon_vma_chain *anon_vma_lazy_host_avc_alloc(void)
{
	return anon_vma_chain_alloc(GFP_KERNEL);
}

void anon_vma_lazy_host_avc_free(struct anon_vma_chain *avc)
{
	anon_vma_chain_free(avc);
}

void anon_vma_lazy_host_link(struct vm_area_struct *vma,
			     struct anon_vma_chain *avc,
			     struct anon_vma *anon_vma)
{
	anon_vma_chain_assign(vma, avc, anon_vma);
	anon_vma_interval_tree_insert(avc, anon_vma);
	anon_vma->num_active_vmas++;
	/*
	 * Last, with a release: ksmd upgrades under mmap_lock held for read,
	 * and meanwhile a fault stores vma->anon_vma in folio->mapping, and
	 * munmap's unlink, after mmap_write_downgrade(), takes a regular
	 * VMA's chains apart. Whoever sees the VMA regular must see its chain
	 * and the anon_vma initialised.
	 */
	vma_publish_anon_vma_tree(vma, anon_vma_tree_regular(anon_vma));
}

void anon_vma_lazy_host_set_origin(struct anon_vma *anon_vma,
				   struct anon_vma_lazy *root)
{
	WRITE_ONCE(anon_vma->lazy_origin, root);
}

struct anon_vma_lazy *anon_vma_lazy_host_origin(struct anon_vma *anon_vma)
{
	return READ_ONCE(anon_vma->lazy_origin);
}

int anon_vma_lazy_host_clone(struct vm_area_struct *dst,
			     struct vm_area_struct *src)
{
	return anon_vma_clone(dst, src);
}

int anon_vma_lazy_host_fork(struct vm_area_struct *vma,
			    struct vm_area_struct *pvma)
{
	return anon_vma_fork(vma, pvma);
}

int anon_vma_lazy_host_adopt(struct vm_area_struct *vma,
			     struct anon_vma *parent)
{
	return anon_vma_adopt(vma, parent, true);
}

static unsigned long lazy_events[NR_ANON_VMA_LAZY_EVENTS];

void anon_vma_lazy_host_count(enum anon_vma_lazy_event event)
{
	__atomic_fetch_add(&lazy_events[event], 1, __ATOMIC_RELAXED);
}

unsigned long anon_vma_lazy_model_events(unsigned int event)
{
	return __atomic_load_n(&lazy_events[event], __ATOMIC_RELAXED);
}
