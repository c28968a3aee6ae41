// SPDX-License-Identifier: GPL-2.0
/*
 * ANON_VMA_LAZY core: lazy roots, their lock, their life, and the knobs.
 * The VMAs on a root are in anon_vma_lazy_vma.c, the walk in
 * anon_vma_lazy_walk.c, the tagged handle's operations in anon_vma_handle.c,
 * sharing in anon_vma_lazy_upgrade.c and anon_vma_lazy_parent.c.
 *
 * This file is built unchanged in two hosts: in mm/ of a kernel tree and in
 * userspace over seam/user. It includes only the seam and its own headers;
 * what it needs of the anon_vma machinery it calls in mm/anon_vma.c.
 * A kernel builds it whenever it has an MMU: without CONFIG_ANON_VMA_LAZY
 * it never makes lazy state, and the paths it shares with the mainline
 * anon_vma code only ever see regular trees.
 */
#include "anon_vma_lazy_internal.h"
#include "anon_vma_lazy.h"

int sysctl_anon_vma_lazy __read_mostly = 1;
unsigned long sysctl_anon_vma_lazy_max_pages __read_mostly;
int sysctl_anon_vma_lazy_family_max __read_mostly = ANON_VMA_LAZY_FAMILY_MAX;
static int anon_vma_lazy_family_limit = ANON_VMA_LAZY_FAMILY_LIMIT;

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

int anon_vma_lazy_trylock_write(struct anon_vma_lazy *root)
{
	return down_write_trylock(anon_vma_lazy_lock(root));
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
	{
		.procname	= "anon_vma_lazy_family_max",
		.data		= &sysctl_anon_vma_lazy_family_max,
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= &anon_vma_lazy_family_limit,
	},
};

const unsigned int anon_vma_lazy_nr_sysctls = ARRAY_SIZE(anon_vma_lazy_sysctls);

#ifdef CONFIG_ANON_VMA_LAZY
/* Also read by the KUnit test, to find the counters of /proc/vmstat. */
const enum vm_event_item anon_vma_lazy_vm_event[NR_ANON_VMA_LAZY_EVENTS] = {
	[ANON_VMA_LAZY_ROOT_ALLOC]	= ANON_LAZY_ROOT_ALLOC,
	[ANON_VMA_LAZY_ROOT_REUSE]	= ANON_LAZY_ROOT_REUSE,
	[ANON_VMA_LAZY_UPGRADE_FORK]	= ANON_LAZY_UPGRADE_FORK,
	[ANON_VMA_LAZY_UPGRADE_KSM]	= ANON_LAZY_UPGRADE_KSM,
	[ANON_VMA_LAZY_PARENT_FORK]	= ANON_LAZY_PARENT_FORK,
	[ANON_VMA_LAZY_PARENT_ADOPT]	= ANON_LAZY_PARENT_ADOPT,
	[ANON_VMA_LAZY_FAMILY_JOIN]	= ANON_LAZY_FAMILY_JOIN,
};
#endif

void anon_vma_lazy_count(enum anon_vma_lazy_event event)
{
#ifdef CONFIG_ANON_VMA_LAZY
	count_vm_event(anon_vma_lazy_vm_event[event]);
#endif
}

int __init anon_vma_lazy_sysctl_init(void)
{
	if (IS_ENABLED(CONFIG_ANON_VMA_LAZY))
		register_sysctl_init("vm", anon_vma_lazy_sysctls);
	return 0;
}
subsys_initcall(anon_vma_lazy_sysctl_init);

int __init anon_vma_lazy_init(void)
{
	struct kmem_cache_args args = {
		.align = __alignof__(struct anon_vma_lazy),
		.freeptr_offset = offsetof(struct anon_vma_lazy, freeptr),
		.use_freeptr_offset = true,
	};
	unsigned int i;

	/* The low three bits of folio->mapping carry the lazy encoding. */
	BUILD_BUG_ON(__alignof__(struct anon_vma_lazy) < 8);
	/* Without the option, no lazy state is ever made: no cache either. */
	if (!IS_ENABLED(CONFIG_ANON_VMA_LAZY))
		return 0;
	/*
	 * Typesafe, as anon_vma: a folio may name a root long after the root
	 * went, and a walker must be able to find that out from its refcount.
	 * The free pointer goes where the VMA list was, so that a root stays
	 * 32 bytes.
	 */
	anon_vma_lazy_cachep = kmem_cache_create("anon_vma_lazy",
						 sizeof(struct anon_vma_lazy),
						 &args, SLAB_TYPESAFE_BY_RCU |
						 SLAB_PANIC | SLAB_ACCOUNT);
	if (!anon_vma_lazy_cachep)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(anon_vma_lazy_locks); i++)
		init_rwsem(&anon_vma_lazy_locks[i]);
	return 0;
}

/*
 * Which VMAs a first anonymous fault gives a lazy root, as the policy
 * admits. Private file mappings are in: the folios their write faults copy
 * are anonymous, named and indexed from vm_pgoff like those of anonymous
 * VMAs, so the walk finds them the same way; and the writable data of
 * ld.so, libc and every program, copied on write as each process starts,
 * is most of what a fork+exec workload allocates anon_vmas for. hugetlb
 * is out: its private copies take hugetlb's own rmap helpers, which this
 * does not teach tagged handles. Everything else takes the mainline path.
 */
bool anon_vma_lazy_eligible(struct vm_area_struct *vma)
{
	unsigned long max_pages = READ_ONCE(sysctl_anon_vma_lazy_max_pages);

	if (!IS_ENABLED(CONFIG_ANON_VMA_LAZY) || !READ_ONCE(sysctl_anon_vma_lazy))
		return false;
	if ((vma->vm_flags & VM_SHARED) || is_vm_hugetlb_page(vma))
		return false;
	return !max_pages || vma_pages(vma) <= max_pages;
}

struct anon_vma_lazy *anon_vma_lazy_alloc(void)
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
bool anon_vma_lazy_tryget(struct anon_vma_lazy *root)
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
struct anon_vma *anon_vma_lazy_forward_get(struct anon_vma_lazy *root)
{
	struct anon_vma *anon_vma;

	rcu_read_lock();
	anon_vma = anon_vma_lazy_forward(root);
	if (anon_vma && !atomic_inc_not_zero(&anon_vma->refcount))
		anon_vma = NULL;
	rcu_read_unlock();
	if (anon_vma && anon_vma_lazy_origin(anon_vma) != root) {
		put_anon_vma(anon_vma);
		anon_vma = NULL;
	}
	return anon_vma;
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
