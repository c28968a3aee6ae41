// SPDX-License-Identifier: GPL-2.0
/* Sharing begins: upgrade at fork, PARENT children, forwarding, rewrite. */
#include "lt.h"

/* A lazy VMA split in three, as mprotect() leaves one. */
static struct anon_vma_lazy *lt_three(struct lt *t, struct mm_struct *mm,
				      struct vm_area_struct **v)
{
	struct anon_vma_lazy *root;

	v[0] = lt_vma(t, mm, LT_PAGE(400), LT_PAGE(412));
	root = lt_fault(t, v[0]);
	v[1] = lt_split(t, v[0], LT_PAGE(404));
	v[2] = lt_split(t, v[1], LT_PAGE(408));
	return root;
}

static int lt_upgrade(struct mm_struct *mm, struct anon_vma_lazy *root)
{
	int err;

	mmap_write_lock(mm);
	err = anon_vma_lazy_upgrade(root, mm, ANON_VMA_LAZY_UPGRADE_FORK);
	mmap_write_unlock(mm);
	return err;
}

static int lt_fork(struct vm_area_struct *child, struct vm_area_struct *parent)
{
	int err;

	mmap_write_lock(parent->vm_mm);
	err = anon_vma_lazy_fork(child, parent);
	mmap_write_unlock(parent->vm_mm);
	return err;
}

static unsigned int lt_chains(struct vm_area_struct *vma)
{
	struct anon_vma_chain *avc;
	unsigned int nr = 0;

	list_for_each_entry(avc, &vma->anon_vma_chain, same_vma)
		nr++;
	return nr;
}

LT_CASE(upgrade_moves_every_vma_to_one_anon_vma)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *v[3];
	struct anon_vma_lazy *root = lt_three(t, mm, v);
	struct anon_vma *anon_vma;
	unsigned int i;

	LT_EQ(t, lt_upgrade(mm, root), 0);
	anon_vma = anon_vma_handle_to_regular(vma_anon_vma_handle(v[0]));
	LT_NOT_NULL(t, anon_vma);
	for (i = 0; i < 3; i++) {
		LT_PTR_EQ(t, anon_vma_handle_to_regular(vma_anon_vma_handle(v[i])),
			  anon_vma);
		LT_EQ(t, lt_chains(v[i]), 1);
	}
	LT_EQ(t, anon_vma->num_active_vmas, 3);
	LT_PTR_EQ(t, anon_vma->root, anon_vma);
	LT_PTR_EQ(t, anon_vma_lazy_forward(root), anon_vma);
	LT_EQ(t, root->nr_vmas, 0);
	LT_TRUE(t, list_empty(&root->vmas));
	LT_EQ(t, refcount_read(&root->refcount), 1);
}

LT_CASE(upgrade_anon_vma_failure_changes_nothing)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *v[3];
	struct anon_vma_lazy *root = lt_three(t, mm, v);

	LT_REQUIRE(t, LT_CAP_FAULT_INJECT);
	lt_fail_nth(t, 1);
	LT_EQ(t, lt_upgrade(mm, root), -ENOMEM);
	LT_EQ(t, root->nr_vmas, 3);
	LT_TRUE(t, vma_anon_vma_is_lazy(v[1]));
	LT_NULL(t, anon_vma_lazy_forward(root));
	lt_rcu_barrier(t);
	LT_EQ(t, lt_live(t, "anon_vma"), 0);
	LT_EQ(t, lt_live(t, "anon_vma_chain"), 0);
}

LT_CASE(upgrade_chain_failure_at_each_site_changes_nothing)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *v[3];
	struct anon_vma_lazy *root = lt_three(t, mm, v);
	unsigned long nth;

	LT_REQUIRE(t, LT_CAP_FAULT_INJECT);
	/* One anon_vma, then one chain per VMA: fail each in turn. */
	for (nth = 2; nth <= 4; nth++) {
		lt_fail_nth(t, nth);
		LT_EQ(t, lt_upgrade(mm, root), -ENOMEM);
		LT_EQ(t, root->nr_vmas, 3);
		LT_EQ(t, refcount_read(&root->refcount), 3);
		LT_TRUE(t, vma_anon_vma_is_lazy(v[0]) && vma_anon_vma_is_lazy(v[2]));
		lt_rcu_barrier(t);
		LT_EQ(t, lt_live(t, "anon_vma"), 0);
		LT_EQ(t, lt_live(t, "anon_vma_chain"), 0);
	}
	LT_EQ(t, lt_upgrade(mm, root), 0);
}

