// SPDX-License-Identifier: GPL-2.0
/*
 * Interleavings an SMP kernel allows and a single CPU hardly shows, each
 * replayed here one step at a time: the regression tests of the x86_64
 * SMP review (docs/design.md, "Found by running it").
 */
#include "lt.h"

/* A lazy VMA of @mm split in two, both on one root. */
static struct anon_vma_lazy *lt_two(struct lt *t, struct mm_struct *mm,
				    struct vm_area_struct **v)
{
	struct anon_vma_lazy *root;

	v[0] = lt_vma(t, mm, LT_PAGE(600), LT_PAGE(610));
	root = lt_fault(t, v[0]);
	v[1] = lt_split(t, v[0], LT_PAGE(605));
	return root;
}

/* ksmd's upgrade: it holds mmap_lock for read, as munmap() may too. */
static void lt_ksm_upgrade(struct lt *t, struct mm_struct *mm,
			   struct anon_vma_lazy *root)
{
	mmap_read_lock(mm);
	LT_EQ(t, anon_vma_lazy_upgrade(root, mm, ANON_VMA_LAZY_UPGRADE_KSM), 0);
	mmap_read_unlock(mm);
}

/*
 * munmap() unlinks after mmap_write_downgrade(): it read @v[1]'s root, and
 * ksmd upgraded the root before munmap had its lock. The unlink must see
 * a regular VMA then and leave it to the regular unlink of its chain.
 */
LT_CASE(unlink_of_vma_upgraded_meanwhile_leaves_it_to_its_chain)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *v[2];
	struct anon_vma_lazy *root = lt_two(t, mm, v);
	struct anon_vma *anon_vma;

	lt_ksm_upgrade(t, mm, root);
	anon_vma = vma_regular_anon_vma(v[1]);
	LT_NOT_NULL(t, anon_vma);
	mmap_read_lock(mm);
	LT_FALSE(t, __anon_vma_lazy_unlink(v[1], root));
	mmap_read_unlock(mm);
	LT_PTR_EQ(t, vma_regular_anon_vma(v[1]), anon_vma);
	LT_EQ(t, root->nr_vmas, 0);
	LT_EQ(t, refcount_read(&root->refcount), 1);
	LT_EQ(t, anon_vma->num_active_vmas, 2);
	lt_vma_drop(t, v[1]);
	LT_EQ(t, anon_vma->num_active_vmas, 1);
}

/* The same race, one step earlier: the tree is read again, no WARN. */
LT_CASE(unlink_of_vma_no_longer_lazy_is_refused_quietly)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *v[2];
	struct anon_vma_lazy *root = lt_two(t, mm, v);

	lt_ksm_upgrade(t, mm, root);
	LT_FALSE(t, anon_vma_lazy_unlink(v[1]));
	LT_EQ(t, lt_warns(t), 0);
}

/*
 * THP split: folio_get_anon_vma() of a folio whose root was upgraded is
 * the anon_vma, which split locks; the locked walk (try_to_migrate(),
 * remove_migration_ptes()) must walk that anon_vma, not give up.
 */
LT_CASE(locked_walk_of_upgraded_root_walks_the_anon_vma)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *v[2];
	struct anon_vma_lazy *root = lt_two(t, mm, v);
	struct folio *folio = lt_folio(t, 0);
	struct lt_visits visits = {};
	struct anon_vma *handle;

	lt_map(t, folio, v[0], LT_PAGE(603));
	lt_ksm_upgrade(t, mm, root);
	folio_lock(folio);
	handle = folio_get_anon_vma(folio);
	LT_PTR_EQ(t, handle, anon_vma_lazy_forward(root));
	anon_vma_lock_write(handle);
	handle = anon_vma_settle_locked(handle);
	lt_walk_locked_rmap(folio, &visits);
	anon_vma_unlock_write(handle);
	put_anon_vma(handle);
	folio_unlock(folio);
	LT_EQ(t, visits.nr, 1);
	LT_PTR_EQ(t, visits.vma[0], v[0]);
	LT_EQ(t, visits.address[0], LT_PAGE(603));
	lt_unmap(folio);
}

