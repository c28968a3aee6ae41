// SPDX-License-Identifier: GPL-2.0
/*
 * ANON_VMA_LAZY core: lazy roots, their lock, the first-fault, split, merge
 * and unlink transitions, the upgrade at fork and the lazy rmap walk.
 *
 * This file is built unchanged in two hosts: in mm/ of a kernel tree and in
 * userspace over shim/user. It includes only the seam and its own headers.
 * A kernel builds it whenever it has an MMU: without CONFIG_ANON_VMA_LAZY
 * it never makes lazy state, and the paths it shares with the mainline
 * anon_vma code only ever see regular trees.
 */
#include "lazyrmap_internal.h"
#include "anon_vma_lazy.h"

int sysctl_anon_vma_lazy __read_mostly = 1;
unsigned long sysctl_anon_vma_lazy_max_pages __read_mostly;

static struct kmem_cache *anon_vma_lazy_cachep;

/*
 * Roots are locked through a hashed table of rwsems rather than a lock of
 * their own, as hugetlb's fault mutexes are: a root then costs 32 bytes.
 * No path holds two root locks at once, so sharing a class is safe; two
 * roots on one bucket only make VMA changes of unrelated processes wait on
 * each other, and walkers take the lock shared.
 */
#define ANON_VMA_LAZY_LOCK_BITS	8
static struct rw_semaphore anon_vma_lazy_locks[1 << ANON_VMA_LAZY_LOCK_BITS];

static struct rw_semaphore *anon_vma_lazy_lock(struct anon_vma_lazy *root)
{
	return &anon_vma_lazy_locks[hash_ptr(root, ANON_VMA_LAZY_LOCK_BITS)];
}

void anon_vma_lazy_lock_write(struct anon_vma_lazy *root)
{
	down_write(anon_vma_lazy_lock(root));
}

void anon_vma_lazy_unlock_write(struct anon_vma_lazy *root)
{
	up_write(anon_vma_lazy_lock(root));
}

void anon_vma_lazy_lock_read(struct anon_vma_lazy *root)
{
	down_read(anon_vma_lazy_lock(root));
}

int anon_vma_lazy_trylock_read(struct anon_vma_lazy *root)
{
	return down_read_trylock(anon_vma_lazy_lock(root));
}

void anon_vma_lazy_unlock_read(struct anon_vma_lazy *root)
{
	up_read(anon_vma_lazy_lock(root));
}

void anon_vma_lazy_assert_locked(struct anon_vma_lazy *root)
{
	lockdep_assert_held(anon_vma_lazy_lock(root));
}

struct ctl_table anon_vma_lazy_sysctls[] = {
	{
		.procname	= "anon_vma_lazy",
		.data		= &sysctl_anon_vma_lazy,
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	{
		.procname	= "anon_vma_lazy_max_pages",
		.data		= &sysctl_anon_vma_lazy_max_pages,
		.maxlen		= sizeof(unsigned long),
		.mode		= 0644,
		.proc_handler	= proc_doulongvec_minmax,
	},
};

const unsigned int anon_vma_lazy_nr_sysctls = ARRAY_SIZE(anon_vma_lazy_sysctls);

int __init anon_vma_lazy_sysctl_init(void)
{
	if (IS_ENABLED(CONFIG_ANON_VMA_LAZY))
		register_sysctl_init("vm", anon_vma_lazy_sysctls);
	return 0;
}

int __init anon_vma_lazy_init(void)
{
	unsigned int i;

	/* The low three bits of folio->mapping carry the lazy encoding. */
	BUILD_BUG_ON(__alignof__(struct anon_vma_lazy) < 8);
	/* Without the option, no lazy state is ever made: no cache either. */
	if (!IS_ENABLED(CONFIG_ANON_VMA_LAZY))
		return 0;
	/*
	 * Typesafe, as anon_vma: a folio may name a root long after the root
	 * went, and a walker must be able to find that out from its refcount.
	 */
	anon_vma_lazy_cachep = KMEM_CACHE(anon_vma_lazy, SLAB_TYPESAFE_BY_RCU |
					  SLAB_PANIC | SLAB_ACCOUNT);
	if (!anon_vma_lazy_cachep)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(anon_vma_lazy_locks); i++)
		init_rwsem(&anon_vma_lazy_locks[i]);
	return 0;
}

