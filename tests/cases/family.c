// SPDX-License-Identifier: GPL-2.0
/*
 * Fork families: a forked child's VMA joins its parent's lazy root, and an
 * mm whose VMAs must leave the root moves only its own.
 */
#include "lt.h"

/* dup_mmap(): vm_area_dup() copies the handle, then anon_vma_fork(). */
static struct vm_area_struct *lt_fork_into(struct lt *t,
					   struct vm_area_struct *pvma,
					   struct mm_struct *mm)
{
	struct vm_area_struct *vma = lt_vma_dup(t, pvma, mm);

	mmap_write_lock(pvma->vm_mm);
	LT_EQ(t, anon_vma_fork(vma, pvma), 0);
	mmap_write_unlock(pvma->vm_mm);
	return vma;
}

/* ksmd's upgrade, under the mm's mmap_lock held for read. */
static int lt_leave(struct vm_area_struct *vma)
{
	int err;

	mmap_read_lock(vma->vm_mm);
	err = anon_vma_lazy_upgrade_vma(vma, ANON_VMA_LAZY_UPGRADE_KSM);
	mmap_read_unlock(vma->vm_mm);
	return err;
}

static bool lt_visited(const struct lt_visits *visits,
		       const struct vm_area_struct *vma, unsigned long address)
{
	unsigned int i;

	for (i = 0; i < visits->nr; i++)
		if (visits->vma[i] == vma && visits->address[i] == address)
			return true;
	return false;
}

/* A parent VMA at pages 700-710 with a folio at 702, and a forked child. */
struct lt_family {
	struct vm_area_struct *parent, *child;
	struct anon_vma_lazy *root;
	struct folio *folio;
};

static void lt_family(struct lt *t, struct lt_family *f)
{
	f->parent = lt_vma(t, lt_mm(t), LT_PAGE(700), LT_PAGE(710));
	f->root = lt_fault(t, f->parent);
	f->folio = lt_folio(t, 0);
	lt_map(t, f->folio, f->parent, LT_PAGE(702));
	f->child = lt_fork_into(t, f->parent, lt_mm(t));
	atomic_inc(&f->folio->_mapcount);	/* copy_present_pte() */
	folio_anon_vma_lazy_rewrite_forked(f->folio);
}

LT_CASE(fork_joins_the_child_to_its_parents_root)
{
	unsigned long joins = lt_event(t, ANON_VMA_LAZY_FAMILY_JOIN);
	unsigned long upgrades = lt_event(t, ANON_VMA_LAZY_UPGRADE_FORK);
	struct lt_family f;

	lt_family(t, &f);
	LT_PTR_EQ(t, anon_vma_handle_to_lazy(vma_anon_vma_handle(f.child)), f.root);
	LT_EQ(t, f.root->nr_vmas, 2);
	LT_EQ(t, refcount_read(&f.root->refcount), 2);
	LT_NULL(t, anon_vma_lazy_forward(f.root));
	/* Nothing to rewrite: the folio still names the root. */
	LT_TRUE(t, folio_test_anon_vma_lazy(f.folio));
	LT_EQ(t, lt_event(t, ANON_VMA_LAZY_FAMILY_JOIN), joins + 1);
	LT_EQ(t, lt_event(t, ANON_VMA_LAZY_UPGRADE_FORK), upgrades);
	if (lt_can(t, LT_CAP_COUNT_SLAB)) {
		LT_EQ(t, lt_live(t, "anon_vma"), 0);
		LT_EQ(t, lt_live(t, "anon_vma_chain"), 0);
	}
	lt_unmap(f.folio);
}

LT_CASE(walk_of_a_family_folio_finds_parent_and_child)
{
	struct lt_visits visits = {};
	struct lt_family f;

	lt_family(t, &f);
	lt_walk(f.folio, &visits, false, NULL);
	LT_EQ(t, visits.nr, 2);
	LT_TRUE(t, lt_visited(&visits, f.parent, LT_PAGE(702)));
	LT_TRUE(t, lt_visited(&visits, f.child, LT_PAGE(702)));
	lt_unmap(f.folio);
}