/* The handle was taken before the upgrade: settled, then the same walk. */
LT_CASE(locked_walk_after_settling_on_an_upgrade_walks_the_anon_vma)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *v[2];
	struct anon_vma_lazy *root = lt_two(t, mm, v);
	struct folio *folio = lt_folio(t, 0);
	struct lt_visits visits = {};
	struct anon_vma *handle;

	lt_map(t, folio, v[1], LT_PAGE(607));
	folio_lock(folio);
	handle = folio_get_anon_vma(folio);
	LT_TRUE(t, anon_vma_is_tagged(handle));
	lt_ksm_upgrade(t, mm, root);
	anon_vma_lock_write(handle);
	handle = anon_vma_settle_locked(handle);
	LT_PTR_EQ(t, handle, anon_vma_lazy_forward(root));
	lt_walk_locked_rmap(folio, &visits);
	anon_vma_unlock_write(handle);
	put_anon_vma(handle);
	folio_unlock(folio);
	LT_EQ(t, visits.nr, 1);
	LT_PTR_EQ(t, visits.vma[0], v[1]);
	LT_EQ(t, visits.address[0], LT_PAGE(607));
	lt_unmap(folio);
}

/*
 * A walker holds the root (migration's handle) while the anon_vma it was
 * upgraded to is freed: the forward is forgotten before that memory can
 * be reused, so no walker reads it after the free.
 */
LT_CASE(forward_of_a_freed_anon_vma_is_forgotten)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *vma = lt_vma(t, mm, LT_PAGE(600), LT_PAGE(610));
	struct anon_vma_lazy *root = lt_fault(t, vma);
	struct folio *folio = lt_folio(t, 0);
	struct anon_vma_lazy *held;
	bool visited = false;
	struct rmap_walk_control rwc = {
		.arg = &visited,
		.rmap_one = lt_must_not_visit,
	};

	lt_map(t, folio, vma, LT_PAGE(601));
	lt_ksm_upgrade(t, mm, root);
	anon_vma_lazy_get(root);
	lt_unmap(folio);
	lt_vma_drop(t, vma);
	lt_rcu_barrier(t);
	LT_NULL(t, anon_vma_lazy_forward(root));
	LT_NULL(t, rmap_walk_anon_lazy(folio, &rwc, false, &held));
	LT_NULL(t, held);
	LT_FALSE(t, visited);
	LT_EQ(t, refcount_read(&root->refcount), 1);
	anon_vma_lazy_put(root);
	WRITE_ONCE(folio->mapping, NULL);
}

/*
 * fork rewrites a folio's mapping only if it can have the folio lock at
 * once: a walker holding it (try_to_unmap(), migration, split) sees one
 * mapping from start to end.
 */
LT_CASE(fork_leaves_a_locked_folio_naming_the_root)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *vma = lt_vma(t, mm, LT_PAGE(600), LT_PAGE(610));
	struct vm_area_struct *child = lt_vma_dup(t, vma, lt_mm(t));
	struct anon_vma_lazy *root = lt_fault(t, vma);
	struct folio *folio = lt_folio(t, 0);
	struct lt_visits visits = {};

	lt_map(t, folio, vma, LT_PAGE(604));
	folio_lock(folio);
	mmap_write_lock(mm);
	LT_EQ(t, anon_vma_lazy_fork(child, vma), 0);
	atomic_inc(&folio->_mapcount);
	folio_anon_vma_lazy_rewrite_forked(folio);
	mmap_write_unlock(mm);
	LT_PTR_EQ(t, folio_anon_vma_lazy(folio), root);
	lt_walk_held(folio, &visits);
	LT_EQ(t, visits.nr, 2);
	folio_unlock(folio);
	folio_anon_vma_lazy_rewrite_forked(folio);
	LT_NULL(t, folio_anon_vma_lazy(folio));
	LT_EQ(t, (unsigned long)folio->mapping,
	      (unsigned long)anon_vma_lazy_forward(root) | PAGE_MAPPING_ANON);
	lt_unmap(folio);
}