LT_CASE(upgraded_root_lives_as_long_as_its_anon_vma)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *v[3];
	struct anon_vma_lazy *root = lt_three(t, mm, v);

	LT_REQUIRE(t, LT_CAP_COUNT_SLAB);
	LT_EQ(t, lt_upgrade(mm, root), 0);
	lt_vma_drop(t, v[0]);
	lt_vma_drop(t, v[1]);
	lt_rcu_barrier(t);
	LT_EQ(t, lt_live(t, "anon_vma_lazy"), 1);
	LT_EQ(t, lt_live(t, "anon_vma"), 1);
	lt_vma_drop(t, v[2]);
	lt_rcu_barrier(t);
	LT_EQ(t, lt_live(t, "anon_vma"), 0);
	LT_EQ(t, lt_live(t, "anon_vma_chain"), 0);
	LT_EQ(t, lt_live(t, "anon_vma_lazy"), 0);
}

/* An mm none of whose VMAs a root lists has nothing to move: no change. */
LT_CASE(upgrade_without_vmas_of_the_mm_changes_nothing)
{
	struct mm_struct *mm = lt_mm(t), *other = lt_mm(t);
	struct vm_area_struct *v[3];
	struct anon_vma_lazy *root = lt_three(t, mm, v);
	struct anon_vma *forward;

	LT_EQ(t, lt_upgrade(mm, root), 0);
	forward = anon_vma_lazy_forward(root);
	LT_NOT_NULL(t, forward);
	LT_EQ(t, lt_upgrade(mm, root), -EAGAIN);
	LT_EQ(t, lt_upgrade(other, root), -EAGAIN);
	LT_PTR_EQ(t, anon_vma_lazy_forward(root), forward);
	LT_EQ(t, root->nr_vmas, 0);
	LT_EQ(t, refcount_read(&root->refcount), 1);
	LT_PTR_EQ(t, vma_regular_anon_vma(v[2]), forward);
}

LT_CASE(walk_through_forwarded_root_finds_mapping)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *v[3];
	struct anon_vma_lazy *root = lt_three(t, mm, v);
	struct folio *folio = lt_folio(t, 0);
	struct lt_visits visits = {};

	lt_map(t, folio, v[1], LT_PAGE(405));
	LT_EQ(t, lt_upgrade(mm, root), 0);
	/* The folio still names the root; the walk follows the forward. */
	LT_PTR_EQ(t, folio_anon_vma_lazy(folio), root);
	lt_walk(folio, &visits, false, NULL);
	LT_EQ(t, visits.nr, 1);
	LT_PTR_EQ(t, visits.vma[0], v[1]);
	LT_EQ(t, visits.address[0], LT_PAGE(405));
	LT_EQ(t, refcount_read(&root->refcount), 1);
	lt_unmap(folio);
}

LT_CASE(rewrite_points_folio_at_forward)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *v[3];
	struct anon_vma_lazy *root = lt_three(t, mm, v);
	struct folio *folio = lt_folio(t, 0);
	struct anon_vma *anon_vma;

	lt_map(t, folio, v[2], LT_PAGE(410));
	folio_lock(folio);
	LT_FALSE(t, folio_anon_vma_lazy_rewrite(folio));
	LT_PTR_EQ(t, folio_anon_vma_lazy(folio), root);
	LT_EQ(t, lt_upgrade(mm, root), 0);
	anon_vma = anon_vma_lazy_forward(root);
	LT_TRUE(t, folio_anon_vma_lazy_rewrite(folio));
	LT_EQ(t, (unsigned long)folio->mapping,
	      (unsigned long)anon_vma | PAGE_MAPPING_ANON);
	LT_FALSE(t, folio_test_anon_vma_lazy(folio));
	LT_TRUE(t, folio_test_anon(folio));
	LT_FALSE(t, folio_anon_vma_lazy_rewrite(folio));
	folio_unlock(folio);
	lt_unmap(folio);
}

