// SPDX-License-Identifier: GPL-2.0
/* The lazy rmap walk: complete, exact, stoppable, and reference-balanced. */
#include "lt.h"

LT_CASE(walk_finds_the_one_mapping)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(300), LT_PAGE(310));
	struct anon_vma_lazy *root = lt_fault(t, vma);
	struct folio *folio = lt_folio(t, 0);
	struct lt_visits visits = {};

	lt_map(t, folio, vma, LT_PAGE(304));
	lt_walk(folio, &visits, false, NULL);
	LT_EQ(t, visits.nr, 1);
	LT_PTR_EQ(t, visits.vma[0], vma);
	LT_EQ(t, visits.address[0], LT_PAGE(304));
	LT_EQ(t, refcount_read(&root->refcount), 1);
	lt_unmap(folio);
}

LT_CASE(walk_after_split_visits_only_the_covering_vma)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(300), LT_PAGE(310));
	struct folio *low = lt_folio(t, 0), *high = lt_folio(t, 0);
	struct lt_visits visits = {};
	struct vm_area_struct *upper;

	lt_fault(t, vma);
	lt_map(t, low, vma, LT_PAGE(301));
	lt_map(t, high, vma, LT_PAGE(308));
	upper = lt_split(t, vma, LT_PAGE(305));
	lt_walk(high, &visits, false, NULL);
	LT_EQ(t, visits.nr, 1);
	LT_PTR_EQ(t, visits.vma[0], upper);
	LT_EQ(t, visits.address[0], LT_PAGE(308));
	memset(&visits, 0, sizeof(visits));
	lt_walk(low, &visits, false, NULL);
	LT_EQ(t, visits.nr, 1);
	LT_PTR_EQ(t, visits.vma[0], vma);
	lt_unmap(low);
	lt_unmap(high);
}

LT_CASE(walk_large_folio_across_split_visits_both)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(300), LT_PAGE(310));
	struct folio *folio = lt_folio(t, 2);
	struct lt_visits visits = {};
	struct vm_area_struct *upper;

	lt_fault(t, vma);
	lt_map(t, folio, vma, LT_PAGE(304));	/* pages 304..307 */
	upper = lt_split(t, vma, LT_PAGE(306));
	lt_walk(folio, &visits, false, NULL);
	LT_EQ(t, visits.nr, 2);
	LT_PTR_EQ(t, visits.vma[0], vma);
	LT_EQ(t, visits.address[0], LT_PAGE(304));
	LT_PTR_EQ(t, visits.vma[1], upper);
	LT_EQ(t, visits.address[1], LT_PAGE(306));
	lt_unmap(folio);
}

LT_CASE(walk_reaches_folio_mapped_only_by_migration_entries)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(300), LT_PAGE(310));
	struct anon_vma_lazy *root = lt_fault(t, vma);
	struct folio *folio = lt_folio(t, 0);
	struct lt_visits visits = {};

	lt_map(t, folio, vma, LT_PAGE(302));
	/* try_to_migrate() replaced the pte: the folio counts as unmapped. */
	lt_unmap(folio);
	LT_NULL(t, folio_get_anon_vma_lazy(folio));
	/* remove_migration_ptes() must still find where to put it back. */
	lt_walk(folio, &visits, false, NULL);
	LT_EQ(t, visits.nr, 1);
	LT_PTR_EQ(t, visits.vma[0], vma);
	LT_EQ(t, visits.address[0], LT_PAGE(302));
	LT_EQ(t, refcount_read(&root->refcount), 1);
}

LT_CASE(walk_of_folio_whose_root_is_dying_visits_nothing)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(300), LT_PAGE(310));
	struct anon_vma_lazy *root = lt_fault(t, vma);
	struct folio *folio = lt_folio(t, 0);
	struct anon_vma_lazy *held;
	bool visited = false;
	struct rmap_walk_control rwc = {
		.arg = &visited,
		.try_lock = true,
		.rmap_one = lt_must_not_visit,
	};

	lt_map(t, folio, vma, LT_PAGE(302));
	lt_unmap(folio);
	anon_vma_lazy_get(root);
	lt_vma_drop(t, vma);
	rcu_read_lock();
	anon_vma_lazy_put(root);
	/* A stale folio->mapping: the root's memory is still valid here. */
	LT_NULL(t, rmap_walk_anon_lazy(folio, &rwc, false, &held));
	rcu_read_unlock();
	LT_NULL(t, held);
	LT_FALSE(t, visited);
	LT_FALSE(t, rwc.contended);
	WRITE_ONCE(folio->mapping, NULL);
}