LT_CASE(rewrite_without_the_folio_lock_is_caught)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *vma = lt_vma(t, mm, LT_PAGE(600), LT_PAGE(610));
	struct anon_vma_lazy *root = lt_fault(t, vma);
	struct folio *folio = lt_folio(t, 0);

	LT_REQUIRE(t, LT_CAP_COUNT_WARN);
	lt_map(t, folio, vma, LT_PAGE(604));
	lt_ksm_upgrade(t, mm, root);
	folio_anon_vma_lazy_rewrite(folio);
	LT_EQ(t, lt_warns(t), 1);
	lt_expect_warns(t, 1);
	lt_unmap(folio);
}

/*
 * A folio found lazy and then rewritten (by a fork that had its lock
 * before us): folio_get_anon_vma() takes the regular path then, and
 * returns the anon_vma, never NULL for a mapped folio.
 */
LT_CASE(folio_get_anon_vma_of_a_rewritten_folio_takes_the_regular_path)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *vma = lt_vma(t, mm, LT_PAGE(600), LT_PAGE(610));
	struct anon_vma_lazy *root = lt_fault(t, vma);
	struct folio *folio = lt_folio(t, 0);
	struct anon_vma *anon_vma;

	lt_map(t, folio, vma, LT_PAGE(604));
	lt_ksm_upgrade(t, mm, root);
	folio_anon_vma_lazy_rewrite_forked(folio);
	LT_PTR_EQ(t, folio_get_anon_vma_handle(folio), ERR_PTR(-EAGAIN));
	anon_vma = folio_get_anon_vma(folio);
	LT_PTR_EQ(t, anon_vma, anon_vma_lazy_forward(root));
	put_anon_vma(anon_vma);
	lt_unmap(folio);
}

/* Reclaim's trylock holds for the anon_vma a root forwards to, too. */
LT_CASE(forwarded_walk_with_trylock_reports_contention)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *vma = lt_vma(t, mm, LT_PAGE(600), LT_PAGE(610));
	struct anon_vma_lazy *root = lt_fault(t, vma);
	struct folio *folio = lt_folio(t, 0);
	struct lt_visits visits = {};
	struct anon_vma *anon_vma;
	bool contended = false;

	lt_map(t, folio, vma, LT_PAGE(604));
	lt_ksm_upgrade(t, mm, root);
	anon_vma = anon_vma_lazy_forward(root);
	anon_vma_lock_write(anon_vma);
	lt_walk(folio, &visits, true, &contended);
	anon_vma_unlock_write(anon_vma);
	LT_TRUE(t, contended);
	LT_EQ(t, visits.nr, 0);
	lt_walk(folio, &visits, true, &contended);
	LT_FALSE(t, contended);
	LT_EQ(t, visits.nr, 1);
	lt_unmap(folio);
}

struct lt_idle_walk {
	struct folio *folio;
	struct lt_visits visits;
	bool done;
};

static void lt_idle_walk(void *arg)
{
	struct lt_idle_walk *walk = arg;

	lt_walk_unlocked(walk->folio, &walk->visits);
	/* Release: whoever sees it done sees its visits. */
	smp_store_release(&walk->done, true);
}

/*
 * page_idle walks @folio without its lock while we hold it and, for write,
 * @anon_vma's lock, as UFFDIO_MOVE does (move_pages_pte()); once the
 * walker waits for the lock, move the folio to @address in @dst. The walk
 * is in @walk.
 */