/* A child's COW copy in a joined VMA is named by the family root too. */
LT_CASE(walk_of_a_childs_own_folio_finds_it_in_the_child)
{
	struct folio *copy = lt_folio(t, 0);
	struct lt_visits visits = {};
	struct lt_family f;

	lt_family(t, &f);
	lt_map(t, copy, f.child, LT_PAGE(703));
	LT_PTR_EQ(t, folio_anon_vma_lazy(copy), f.root);
	lt_walk(copy, &visits, false, NULL);
	LT_TRUE(t, lt_visited(&visits, f.child, LT_PAGE(703)));
	/* The parent covers the index too and is visited for nothing. */
	LT_EQ(t, visits.nr, 2);
	lt_unmap(copy);
	lt_unmap(f.folio);
}

/*
 * mm/vma.c grows no forked child's VMA over a new range, as mainline
 * (whose forked VMA has two chains): the child's joined VMA says so, the
 * parent's, and a split piece of either, not.
 */
LT_CASE(joined_vma_is_told_from_its_parents)
{
	struct vm_area_struct *piece;
	struct lt_family f;

	lt_family(t, &f);
	LT_FALSE(t, anon_vma_lazy_joined(f.parent));
	LT_TRUE(t, anon_vma_lazy_joined(f.child));
	piece = lt_split(t, f.parent, LT_PAGE(708));
	LT_FALSE(t, anon_vma_lazy_joined(piece));
	piece = lt_split(t, f.child, LT_PAGE(706));
	LT_TRUE(t, anon_vma_lazy_joined(piece));
	piece = lt_vma(t, lt_mm(t), LT_PAGE(800), LT_PAGE(810));
	LT_FALSE(t, anon_vma_lazy_joined(piece));
	lt_unmap(f.folio);
}

LT_CASE(child_exit_leaves_the_root_as_it_found_it)
{
	struct lt_family f;

	lt_family(t, &f);
	atomic_dec(&f.folio->_mapcount);	/* zap_pte_range() */
	lt_vma_drop(t, f.child);
	LT_EQ(t, f.root->nr_vmas, 1);
	LT_EQ(t, refcount_read(&f.root->refcount), 1);
	LT_NULL(t, anon_vma_lazy_forward(f.root));
	LT_PTR_EQ(t, anon_vma_handle_to_lazy(vma_anon_vma_handle(f.parent)), f.root);
	if (lt_can(t, LT_CAP_COUNT_SLAB))
		LT_EQ(t, lt_live(t, "anon_vma"), 0);
	lt_unmap(f.folio);
}

LT_CASE(grandchild_joins_the_family)
{
	struct vm_area_struct *grandchild;
	struct lt_visits visits = {};
	struct lt_family f;

	lt_family(t, &f);
	grandchild = lt_fork_into(t, f.child, lt_mm(t));
	atomic_inc(&f.folio->_mapcount);
	LT_PTR_EQ(t, anon_vma_handle_to_lazy(vma_anon_vma_handle(grandchild)), f.root);
	LT_EQ(t, f.root->nr_vmas, 3);
	lt_walk(f.folio, &visits, false, NULL);
	LT_EQ(t, visits.nr, 3);
	LT_TRUE(t, lt_visited(&visits, grandchild, LT_PAGE(702)));
	lt_unmap(f.folio);
}

LT_CASE(fork_with_the_family_cap_at_zero_upgrades_as_before)
{
	struct lt_family f;

	LT_EQ(t, lt_sysctl_write(t, "anon_vma_lazy_family_max", "0"), 0);
	lt_family(t, &f);
	LT_NOT_NULL(t, vma_regular_anon_vma(f.parent));
	LT_TRUE(t, vma_anon_vma_is_parent(f.child));
	LT_EQ(t, f.root->nr_vmas, 0);
	/* The parent's folio was rewritten: the root lists no VMA. */
	LT_FALSE(t, folio_test_anon_vma_lazy(f.folio));
	lt_unmap(f.folio);
}

LT_CASE(fork_with_the_switch_off_does_not_join)
{
	struct lt_family f;

	LT_EQ(t, lt_sysctl_write(t, "anon_vma_lazy", "0"), 0);
	lt_family(t, &f);
	LT_NOT_NULL(t, vma_regular_anon_vma(f.parent));
	LT_NOT_NULL(t, anon_vma_handle_to_regular(vma_anon_vma_handle(f.child)));
	lt_unmap(f.folio);
}