LT_CASE(fork_of_lazy_vma_leaves_child_parent)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *vma = lt_vma(t, mm, LT_PAGE(500), LT_PAGE(510));
	struct vm_area_struct *child = lt_vma_dup(t, vma, lt_mm(t));
	unsigned long upgrades = lt_event(t, ANON_VMA_LAZY_UPGRADE_FORK);
	unsigned long parents = lt_event(t, ANON_VMA_LAZY_PARENT_FORK);
	struct anon_vma *anon_vma;

	lt_fault(t, vma);
	vma_set_anon_vma_handle(child, vma_anon_vma_handle(vma));	/* vm_area_dup() */
	LT_EQ(t, lt_fork(child, vma), 0);
	anon_vma = anon_vma_handle_to_regular(vma_anon_vma_handle(vma));
	LT_NOT_NULL(t, anon_vma);
	LT_PTR_EQ(t, anon_vma_handle_to_parent(vma_anon_vma_handle(child)), anon_vma);
	LT_EQ(t, lt_chains(child), 1);
	LT_EQ(t, anon_vma->num_active_vmas, 1);
	LT_TRUE(t, lt_event(t, ANON_VMA_LAZY_UPGRADE_FORK) >= upgrades + 1);
	LT_TRUE(t, lt_event(t, ANON_VMA_LAZY_PARENT_FORK) >= parents + 1);
	if (lt_can(t, LT_CAP_COUNT_SLAB)) {
		/* Eager fork would hold two anon_vmas and three chains. */
		LT_EQ(t, lt_live(t, "anon_vma"), 1);
		LT_EQ(t, lt_live(t, "anon_vma_chain"), 2);
	}
}

LT_CASE(fork_with_switch_off_is_mainline)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *vma = lt_vma(t, mm, LT_PAGE(500), LT_PAGE(510));
	struct vm_area_struct *child = lt_vma_dup(t, vma, lt_mm(t));
	struct anon_vma *parent, *own;

	lt_fault(t, vma);
	LT_EQ(t, lt_sysctl_write(t, "anon_vma_lazy", "0"), 0);
	LT_EQ(t, lt_fork(child, vma), 0);
	parent = anon_vma_handle_to_regular(vma_anon_vma_handle(vma));
	own = anon_vma_handle_to_regular(vma_anon_vma_handle(child));
	LT_NOT_NULL(t, parent);
	LT_NOT_NULL(t, own);
	LT_NE(t, (unsigned long)own, (unsigned long)parent);
	LT_PTR_EQ(t, own->parent, parent);
	LT_PTR_EQ(t, own->root, parent);
	LT_EQ(t, lt_chains(child), 2);
}

LT_CASE(fork_of_vma_without_anon_memory)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *vma = lt_vma(t, mm, LT_PAGE(500), LT_PAGE(510));
	struct vm_area_struct *child = lt_vma_dup(t, vma, lt_mm(t));

	LT_EQ(t, lt_fork(child, vma), 0);
	LT_NULL(t, vma->anon_vma);
	LT_NULL(t, child->anon_vma);
}

LT_CASE(fork_upgrade_failure_leaves_parent_lazy)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *vma = lt_vma(t, mm, LT_PAGE(500), LT_PAGE(510));
	struct vm_area_struct *child = lt_vma_dup(t, vma, lt_mm(t));

	LT_REQUIRE(t, LT_CAP_FAULT_INJECT);
	lt_fault(t, vma);
	lt_fail_nth(t, 2);
	LT_EQ(t, lt_fork(child, vma), -ENOMEM);
	LT_TRUE(t, vma_anon_vma_is_lazy(vma));
	lt_rcu_barrier(t);
	LT_EQ(t, lt_live(t, "anon_vma"), 0);
	LT_EQ(t, lt_live(t, "anon_vma_chain"), 0);
}

LT_CASE(fork_chain_failure_leaves_child_empty)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *vma = lt_vma(t, mm, LT_PAGE(500), LT_PAGE(510));
	struct vm_area_struct *child = lt_vma_dup(t, vma, lt_mm(t));

	LT_REQUIRE(t, LT_CAP_FAULT_INJECT);
	lt_fault(t, vma);
	/*
	 * Upgrade takes an anon_vma and a chain; the child's chain fails, and
	 * so does anon_vma_clone()'s retry of it with GFP_KERNEL.
	 */
	lt_fail_run(t, 3, 2);
	LT_EQ(t, lt_fork(child, vma), -ENOMEM);
	LT_NULL(t, child->anon_vma);
	LT_TRUE(t, list_empty(&child->anon_vma_chain));
	LT_NOT_NULL(t, anon_vma_handle_to_regular(vma_anon_vma_handle(vma)));
	LT_EQ(t, lt_live(t, "anon_vma_chain"), 1);
}