/*
 * A new lazy root is only worth it for private anonymous memory that the
 * policy admits; everything else takes the mainline path.
 */
bool anon_vma_lazy_eligible(struct vm_area_struct *vma)
{
	unsigned long max_pages = READ_ONCE(sysctl_anon_vma_lazy_max_pages);

	if (!IS_ENABLED(CONFIG_ANON_VMA_LAZY) || !READ_ONCE(sysctl_anon_vma_lazy))
		return false;
	if (!vma_is_anonymous(vma) || (vma->vm_flags & VM_SHARED))
		return false;
	return !max_pages || vma_pages(vma) <= max_pages;
}

static struct anon_vma_lazy *anon_vma_lazy_alloc(void)
{
	struct anon_vma_lazy *root;

	root = kmem_cache_alloc(anon_vma_lazy_cachep, GFP_KERNEL);
	if (!root)
		return NULL;
	root->nr_vmas = 0;
	root->upgraded = NULL;
	INIT_LIST_HEAD(&root->vmas);
	/*
	 * A stale reader may try for a reference on this memory at any time:
	 * make the fields valid before the count says the root is alive.
	 */
	smp_wmb();
	refcount_set(&root->refcount, 1);
	return root;
}

static void anon_vma_lazy_free_rcu(struct rcu_head *head)
{
	struct anon_vma_lazy *root = container_of(head, struct anon_vma_lazy, rcu);

	kmem_cache_free(anon_vma_lazy_cachep, root);
}

void anon_vma_lazy_get(struct anon_vma_lazy *root)
{
	refcount_inc(&root->refcount);
}

/*
 * A reference on a root read from folio->mapping under RCU, whose memory
 * may be a root freed and reused since: the count says whether it is
 * alive. refcount_inc_not_zero() orders nothing; the acquire pairs with
 * the smp_wmb() in anon_vma_lazy_alloc(), so that a reused root is seen
 * initialised once its new count is.
 */
static bool anon_vma_lazy_tryget(struct anon_vma_lazy *root)
{
	if (!refcount_inc_not_zero(&root->refcount))
		return false;
	smp_acquire__after_ctrl_dep();
	return true;
}

/*
 * The root outlives its last user by a grace period: a walker may have read
 * folio->mapping under RCU and be about to try for a reference. After that
 * the memory stays a root (SLAB_TYPESAFE_BY_RCU) whose zero or unrelated
 * count a stale reader can only fail on, or walk harmlessly.
 */
void anon_vma_lazy_put(struct anon_vma_lazy *root)
{
	if (!refcount_dec_and_test(&root->refcount))
		return;
	VM_WARN_ON(root->nr_vmas || !list_empty(&root->vmas));
	call_rcu(&root->rcu, anon_vma_lazy_free_rcu);
}

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
 * @near is a neighbour of @vma that the host found compatible (adjacent,
 * same flags and policy, continuous pgoff): its root can serve @vma too, so
 * that the two can merge again later.
 */