LT_CASE(sysctl_family_max_takes_0_to_1024)
{
	LT_EQ(t, sysctl_anon_vma_lazy_family_max, ANON_VMA_LAZY_FAMILY_MAX);
	LT_EQ(t, lt_sysctl_write(t, "anon_vma_lazy_family_max", "1024"), 0);
	LT_EQ(t, sysctl_anon_vma_lazy_family_max, 1024);
	LT_EQ(t, lt_sysctl_write(t, "anon_vma_lazy_family_max", "1025"), -EINVAL);
	LT_EQ(t, lt_sysctl_write(t, "anon_vma_lazy_family_max", "-1"), -EINVAL);
	LT_EQ(t, sysctl_anon_vma_lazy_family_max, 1024);
	LT_EQ(t, lt_sysctl_write(t, "anon_vma_lazy_family_max", "0"), 0);
	LT_EQ(t, sysctl_anon_vma_lazy_family_max, 0);
}

/*
 * Past the cap, the forking mm's VMAs move to an anon_vma and its child is
 * PARENT there; the VMAs of the children that joined stay listed, and the
 * walk covers both.
 */
LT_CASE(fork_past_the_family_cap_moves_only_the_forking_mm)
{
	struct vm_area_struct *second;
	struct lt_visits visits = {};
	struct anon_vma *anon_vma;
	struct lt_family f;

	LT_EQ(t, lt_sysctl_write(t, "anon_vma_lazy_family_max", "2"), 0);
	lt_family(t, &f);
	second = lt_fork_into(t, f.parent, lt_mm(t));
	atomic_inc(&f.folio->_mapcount);
	folio_anon_vma_lazy_rewrite_forked(f.folio);
	anon_vma = vma_regular_anon_vma(f.parent);
	LT_NOT_NULL(t, anon_vma);
	LT_PTR_EQ(t, anon_vma_handle_to_parent(vma_anon_vma_handle(second)), anon_vma);
	LT_PTR_EQ(t, anon_vma_handle_to_lazy(vma_anon_vma_handle(f.child)), f.root);
	LT_PTR_EQ(t, anon_vma_lazy_forward(f.root), anon_vma);
	LT_EQ(t, f.root->nr_vmas, 1);
	/* The child still maps the folio through the root: not rewritten. */
	LT_PTR_EQ(t, folio_anon_vma_lazy(f.folio), f.root);
	lt_walk(f.folio, &visits, false, NULL);
	LT_EQ(t, visits.nr, 3);
	LT_TRUE(t, lt_visited(&visits, f.parent, LT_PAGE(702)));
	LT_TRUE(t, lt_visited(&visits, f.child, LT_PAGE(702)));
	LT_TRUE(t, lt_visited(&visits, second, LT_PAGE(702)));
	lt_unmap(f.folio);
}

/* A KSM merge in the child moves the child's VMA only; later the parent's. */
LT_CASE(each_mm_of_a_family_leaves_the_root_on_its_own)
{
	struct lt_visits visits = {};
	struct anon_vma *anon_vma;
	struct lt_family f;

	lt_family(t, &f);
	LT_EQ(t, lt_leave(f.child), 0);
	anon_vma = vma_regular_anon_vma(f.child);
	LT_NOT_NULL(t, anon_vma);
	LT_TRUE(t, vma_anon_vma_is_lazy(f.parent));
	LT_PTR_EQ(t, anon_vma_lazy_forward(f.root), anon_vma);
	LT_EQ(t, f.root->nr_vmas, 1);
	/* The parent's VMA, the child's (moved) and the forward's. */
	LT_EQ(t, refcount_read(&f.root->refcount), 2);
	lt_walk(f.folio, &visits, false, NULL);
	LT_EQ(t, visits.nr, 2);
	LT_TRUE(t, lt_visited(&visits, f.parent, LT_PAGE(702)));
	LT_TRUE(t, lt_visited(&visits, f.child, LT_PAGE(702)));

	LT_EQ(t, lt_leave(f.parent), 0);
	LT_PTR_EQ(t, anon_vma_handle_to_parent(vma_anon_vma_handle(f.parent)), anon_vma);
	LT_EQ(t, f.root->nr_vmas, 0);
	LT_EQ(t, refcount_read(&f.root->refcount), 1);
	memset(&visits, 0, sizeof(visits));
	lt_walk(f.folio, &visits, false, NULL);
	LT_EQ(t, visits.nr, 2);
	LT_TRUE(t, lt_visited(&visits, f.parent, LT_PAGE(702)));
	LT_TRUE(t, lt_visited(&visits, f.child, LT_PAGE(702)));
	if (lt_can(t, LT_CAP_COUNT_SLAB)) {
		LT_EQ(t, lt_live(t, "anon_vma"), 1);
		LT_EQ(t, lt_live(t, "anon_vma_chain"), 2);
	}
	lt_unmap(f.folio);
}