LT_CASE(parent_vma_adopts_anon_vma_at_first_fault)
{
	struct mm_struct *mm = lt_mm(t), *cmm = lt_mm(t);
	struct vm_area_struct *vma = lt_vma(t, mm, LT_PAGE(500), LT_PAGE(510));
	struct vm_area_struct *child = lt_vma_dup(t, vma, cmm);
	unsigned long adopted = lt_event(t, ANON_VMA_LAZY_PARENT_ADOPT);
	struct anon_vma *parent, *own;

	lt_fault(t, vma);
	LT_EQ(t, lt_fork(child, vma), 0);
	parent = anon_vma_handle_to_parent(vma_anon_vma_handle(child));
	LT_NOT_NULL(t, parent);
	mmap_read_lock(cmm);
	LT_EQ(t, anon_vma_prepare(child), 0);
	mmap_read_unlock(cmm);
	own = anon_vma_handle_to_regular(vma_anon_vma_handle(child));
	LT_NOT_NULL(t, own);
	LT_PTR_EQ(t, own->parent, parent);
	LT_PTR_EQ(t, own->root, parent->root);
	LT_EQ(t, parent->num_children, 2);
	LT_EQ(t, lt_chains(child), 2);
	LT_TRUE(t, lt_event(t, ANON_VMA_LAZY_PARENT_ADOPT) >= adopted + 1);
}

LT_CASE(parent_adopt_failure_keeps_parent_state)
{
	struct mm_struct *mm = lt_mm(t), *cmm = lt_mm(t);
	struct vm_area_struct *vma = lt_vma(t, mm, LT_PAGE(500), LT_PAGE(510));
	struct vm_area_struct *child = lt_vma_dup(t, vma, cmm);
	anon_vma_handle_t before;
	unsigned long nth;

	LT_REQUIRE(t, LT_CAP_FAULT_INJECT);
	lt_fault(t, vma);
	LT_EQ(t, lt_fork(child, vma), 0);
	before = vma_anon_vma_handle(child);
	for (nth = 1; nth <= 2; nth++) {
		lt_fail_nth(t, nth);
		mmap_read_lock(cmm);
		LT_EQ(t, anon_vma_prepare(child), -ENOMEM);
		mmap_read_unlock(cmm);
		LT_TRUE(t, anon_vma_handle_equal(vma_anon_vma_handle(child), before));
		lt_rcu_barrier(t);
		LT_EQ(t, lt_live(t, "anon_vma"), 1);
		LT_EQ(t, lt_live(t, "anon_vma_chain"), 2);
	}
}

LT_CASE(fork_of_parent_vma_stays_parent)
{
	struct mm_struct *mm = lt_mm(t), *cmm = lt_mm(t);
	struct vm_area_struct *vma = lt_vma(t, mm, LT_PAGE(500), LT_PAGE(510));
	struct vm_area_struct *child = lt_vma_dup(t, vma, cmm);
	struct vm_area_struct *grandchild = lt_vma_dup(t, child, lt_mm(t));
	struct anon_vma *anon_vma;

	lt_fault(t, vma);
	LT_EQ(t, lt_fork(child, vma), 0);
	anon_vma = anon_vma_handle_to_parent(vma_anon_vma_handle(child));
	LT_EQ(t, lt_fork(grandchild, child), 0);
	LT_PTR_EQ(t, anon_vma_handle_to_parent(vma_anon_vma_handle(child)), anon_vma);
	LT_PTR_EQ(t, anon_vma_handle_to_parent(vma_anon_vma_handle(grandchild)),
		  anon_vma);
	LT_EQ(t, lt_chains(grandchild), 1);
	if (lt_can(t, LT_CAP_COUNT_SLAB))
		LT_EQ(t, lt_live(t, "anon_vma"), 1);
}