static void lt_move_under_waiting_walker(struct lt *t, struct lt_idle_walk *walk,
					 struct anon_vma *anon_vma,
					 struct vm_area_struct *dst,
					 unsigned long address)
{
	struct lt_thread *walker;

	folio_lock(walk->folio);
	anon_vma_lock_write(anon_vma);
	walker = lt_thread_start(t, lt_idle_walk, walk);
	/* A walker that never waits fails its case rather than hanging here. */
	while (!rwsem_is_contended(&anon_vma->root->rwsem) &&
	       /* Acquire: pairs with the walker's release of done. */
	       !smp_load_acquire(&walk->done))
		lt_yield(t);
	folio_move_anon_rmap(walk->folio, dst);
	walk->folio->index = linear_page_index(dst, address);
	anon_vma_unlock_write(anon_vma);
	folio_unlock(walk->folio);
	lt_thread_join(t, walker);
}

/*
 * A folio of a VMA whose root was upgraded moves to a VMA on a lazy root of
 * its own while a walker waits for the anon_vma. Named by the forwarded
 * root (@lazy), the walker waited for the anon_vma the root forwards to:
 * it must look at the mapping again and find the folio where it went, not
 * walk the tree it left (which no longer covers its index). Named by the
 * anon_vma, folio_lock_anon_vma_read() waited, then gives up on the folio
 * as no longer anon_vma-mapped, and the walk must carry on along the lazy
 * path.
 */
static void lt_walker_follows_move_to_lazy_root(struct lt *t, bool lazy)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *src = lt_vma(t, mm, LT_PAGE(600), LT_PAGE(610));
	struct vm_area_struct *dst = lt_vma(t, mm, LT_PAGE(700), LT_PAGE(710));
	struct anon_vma_lazy *root = lt_fault(t, src);
	struct lt_idle_walk walk = { .folio = lt_folio(t, 0) };

	if (lazy)
		lt_map(t, walk.folio, src, LT_PAGE(604));
	lt_ksm_upgrade(t, mm, root);
	if (!lazy)
		lt_map(t, walk.folio, src, LT_PAGE(604));
	LT_EQ(t, folio_test_anon_vma_lazy(walk.folio), lazy);
	LT_NOT_NULL(t, lt_fault(t, dst));
	lt_move_under_waiting_walker(t, &walk, anon_vma_lazy_forward(root),
				     dst, LT_PAGE(704));
	LT_EQ(t, walk.visits.nr, 1);
	LT_PTR_EQ(t, walk.visits.vma[0], dst);
	LT_EQ(t, walk.visits.address[0], LT_PAGE(704));
	lt_unmap(walk.folio);
}

LT_CASE(forwarded_walk_that_waited_follows_a_uffd_move)
{
	lt_walker_follows_move_to_lazy_root(t, true);
}

/*
 * A folio named by the forwarded root moves within its VMA, which names
 * the anon_vma now: the second try walks a regular folio, and puts no
 * reference it did not take (the anon_vma would be freed under its VMA).
 */
LT_CASE(forwarded_walk_that_waited_follows_a_uffd_move_to_an_anon_vma)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *vma = lt_vma(t, mm, LT_PAGE(600), LT_PAGE(610));
	struct anon_vma_lazy *root = lt_fault(t, vma);
	struct lt_idle_walk walk = { .folio = lt_folio(t, 0) };
	struct anon_vma *anon_vma;

	lt_map(t, walk.folio, vma, LT_PAGE(604));
	lt_ksm_upgrade(t, mm, root);
	anon_vma = anon_vma_lazy_forward(root);
	LT_EQ(t, atomic_read(&anon_vma->refcount), 1);
	lt_move_under_waiting_walker(t, &walk, anon_vma, vma, LT_PAGE(608));
	LT_EQ(t, walk.visits.nr, 1);
	LT_PTR_EQ(t, walk.visits.vma[0], vma);
	LT_EQ(t, walk.visits.address[0], LT_PAGE(608));
	LT_EQ(t, atomic_read(&anon_vma->refcount), 1);
	lt_unmap(walk.folio);
}