/*
 * The VMAs that went to the forward are all gone when the next mm leaves:
 * mainline never refills an emptied tree, so that mm gets a new anon_vma,
 * and the old one, freed, must not clear the new forward.
 */
LT_CASE(leaving_after_the_forward_emptied_makes_a_new_anon_vma)
{
	struct lt_visits visits = {};
	struct anon_vma *old, *anon_vma;
	struct lt_family f;

	lt_family(t, &f);
	LT_EQ(t, lt_leave(f.child), 0);
	old = anon_vma_lazy_forward(f.root);
	atomic_dec(&f.folio->_mapcount);
	lt_vma_drop(t, f.child);
	LT_PTR_EQ(t, anon_vma_lazy_forward(f.root), old);
	LT_EQ(t, lt_leave(f.parent), 0);
	anon_vma = vma_regular_anon_vma(f.parent);
	LT_NOT_NULL(t, anon_vma);
	LT_PTR_EQ(t, anon_vma_lazy_forward(f.root), anon_vma);
	lt_rcu_barrier(t);
	LT_PTR_EQ(t, anon_vma_lazy_forward(f.root), anon_vma);
	if (lt_can(t, LT_CAP_COUNT_SLAB))
		LT_EQ(t, lt_live(t, "anon_vma"), 1);
	LT_EQ(t, refcount_read(&f.root->refcount), 1);
	lt_walk(f.folio, &visits, false, NULL);
	LT_EQ(t, visits.nr, 1);
	LT_TRUE(t, lt_visited(&visits, f.parent, LT_PAGE(702)));
	lt_unmap(f.folio);
}

/*
 * A folio the family shared was swapped out; the mm that left the root
 * reads it back in first (do_swap_page(), not exclusive: the swap entry is
 * in the child's page table too), then the child maps the same folio from
 * the swap cache. Named by the anon_vma, its walk would miss the child,
 * still listed on the root: it is named by the root while the root lists
 * VMAs, and by the anon_vma's tree root once it lists none.
 */
LT_CASE(swap_in_by_a_member_that_left_names_the_root_while_it_lists_vmas)
{
	struct folio *in = lt_folio(t, 0), *later = lt_folio(t, 0);
	struct lt_visits visits = {};
	struct anon_vma *anon_vma;
	struct lt_family f;

	lt_family(t, &f);
	LT_EQ(t, lt_leave(f.parent), 0);
	anon_vma = vma_regular_anon_vma(f.parent);
	in->index = linear_page_index(f.parent, LT_PAGE(705));
	LT_EQ(t, folio_set_anon_mapping(in, f.parent, false), 0);
	atomic_set(&in->_mapcount, 1);		/* the parent's pte, the child's */
	LT_PTR_EQ(t, folio_anon_vma_lazy(in), f.root);
	LT_TRUE(t, folio_anon_vma_handle_matches(in, f.parent));
	LT_TRUE(t, folio_anon_vma_handle_matches(in, f.child));
	lt_walk(in, &visits, false, NULL);
	LT_EQ(t, visits.nr, 2);
	LT_TRUE(t, lt_visited(&visits, f.parent, LT_PAGE(705)));
	LT_TRUE(t, lt_visited(&visits, f.child, LT_PAGE(705)));
	lt_unmap(in);

	atomic_dec(&f.folio->_mapcount);
	lt_vma_drop(t, f.child);
	later->index = linear_page_index(f.parent, LT_PAGE(706));
	LT_EQ(t, folio_set_anon_mapping(later, f.parent, false), 0);
	LT_EQ(t, (unsigned long)later->mapping,
	      (unsigned long)anon_vma | PAGE_MAPPING_ANON);
	lt_unmap(f.folio);
}