LT_CASE(walk_stops_when_rmap_one_says_so)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(300), LT_PAGE(310));
	struct folio *folio = lt_folio(t, 2);
	struct lt_visits visits = { .stop_after = 1 };

	lt_fault(t, vma);
	lt_map(t, folio, vma, LT_PAGE(304));
	lt_split(t, vma, LT_PAGE(306));
	lt_walk(folio, &visits, false, NULL);
	LT_EQ(t, visits.nr, 1);
	lt_unmap(folio);
}

LT_CASE(walk_skips_invalid_vma)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(300), LT_PAGE(310));
	struct folio *folio = lt_folio(t, 2);
	struct lt_visits visits = {};
	struct vm_area_struct *upper;

	lt_fault(t, vma);
	lt_map(t, folio, vma, LT_PAGE(304));
	upper = lt_split(t, vma, LT_PAGE(306));
	visits.invalid = vma;
	lt_walk(folio, &visits, false, NULL);
	LT_EQ(t, visits.nr, 1);
	LT_PTR_EQ(t, visits.vma[0], upper);
	lt_unmap(folio);
}

LT_CASE(walk_trylock_reports_contention)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(300), LT_PAGE(310));
	struct anon_vma_lazy *root = lt_fault(t, vma);
	struct folio *folio = lt_folio(t, 0);
	struct lt_visits visits = {};
	bool contended = false;

	lt_map(t, folio, vma, LT_PAGE(300));
	anon_vma_lazy_lock_write(root);
	lt_walk(folio, &visits, true, &contended);
	anon_vma_lazy_unlock_write(root);
	LT_TRUE(t, contended);
	LT_EQ(t, visits.nr, 0);
	LT_EQ(t, refcount_read(&root->refcount), 1);
	lt_walk(folio, &visits, true, &contended);
	LT_FALSE(t, contended);
	LT_EQ(t, visits.nr, 1);
	lt_unmap(folio);
}

LT_CASE(walk_finds_moved_vma_on_same_root)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *vma = lt_vma(t, mm, LT_PAGE(300), LT_PAGE(310));
	struct anon_vma_lazy *root = lt_fault(t, vma);
	struct folio *folio = lt_folio(t, 0);
	struct lt_visits visits = {};
	struct vm_area_struct *moved;

	lt_map(t, folio, vma, LT_PAGE(303));
	/* mremap(): copy_vma() at the new place, ptes move, old VMA goes. */
	moved = lt_vma_dup(t, vma, mm);
	mmap_write_lock(mm);
	moved->vm_start = LT_PAGE(7000);
	moved->vm_end = LT_PAGE(7010);
	LT_EQ(t, anon_vma_lazy_clone(moved, vma), 0);
	mmap_write_unlock(mm);
	lt_vma_drop(t, vma);
	LT_EQ(t, root->nr_vmas, 1);
	lt_walk(folio, &visits, false, NULL);
	LT_EQ(t, visits.nr, 1);
	LT_PTR_EQ(t, visits.vma[0], moved);
	LT_EQ(t, visits.address[0], LT_PAGE(7003));
	lt_unmap(folio);
}

LT_CASE(walk_of_a_shared_root_finds_each_folio_in_its_own_vma)
{
	struct mm_struct *mm = lt_mm(t);
	struct vm_area_struct *a = lt_vma(t, mm, LT_PAGE(300), LT_PAGE(310));
	struct vm_area_struct *b = lt_vma(t, mm, LT_PAGE(500), LT_PAGE(510));
	struct vm_area_struct *c = lt_vma(t, mm, LT_PAGE(700), LT_PAGE(710));
	struct anon_vma_lazy *root = lt_fault(t, a);
	struct folio *fa = lt_folio(t, 0), *fb = lt_folio(t, 0);
	struct folio *fc = lt_folio(t, 0);
	struct lt_visits visits = {};

	/* b and c share a's root; c's pgoffs overlap a's (another base). */
	c->vm_pgoff = 305;
	mmap_read_lock(mm);
	LT_EQ(t, anon_vma_lazy_prepare(b, anon_vma_lazy_shareable(a, b)), 0);
	LT_EQ(t, anon_vma_lazy_prepare(c, anon_vma_lazy_shareable(b, c)), 0);
	mmap_read_unlock(mm);
	LT_EQ(t, root->nr_vmas, 3);
	lt_map(t, fa, a, LT_PAGE(307));
	lt_map(t, fb, b, LT_PAGE(502));
	lt_map(t, fc, c, LT_PAGE(701));

	/* Disjoint pgoffs: the one mapping, exactly. */
	lt_walk(fb, &visits, false, NULL);
	LT_EQ(t, visits.nr, 1);
	LT_PTR_EQ(t, visits.vma[0], b);
	LT_EQ(t, visits.address[0], LT_PAGE(502));

	/*
	 * Overlapping pgoffs: each folio is visited where it is mapped, and
	 * at the other VMA's address for its index, where rmap_one() finds
	 * no pte of it, as in an anon_vma whose tree holds an mremap()ed VMA.
	 */
	memset(&visits, 0, sizeof(visits));
	lt_walk(fc, &visits, false, NULL);
	LT_EQ(t, visits.nr, 2);
	LT_PTR_EQ(t, visits.vma[0], a);
	LT_EQ(t, visits.address[0], LT_PAGE(306));
	LT_PTR_EQ(t, visits.vma[1], c);
	LT_EQ(t, visits.address[1], LT_PAGE(701));
	memset(&visits, 0, sizeof(visits));
	lt_walk(fa, &visits, false, NULL);
	LT_EQ(t, visits.nr, 2);
	LT_PTR_EQ(t, visits.vma[0], a);
	LT_EQ(t, visits.address[0], LT_PAGE(307));
	LT_PTR_EQ(t, visits.vma[1], c);
	LT_EQ(t, visits.address[1], LT_PAGE(702));
	lt_unmap(fa);
	lt_unmap(fb);
	lt_unmap(fc);
}