LT_CASE(regular_walk_that_waited_follows_a_uffd_move_to_a_lazy_root)
{
	lt_walker_follows_move_to_lazy_root(t, false);
}

/* folio_referenced() and page_idle skip a folio no longer mapped. */
LT_CASE(walk_for_referenced_skips_an_unmapped_folio)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(600), LT_PAGE(610));
	struct anon_vma_lazy *root = lt_fault(t, vma);
	struct folio *folio = lt_folio(t, 0);
	struct anon_vma_lazy *held;
	bool visited = false;
	struct rmap_walk_control rwc = {
		.arg = &visited,
		.rmap_one = lt_must_not_visit,
		.anon_lock = folio_lock_anon_vma_read,
	};

	lt_map(t, folio, vma, LT_PAGE(604));
	lt_unmap(folio);
	LT_NULL(t, rmap_walk_anon_lazy(folio, &rwc, false, &held));
	LT_NULL(t, held);
	LT_FALSE(t, visited);
	LT_EQ(t, refcount_read(&root->refcount), 1);
}

/*
 * mm_take_all_locks() (KVM, mmu notifiers) over VMAs that alternate
 * between lazy and regular, after an upgrade has taught lockdep that a
 * root lock comes before anon_vma->rwsem: the root locks are taken in a
 * pass of their own first, so lockdep sees that one order, and counts a
 * run of locks of one class as a single held lock (MAX_LOCK_DEPTH is 48).
 */
#define LT_ALL_LOCKS_VMAS	40

LT_CASE(take_all_locks_over_alternating_vmas_keeps_one_lock_order)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *vma[LT_ALL_LOCKS_VMAS], *shared;
	unsigned int i;

	LT_REQUIRE(t, LT_CAP_MM_TREE);
	for (i = 0; i < LT_ALL_LOCKS_VMAS; i++) {
		/* Apart, so that no VMA takes its neighbour's tree. */
		vma[i] = lt_vma(t, mm, LT_PAGE(1000 + 4 * i),
				LT_PAGE(1002 + 4 * i));
		lt_vma_insert(t, vma[i]);
	}
	for (i = 0; i < LT_ALL_LOCKS_VMAS; i++) {
		WRITE_ONCE(sysctl_anon_vma_lazy, i & 1);
		mmap_read_lock(mm);
		LT_EQ(t, anon_vma_prepare(vma[i]), 0);
		mmap_read_unlock(mm);
		LT_EQ(t, vma_anon_vma_is_lazy(vma[i]), i & 1);
	}
	WRITE_ONCE(sysctl_anon_vma_lazy, 1);
	shared = lt_vma(t, mm, LT_PAGE(900), LT_PAGE(902));
	lt_vma_insert(t, shared);
	lt_ksm_upgrade(t, mm, lt_fault(t, shared));
	LT_TRUE(t, lt_take_all_locks(t, mm));
}

/*
 * A fault that runs while an upgrade links VMAs (both may hold mmap_lock
 * for read): the VMA names the new anon_vma before the root names its
 * forward. A folio still naming the root matches the VMA all along, or the
 * fault would copy it (ksm_might_need_to_copy()) or WARN.
 */
LT_CASE(folio_of_root_matches_its_vma_before_the_forward_is_published)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *v[2];
	struct anon_vma_lazy *root = lt_two(t, mm, v);
	struct folio *folio = lt_folio(t, 0);
	struct anon_vma *forward;

	lt_map(t, folio, v[1], LT_PAGE(606));
	lt_ksm_upgrade(t, mm, root);
	forward = anon_vma_lazy_forward(root);
	LT_NOT_NULL(t, forward);
	/* The window, replayed: linked, forward not published yet. */
	WRITE_ONCE(root->upgraded, NULL);
	LT_TRUE(t, folio_anon_vma_handle_matches(folio, v[1]));
	LT_TRUE(t, folio_anon_vma_handle_matches(folio, v[0]));
	WRITE_ONCE(root->upgraded, forward);
	lt_unmap(folio);
}