struct anon_vma_lazy *anon_vma_lazy_reusable(const struct vm_area_struct *near,
					     const struct vm_area_struct *vma)
{
	struct anon_vma_lazy *root;

	root = anon_vma_tree_to_lazy(vma_anon_vma_tree(near));
	if (!root || near->vm_mm != vma->vm_mm)
		return NULL;
	if (vma_mapping_base(near) != vma_mapping_base(vma))
		return NULL;
	return root;
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
		vma_publish_anon_vma_tree(vma, anon_vma_tree_lazy(root));
		anon_vma_lazy_host_count(allocated ? ANON_VMA_LAZY_ROOT_ALLOC :
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
 * @dst was made from @src by split, copy_vma() (mremap) or a merge that
 * extends a VMA without anon memory over one with it: it joins @src's root.
 * Nothing is allocated, so this cannot fail; it returns int to stand where
 * anon_vma_clone() does.
 */
int anon_vma_lazy_clone(struct vm_area_struct *dst, struct vm_area_struct *src)
{
	struct anon_vma_lazy *root = anon_vma_tree_to_lazy(vma_anon_vma_tree(src));

	if (WARN_ON_ONCE(!root || dst->vm_mm != src->vm_mm))
		return -EINVAL;
	anon_vma_lazy_lock_write(root);
	anon_vma_lazy_get(root);
	anon_vma_lazy_link(root, dst);
	vma_set_anon_vma_tree(dst, anon_vma_tree_lazy(root));
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
 * it as such; false too if @vma was not lazy when we looked.
 */
bool anon_vma_lazy_unlink(struct vm_area_struct *vma)
{
	/* Acquire: pairs with anon_vma_lazy_host_link()'s release. */
	anon_vma_tree_t tree = vma_anon_vma_tree_acquire(vma);
	struct anon_vma_lazy *root = anon_vma_tree_to_lazy(tree);

	return root && __anon_vma_lazy_unlink(vma, root);
}

/* The second half, with @root as read from @vma before any lock. */
bool __anon_vma_lazy_unlink(struct vm_area_struct *vma,
			    struct anon_vma_lazy *root)
{
	anon_vma_lazy_lock_write(root);
	if (!anon_vma_tree_equal(vma_anon_vma_tree(vma), anon_vma_tree_lazy(root))) {
		anon_vma_lazy_unlock_write(root);
		return false;
	}
	list_del_init(&vma->anon_vma_chain);
	WRITE_ONCE(root->nr_vmas, root->nr_vmas - 1);
	vma_set_anon_vma_tree(vma, anon_vma_tree_none());
	anon_vma_lazy_unlock_write(root);
	anon_vma_lazy_put(root);
	return true;
}

/*
 * May VMAs with trees @a and @b become one? Only when every folio would be
 * found the same way afterwards. As in is_mergeable_anon_vma(), @vma, if
 * given, is the existing neighbour, whose tree is @b. A shared lazy root
 * implies a shared mapping base: merge already demands continuous pgoff.
 */
bool anon_vma_tree_mergeable(anon_vma_tree_t a, anon_vma_tree_t b,
			     const struct vm_area_struct *vma)
{
	enum anon_vma_state sa = anon_vma_tree_state(a);
	enum anon_vma_state sb = anon_vma_tree_state(b);

	if (sa == ANON_VMA_STATE_BAD || sb == ANON_VMA_STATE_BAD)
		return false;
	if (sa != ANON_VMA_STATE_NONE && sb != ANON_VMA_STATE_NONE)
		return anon_vma_tree_equal(a, b);
	if (sa == ANON_VMA_STATE_NONE && sb == ANON_VMA_STATE_NONE)
		return true;
	/*
	 * One side has no tree. Mainline wants it to be the proposed range,
	 * not the neighbour (whose empty chain list is not singular), and
	 * vma_expand() relies on that: a neighbour growing over a new range
	 * does not take the range's tree. mremap() moving a lazy range back
	 * beside a never-faulted VMA must not merge into it.
	 */
	if (vma && sb == ANON_VMA_STATE_NONE)
		return false;
	switch (sa == ANON_VMA_STATE_NONE ? sb : sa) {
	case ANON_VMA_STATE_LAZY:
		return true;
	case ANON_VMA_STATE_PARENT:
		/* Inherited: eager would refuse (two chains), so do we. */
		return false;
	default:
		return !vma || list_is_singular(&vma->anon_vma_chain);
	}
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
	anon_vma = anon_vma_lazy_host_anon_vma_alloc();
	if (!anon_vma)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		avc = anon_vma_lazy_host_avc_alloc();
		if (!avc)
			goto enomem;
		list_add(&avc->same_vma, &avcs);
	}

	anon_vma_lazy_lock_write(root);
	if (unlikely(root->nr_vmas != nr)) {
		anon_vma_lazy_unlock_write(root);
		list_for_each_entry_safe(avc, next_avc, &avcs, same_vma)
			anon_vma_lazy_host_avc_free(avc);
		INIT_LIST_HEAD(&avcs);
		put_anon_vma(anon_vma);
		goto retry;
	}
	anon_vma_lock_write(anon_vma);
	/*
	 * The origin first: a fault may see a VMA's new anon_vma before the
	 * forward is published, and must find the root's folios its own
	 * (folio_anon_vma_tree_matches()).
	 */
	anon_vma_lazy_host_set_origin(anon_vma, root);
	list_for_each_entry_safe(vma, next, &root->vmas, anon_vma_chain) {
		mmap_assert_locked(vma->vm_mm);
		avc = list_first_entry(&avcs, struct anon_vma_chain, same_vma);
		list_del(&avc->same_vma);
		list_del_init(&vma->anon_vma_chain);
		anon_vma_lazy_host_link(vma, avc, anon_vma);
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
	anon_vma_lazy_host_count(why);
	return 0;

enomem:
	list_for_each_entry_safe(avc, next_avc, &avcs, same_vma)
		anon_vma_lazy_host_avc_free(avc);
	put_anon_vma(anon_vma);
	return -ENOMEM;
}

/* Upgrade @vma's root if it has one; 0 if there was nothing to do. */
int anon_vma_lazy_upgrade_vma(struct vm_area_struct *vma,
			      enum anon_vma_lazy_event why)
{
	struct anon_vma_lazy *root = anon_vma_tree_to_lazy(vma_anon_vma_tree(vma));

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
 * Stands where anon_vma_fork() does in dup_mmap(). A lazy parent becomes
 * regular first; the child then chains into the parent's anon_vmas, as in
 * mainline, but gets an anon_vma of its own only when it first needs one
 * (PARENT state, see anon_vma_lazy_parent_adopt()). With the switch off,
 * the child is forked exactly as mainline does it.
 */
int anon_vma_lazy_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma)
{
	anon_vma_tree_t ptree = vma_anon_vma_tree(pvma);
	struct anon_vma *parent;
	int err;

	switch (anon_vma_tree_state(ptree)) {
	case ANON_VMA_STATE_NONE:
		vma_set_anon_vma_tree(vma, ptree);
		return 0;
	case ANON_VMA_STATE_BAD:
		return -EINVAL;
	case ANON_VMA_STATE_LAZY:
		err = anon_vma_lazy_upgrade(anon_vma_tree_to_lazy(ptree),
					    ANON_VMA_LAZY_UPGRADE_FORK);
		if (err)
			return err;
		ptree = vma_anon_vma_tree(pvma);
		parent = anon_vma_tree_to_regular(ptree);
		break;
	case ANON_VMA_STATE_PARENT:
		parent = anon_vma_tree_to_parent(ptree);
		break;
	default:
		parent = anon_vma_tree_to_regular(ptree);
		break;
	}

	if (!IS_ENABLED(CONFIG_ANON_VMA_LAZY) || !READ_ONCE(sysctl_anon_vma_lazy)) {
		if (anon_vma_tree_state(ptree) == ANON_VMA_STATE_PARENT) {
			err = anon_vma_lazy_parent_adopt(pvma);
			if (err)
				return err;
		}
		return anon_vma_lazy_host_fork(vma, pvma);
	}

	vma_set_anon_vma_tree(vma, anon_vma_tree_none());
	err = anon_vma_lazy_host_clone(vma, pvma);
	if (err)
		return err;
	/* The clone reused an anon_vma that no VMA was filling: it is ours. */
	if (vma->anon_vma)
		return 0;
	vma_set_anon_vma_tree(vma, anon_vma_tree_parent(parent));
	anon_vma_lazy_host_count(ANON_VMA_LAZY_PARENT_FORK);
	return 0;
}

/*
 * First anonymous fault in a PARENT VMA: the rest of anon_vma_fork(), an
 * anon_vma of its own under the one it inherited.
 */
int anon_vma_lazy_parent_adopt(struct vm_area_struct *vma)
{
	struct anon_vma *parent = anon_vma_tree_to_parent(vma_anon_vma_tree(vma));
	int err;

	if (WARN_ON_ONCE(!parent))
		return -EINVAL;
	err = anon_vma_lazy_host_adopt(vma, parent);
	if (!err)
		anon_vma_lazy_host_count(ANON_VMA_LAZY_PARENT_ADOPT);
	return err;
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
	anon_vma_tree_t tree = vma_anon_vma_tree(vma);
	struct anon_vma *anon_vma;

	switch (anon_vma_tree_state(tree)) {
	case ANON_VMA_STATE_LAZY:
		folio_set_anon_vma_lazy(folio, anon_vma_tree_to_lazy(tree));
		return 0;
	case ANON_VMA_STATE_REGULAR:
	case ANON_VMA_STATE_PARENT:
		anon_vma = anon_vma_tree_to_anon_vma(tree);
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

/* With the root locked or referenced: the anon_vma it forwards to, if any. */
struct anon_vma *anon_vma_lazy_forward(struct anon_vma_lazy *root)
{
	/* Acquire: pairs with the release in anon_vma_lazy_upgrade(). */
	return smp_load_acquire(&root->upgraded);
}

/*
 * A reference on the anon_vma @root forwards to, or NULL if it is gone. The
 * anon_vma keeps the root alive, not the other way round, so a walker that
 * holds the root may find the forward freed and its memory already another
 * anon_vma (SLAB_TYPESAFE_BY_RCU): only the origin, cleared before the
 * memory is reused, tells that the one referenced is still ours.
 */
static struct anon_vma *anon_vma_lazy_forward_get(struct anon_vma_lazy *root)
{
	struct anon_vma *anon_vma;

	rcu_read_lock();
	anon_vma = anon_vma_lazy_forward(root);
	if (anon_vma && !atomic_inc_not_zero(&anon_vma->refcount))
		anon_vma = NULL;
	rcu_read_unlock();
	if (anon_vma && anon_vma_lazy_host_origin(anon_vma) != root) {
		put_anon_vma(anon_vma);
		anon_vma = NULL;
	}
	return anon_vma;
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
 * The lazy half of rmap_walk_anon(). Visits every VMA on the folio's root
 * that covers it, under the root lock taken shared (or held by the caller
 * when @locked). If the root was upgraded, visits nothing and returns the
 * anon_vma it forwards to for the caller to walk as a regular one: with a
 * reference to put_anon_vma() afterwards, or, when @locked, the one whose
 * lock the caller took on the handle anon_vma_settle_locked() gave it.
 * Returns ERR_PTR(-EAGAIN) if the folio is no longer lazy (an unlocked
 * folio may be moved to an anon_vma meanwhile): the caller starts again.
 */
struct anon_vma *rmap_walk_anon_lazy(struct folio *folio,
				     struct rmap_walk_control *rwc,
				     bool locked)
{
	unsigned long nr_pages = folio_nr_pages(folio);
	pgoff_t pgoff = folio_pgoff(folio);
	struct anon_vma *forward = NULL;
	struct anon_vma_lazy *root;
	struct vm_area_struct *vma;
	unsigned long mapping;

	if (locked) {
		root = folio_anon_vma_lazy(folio);
		forward = anon_vma_lazy_forward(root);
		if (forward) {
			lockdep_assert_held(&forward->root->rwsem);
			return forward;
		}
		goto walk;
	}
retry:
	root = anon_vma_lazy_walk_get(folio, rwc, &mapping);
	if (!root)
		return anon_mapping_is_lazy(mapping) ? NULL : ERR_PTR(-EAGAIN);
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
	if (anon_vma_lazy_forward(root)) {
		forward = anon_vma_lazy_forward_get(root);
		goto out;
	}
walk:
	/* The VMAs' list and ranges change only under this lock. */
	anon_vma_lazy_assert_locked(root);
	anon_vma_lazy_for_each_vma(root, vma) {
		unsigned long address = anon_vma_lazy_address(vma, pgoff,
							      nr_pages);

		if (address == -EFAULT)
			continue;
		cond_resched();
		if (rwc->invalid_vma && rwc->invalid_vma(vma, rwc->arg))
			continue;
		if (!rwc->rmap_one(folio, vma, address, rwc->arg))
			break;
		if (rwc->done && rwc->done(folio))
			break;
	}
	if (locked)
		return NULL;
out:
	anon_vma_lazy_unlock_read(root);
	anon_vma_lazy_put(root);
	return forward;
}

/*
 * The anon_vma lock helpers and get/put_anon_vma() come here when handed a
 * tagged value: a VMA's tree, or what folio_get_anon_vma() returned for a
 * lazy folio. A lazy root is locked and counted as itself; a PARENT tree
 * as the anon_vma it names (whose root lock covers every tree it is in).
 */
void anon_vma_tree_lock_write(anon_vma_tree_t tree)
{
	struct anon_vma_lazy *root = anon_vma_tree_to_lazy(tree);

	if (root)
		anon_vma_lazy_lock_write(root);
	else
		down_write(&anon_vma_tree_to_anon_vma(tree)->root->rwsem);
}

void anon_vma_tree_unlock_write(anon_vma_tree_t tree)
{
	struct anon_vma_lazy *root = anon_vma_tree_to_lazy(tree);

	if (root)
		anon_vma_lazy_unlock_write(root);
	else
		up_write(&anon_vma_tree_to_anon_vma(tree)->root->rwsem);
}

void anon_vma_tree_lock_read(anon_vma_tree_t tree)
{
	struct anon_vma_lazy *root = anon_vma_tree_to_lazy(tree);

	if (root)
		anon_vma_lazy_lock_read(root);
	else
		down_read(&anon_vma_tree_to_anon_vma(tree)->root->rwsem);
}

void anon_vma_tree_unlock_read(anon_vma_tree_t tree)
{
	struct anon_vma_lazy *root = anon_vma_tree_to_lazy(tree);

	if (root)
		anon_vma_lazy_unlock_read(root);
	else
		up_read(&anon_vma_tree_to_anon_vma(tree)->root->rwsem);
}

int anon_vma_tree_trylock_read(anon_vma_tree_t tree)
{
	struct anon_vma_lazy *root = anon_vma_tree_to_lazy(tree);

	if (root)
		return anon_vma_lazy_trylock_read(root);
	return down_read_trylock(&anon_vma_tree_to_anon_vma(tree)->root->rwsem);
}

int anon_vma_tree_trylock_write(anon_vma_tree_t tree)
{
	struct anon_vma_lazy *root = anon_vma_tree_to_lazy(tree);

	if (root)
		return down_write_trylock(anon_vma_lazy_lock(root));
	return down_write_trylock(&anon_vma_tree_to_anon_vma(tree)->root->rwsem);
}

void anon_vma_tree_get(anon_vma_tree_t tree)
{
	struct anon_vma_lazy *root = anon_vma_tree_to_lazy(tree);

	if (root)
		anon_vma_lazy_get(root);
	else
		get_anon_vma(anon_vma_tree_to_anon_vma(tree));
}

void anon_vma_tree_put(anon_vma_tree_t tree)
{
	struct anon_vma_lazy *root = anon_vma_tree_to_lazy(tree);

	if (root)
		anon_vma_lazy_put(root);
	else
		put_anon_vma(anon_vma_tree_to_anon_vma(tree));
}

/*
 * What folio_get_anon_vma() returns for a lazy folio: its root, tagged and
 * referenced, or the anon_vma the root forwards to; NULL if the folio is
 * no longer mapped; ERR_PTR(-EAGAIN) if it is no longer lazy, for the
 * caller to take the regular path.
 */
struct anon_vma *folio_get_anon_vma_tree(struct folio *folio)
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
	return (struct anon_vma *)anon_vma_tree_val(anon_vma_tree_lazy(root));
}

/*
 * @tree is a referenced root handle the caller has just locked for write.
 * If the root was upgraded before that, its VMAs are in the anon_vma now:
 * return that anon_vma locked for write and referenced instead, having
 * unlocked and put the root. No upgrade can happen while the root lock is
 * held, so once this returns the handle stays right until unlocked.
 */
struct anon_vma *anon_vma_tree_settle_locked(anon_vma_tree_t tree)
{
	struct anon_vma_lazy *root = anon_vma_tree_to_lazy(tree);
	struct anon_vma *forward;

	if (!root || !anon_vma_lazy_forward(root))
		return (struct anon_vma *)anon_vma_tree_val(tree);
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
bool folio_anon_vma_tree_matches(const struct folio *folio,
				 const struct vm_area_struct *vma)
{
	anon_vma_tree_t tree = vma_anon_vma_tree(vma);
	struct anon_vma_lazy *root = folio_anon_vma_lazy(folio);
	struct anon_vma *mine = anon_vma_tree_to_anon_vma(tree), *folios;
	unsigned long mapping;

	if (root && root == anon_vma_tree_to_lazy(tree))
		return true;
	if (!mine)
		return false;
	if (root)
		return anon_vma_lazy_host_origin(mine->root) == root;
	mapping = (unsigned long)READ_ONCE(folio->mapping);
	if ((mapping & PAGE_MAPPING_FLAGS) != PAGE_MAPPING_ANON)
		return false;
	folios = (struct anon_vma *)(mapping - PAGE_MAPPING_ANON);
	return folios->root == mine->root;
}

/*
 * With the handle @tree locked: would anon_vma_tree_settle_locked() hand
 * over to the anon_vma its root was upgraded to, and sleep on its lock?
 */
bool anon_vma_tree_forwarded(anon_vma_tree_t tree)
{
	struct anon_vma_lazy *root = anon_vma_tree_to_lazy(tree);

	return root && anon_vma_lazy_forward(root);
}

/*
 * mm_take_all_locks() excludes every rmap walker of the mm: it takes each
 * lazy root's lock once, nested under mmap_lock. mm_all_locks_mutex is held
 * from take to drop, so one bitmap of taken locks serves.
 */
static DECLARE_BITMAP(anon_vma_lazy_all_locked, 1 << ANON_VMA_LAZY_LOCK_BITS);

void anon_vma_lazy_lock_all(struct anon_vma_lazy *root, struct mm_struct *mm)
{
	unsigned int bucket = hash_ptr(root, ANON_VMA_LAZY_LOCK_BITS);

	if (!__test_and_set_bit(bucket, anon_vma_lazy_all_locked))
		down_write_nest_lock(&anon_vma_lazy_locks[bucket], &mm->mmap_lock);
}

void anon_vma_lazy_unlock_all(struct anon_vma_lazy *root)
{
	unsigned int bucket = hash_ptr(root, ANON_VMA_LAZY_LOCK_BITS);

	if (__test_and_clear_bit(bucket, anon_vma_lazy_all_locked))
		up_write(&anon_vma_lazy_locks[bucket]);
}