LT_CASE(fork_walk_finds_parent_and_child)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *vma = lt_vma(t, mm, LT_PAGE(500), LT_PAGE(510));
	struct vm_area_struct *child = lt_vma_dup(t, vma, lt_mm(t));
	struct folio *folio = lt_folio(t, 0);
	struct lt_visits visits = {};

	lt_fault(t, vma);
	lt_map(t, folio, vma, LT_PAGE(502));
	LT_EQ(t, lt_fork(child, vma), 0);
	atomic_inc(&folio->_mapcount);	/* copy_present_pte() */
	folio_anon_vma_lazy_rewrite_forked(folio);
	lt_walk(folio, &visits, false, NULL);
	LT_EQ(t, visits.nr, 2);
	LT_TRUE(t, visits.vma[0] == vma || visits.vma[1] == vma);
	LT_TRUE(t, visits.vma[0] == child || visits.vma[1] == child);
	LT_EQ(t, visits.address[0], LT_PAGE(502));
	LT_EQ(t, visits.address[1], LT_PAGE(502));
	lt_unmap(folio);
}

LT_CASE(fork_of_switched_off_parent_child_adopts_first)
{
	struct mm_struct *mm = lt_mm(t), *cmm = lt_mm(t);
	struct vm_area_struct *vma = lt_vma(t, mm, LT_PAGE(500), LT_PAGE(510));
	struct vm_area_struct *child = lt_vma_dup(t, vma, cmm);
	struct vm_area_struct *grandchild = lt_vma_dup(t, child, lt_mm(t));
	struct anon_vma *own;

	lt_fault(t, vma);
	LT_EQ(t, lt_fork(child, vma), 0);
	LT_EQ(t, lt_sysctl_write(t, "anon_vma_lazy", "0"), 0);
	/* Off: a PARENT VMA takes its anon_vma, then forks as mainline. */
	LT_EQ(t, lt_fork(grandchild, child), 0);
	own = anon_vma_handle_to_regular(vma_anon_vma_handle(child));
	LT_NOT_NULL(t, own);
	LT_PTR_EQ(t, anon_vma_handle_to_regular(vma_anon_vma_handle(grandchild))->parent,
		  own);
}

/*
 * A PARENT child forks after the parent's VMA went (munmap, or the parent
 * exited): no VMA fills the inherited anon_vma any more, so the grandchild
 * takes it for its own, as anon_vma_clone() reuses one in mainline; its
 * tree still holds the child, and a walk of a folio there finds both.
 */
LT_CASE(fork_of_parent_vma_after_its_parent_vma_went)
{
	struct mm_struct *mm = lt_mm(t), *cmm = lt_mm(t);
	struct vm_area_struct *vma = lt_vma(t, mm, LT_PAGE(500), LT_PAGE(510));
	struct vm_area_struct *child = lt_vma_dup(t, vma, cmm);
	struct vm_area_struct *grandchild = lt_vma_dup(t, child, lt_mm(t));
	struct folio *folio = lt_folio(t, 0);
	struct lt_visits visits = {};
	struct anon_vma *anon_vma;

	lt_fault(t, vma);
	lt_map(t, folio, vma, LT_PAGE(503));
	LT_EQ(t, lt_fork(child, vma), 0);
	anon_vma = anon_vma_handle_to_parent(vma_anon_vma_handle(child));
	LT_NOT_NULL(t, anon_vma);
	lt_vma_drop(t, vma);	/* the folio stays mapped in the child */
	LT_EQ(t, anon_vma->num_active_vmas, 0);
	LT_EQ(t, lt_fork(grandchild, child), 0);
	LT_PTR_EQ(t, anon_vma_handle_to_regular(vma_anon_vma_handle(grandchild)),
		  anon_vma);
	LT_EQ(t, anon_vma->num_active_vmas, 1);
	LT_PTR_EQ(t, anon_vma_handle_to_parent(vma_anon_vma_handle(child)), anon_vma);
	atomic_inc(&folio->_mapcount);	/* copy_present_pte() */
	lt_walk(folio, &visits, false, NULL);
	LT_EQ(t, visits.nr, 2);
	LT_TRUE(t, visits.vma[0] == child || visits.vma[1] == child);
	LT_TRUE(t, visits.vma[0] == grandchild || visits.vma[1] == grandchild);
	LT_EQ(t, visits.address[0], LT_PAGE(503));
	lt_unmap(folio);
}