/* The root holds its forward while it lists VMAs, and lets go after. */
LT_CASE(last_listed_vma_leaving_lets_the_forward_go)
{
	struct lt_family f;

	LT_REQUIRE(t, LT_CAP_COUNT_SLAB);
	lt_family(t, &f);
	LT_EQ(t, lt_leave(f.child), 0);
	atomic_dec(&f.folio->_mapcount);
	lt_vma_drop(t, f.child);
	/* Its tree is empty, the root's hold keeps it. */
	LT_EQ(t, lt_live(t, "anon_vma"), 1);
	atomic_dec(&f.folio->_mapcount);
	lt_vma_drop(t, f.parent);
	lt_rcu_barrier(t);
	LT_EQ(t, lt_live(t, "anon_vma"), 0);
	LT_EQ(t, lt_live(t, "anon_vma_lazy"), 0);
}

/* fork's rewrite to the anon_vma waits until the root lists no VMA. */
LT_CASE(rewrite_waits_for_the_family_to_leave_the_root)
{
	struct anon_vma *anon_vma;
	struct lt_family f;

	lt_family(t, &f);
	LT_EQ(t, lt_leave(f.child), 0);
	anon_vma = anon_vma_lazy_forward(f.root);
	folio_lock(f.folio);
	LT_FALSE(t, folio_anon_vma_lazy_rewrite(f.folio));
	LT_PTR_EQ(t, folio_anon_vma_lazy(f.folio), f.root);
	folio_unlock(f.folio);
	LT_EQ(t, lt_leave(f.parent), 0);
	folio_lock(f.folio);
	LT_TRUE(t, folio_anon_vma_lazy_rewrite(f.folio));
	folio_unlock(f.folio);
	LT_EQ(t, (unsigned long)f.folio->mapping,
	      (unsigned long)anon_vma | PAGE_MAPPING_ANON);
	lt_unmap(f.folio);
}

/*
 * THP split and UFFDIO_MOVE lock what folio_get_anon_vma() gives and
 * settle it: for a root that forwards while it lists VMAs, the root and
 * the anon_vma both, and the locked walk covers the list and the tree.
 */
LT_CASE(settling_a_family_root_that_forwards_locks_both)
{
	struct lt_visits visits = {};
	struct anon_vma *got, *forward;
	struct lt_family f;

	lt_family(t, &f);
	LT_EQ(t, lt_leave(f.child), 0);
	forward = anon_vma_lazy_forward(f.root);
	folio_lock(f.folio);
	got = folio_get_anon_vma(f.folio);
	LT_TRUE(t, anon_vma_is_tagged(got));
	anon_vma_lock_write(got);
	got = anon_vma_settle_locked(got);
	LT_TRUE(t, anon_vma_is_tagged(got));
	LT_TRUE(t, rwsem_is_locked(&forward->rwsem));
	LT_FALSE(t, anon_vma_settle_may_sleep(got));
	lt_walk_locked_rmap(f.folio, &visits);
	LT_EQ(t, visits.nr, 2);
	LT_TRUE(t, lt_visited(&visits, f.parent, LT_PAGE(702)));
	LT_TRUE(t, lt_visited(&visits, f.child, LT_PAGE(702)));
	anon_vma_unlock_write(got);
	put_anon_vma(got);
	LT_FALSE(t, rwsem_is_locked(&forward->rwsem));
	folio_unlock(f.folio);
	/* Once the list is empty, the anon_vma alone, as before. */
	LT_EQ(t, lt_leave(f.parent), 0);
	folio_lock(f.folio);
	got = folio_get_anon_vma(f.folio);
	LT_PTR_EQ(t, got, forward);
	put_anon_vma(got);
	folio_unlock(f.folio);
	lt_unmap(f.folio);
}

/* A walk that gives up on contention keeps no lock and no reference. */
LT_CASE(trylock_walk_of_a_family_root_that_forwards_reports_contention)
{
	struct lt_visits visits = {};
	struct anon_vma *forward;
	bool contended = false;
	struct lt_family f;

	lt_family(t, &f);
	LT_EQ(t, lt_leave(f.child), 0);
	forward = anon_vma_lazy_forward(f.root);
	anon_vma_lock_write(forward);
	lt_walk(f.folio, &visits, true, &contended);
	anon_vma_unlock_write(forward);
	LT_TRUE(t, contended);
	/* The list was walked before the tree's lock was tried. */
	LT_TRUE(t, lt_visited(&visits, f.parent, LT_PAGE(702)));
	LT_EQ(t, refcount_read(&f.root->refcount), 2);
	LT_FALSE(t, rwsem_is_locked(&forward->rwsem));
	lt_unmap(f.folio);
}