LT_CASE(locked_walk_uses_the_callers_lock)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(300), LT_PAGE(310));
	struct anon_vma_lazy *root = lt_fault(t, vma);
	struct folio *folio = lt_folio(t, 0);
	struct lt_visits visits = {};

	lt_map(t, folio, vma, LT_PAGE(305));
	anon_vma_lazy_lock_write(root);
	LT_NULL(t, lt_walk_locked(folio, &visits));
	anon_vma_lazy_unlock_write(root);
	LT_EQ(t, visits.nr, 1);
	LT_EQ(t, visits.address[0], LT_PAGE(305));
	LT_EQ(t, refcount_read(&root->refcount), 1);
	lt_unmap(folio);
}

LT_CASE(locked_walk_without_the_lock_is_caught)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(300), LT_PAGE(310));
	struct folio *folio = lt_folio(t, 0);
	struct lt_visits visits = {};

	LT_REQUIRE(t, LT_CAP_LOCKDEP);
	LT_REQUIRE(t, LT_CAP_COUNT_WARN);
	lt_fault(t, vma);
	lt_map(t, folio, vma, LT_PAGE(305));
	lt_walk_locked(folio, &visits);
	LT_EQ(t, lt_warns(t), 1);
	lt_expect_warns(t, 1);
	lt_unmap(folio);
}

/*
 * Folios on the first and the last page of a VMA, and a large one that
 * fills a split piece exactly: each found there, and only there.
 */
LT_CASE(walk_finds_folios_exactly_at_the_boundaries)
{
	struct vm_area_struct *vma = lt_vma(t, lt_mm(t), LT_PAGE(300), LT_PAGE(312));
	struct folio *first = lt_folio(t, 0), *last = lt_folio(t, 0);
	struct folio *piece = lt_folio(t, 2);
	struct lt_visits visits = {};
	struct vm_area_struct *upper;

	lt_fault(t, vma);
	lt_map(t, first, vma, LT_PAGE(300));
	lt_map(t, last, vma, LT_PAGE(311));
	lt_map(t, piece, vma, LT_PAGE(304));	/* 304..307 */
	upper = lt_split(t, vma, LT_PAGE(308));
	lt_split(t, vma, LT_PAGE(304));
	lt_walk(first, &visits, false, NULL);
	LT_EQ(t, visits.nr, 1);
	LT_PTR_EQ(t, visits.vma[0], vma);
	LT_EQ(t, visits.address[0], LT_PAGE(300));
	memset(&visits, 0, sizeof(visits));
	lt_walk(last, &visits, false, NULL);
	LT_EQ(t, visits.nr, 1);
	LT_PTR_EQ(t, visits.vma[0], upper);
	LT_EQ(t, visits.address[0], LT_PAGE(311));
	memset(&visits, 0, sizeof(visits));
	lt_walk(piece, &visits, false, NULL);
	LT_EQ(t, visits.nr, 1);
	LT_EQ(t, visits.vma[0]->vm_start, LT_PAGE(304));
	LT_EQ(t, visits.vma[0]->vm_end, LT_PAGE(308));
	LT_EQ(t, visits.address[0], LT_PAGE(304));
	lt_unmap(first);
	lt_unmap(last);
	lt_unmap(piece);
}
