// SPDX-License-Identifier: GPL-2.0
/*
 * The ground truth for the userspace mm: after every operation, each
 * folio's rmap walk is compared with what a scan of every page table says
 * maps it. The walk must be complete (every pte mapping a page of the folio
 * is reachable from a visit, at the address page_vma_mapped_walk() would
 * look), and sound (each visit is a live VMA of a live process, at an
 * address inside it). Around that, the bookkeeping a walk relies on:
 * mapcounts, swap counts, folio indices, the lazy roots' VMA lists.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mm_model.h"
#include "anon_vma_lazy.h"

#define MAX_VISITS	64

struct oracle_visits {
	unsigned int nr;
	struct vm_area_struct *vma[MAX_VISITS];
	unsigned long address[MAX_VISITS];
};

static bool __printf(2, 3) fail(struct mm_model *m, const char *fmt, ...)
{
	va_list ap;

	if (m->failure[0])
		return false;
	va_start(ap, fmt);
	vsnprintf(m->failure, sizeof(m->failure), fmt, ap);
	va_end(ap);
	return false;
}

static bool record_visit(struct folio *folio, struct vm_area_struct *vma,
			 unsigned long address, void *arg)
{
	struct oracle_visits *v = arg;

	if (v->nr < MAX_VISITS) {
		v->vma[v->nr] = vma;
		v->address[v->nr] = address;
	}
	v->nr++;
	return true;
}

static struct vm_area_struct *vma_at(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma;

	list_for_each_entry(vma, &mm->mmap, vm_list)
		if (addr >= vma->vm_start && addr < vma->vm_end)
			return vma;
	return NULL;
}

static bool vma_alive(struct mm_model *m, struct vm_area_struct *vma)
{
	struct vm_area_struct *pos;
	int pid;

	for (pid = 0; pid < MM_MODEL_PROCS; pid++) {
		if (!m->proc[pid].alive)
			continue;
		list_for_each_entry(pos, &m->proc[pid].mm.mmap, vm_list)
			if (pos == vma)
				return true;
	}
	return false;
}

/* Would a visit of @vma at @address find page @page of @mf at @addr? */
static bool visit_reaches(struct mm_model_folio *mf, struct vm_area_struct *vma,
			  unsigned long address, unsigned int page,
			  unsigned long addr)
{
	if (addr < vma->vm_start || addr >= vma->vm_end || addr < address)
		return false;
	if (mf->ksm)
		return addr == address;
	return vma_mapping_base(vma) + ((mf->folio.index + page) << PAGE_SHIFT) ==
	       addr;
}

static bool check_walk(struct mm_model *m, struct mm_model_folio *mf)
{
	struct rmap_walk_control rwc = { .rmap_one = record_visit };
	struct oracle_visits v = { 0 };
	unsigned int i, j, pid, page;

	rwc.arg = &v;
	folio_lock(&mf->folio);
	mm_model_rmap_walk(m, mf, &rwc);
	folio_unlock(&mf->folio);
	if (v.nr > MAX_VISITS)
		return fail(m, "folio %u: %u visits, more than %u", mf->id,
			    v.nr, MAX_VISITS);
	for (i = 0; i < v.nr; i++) {
		struct vm_area_struct *vma = v.vma[i];

		if (!vma_alive(m, vma))
			return fail(m, "folio %u: walk visited a dead VMA",
				    mf->id);
		if (v.address[i] < vma->vm_start || v.address[i] >= vma->vm_end)
			return fail(m, "folio %u: visit at %#lx outside [%#lx, %#lx)",
				    mf->id, v.address[i], vma->vm_start,
				    vma->vm_end);
		/* A lazy root lists each VMA once: a second visit is a bug. */
		for (j = 0; j < i && folio_test_anon_vma_lazy(&mf->folio); j++)
			if (v.vma[j] == vma)
				return fail(m, "folio %u: lazy walk visited a VMA twice",
					    mf->id);
	}
	for (pid = 0; pid < MM_MODEL_PROCS; pid++) {
		struct mm_model_proc *proc = &m->proc[pid];

		if (!proc->alive)
			continue;
		for (page = 0; page < MM_MODEL_PAGES; page++) {
			struct mm_model_pte *pte = &proc->pte[page];
			unsigned long addr = mm_model_addr(page);
			bool found = false;

			if (pte->kind != MM_PTE_PRESENT || pte->folio != mf)
				continue;
			for (i = 0; i < v.nr && !found; i++)
				found = v.vma[i]->vm_mm == &proc->mm &&
					visit_reaches(mf, v.vma[i], v.address[i],
						      pte->page, addr);
			if (!found)
				return fail(m, "folio %u page %u: mapped by pid %u at page %u, the walk (%u visits) misses it",
					    mf->id, pte->page, pid, page, v.nr);
		}
	}
	return true;
}

/*
 * Each lazy root: the VMAs that name it are exactly those on its list,
 * whichever process of the fork family they belong to, and a root that
 * forwards while it lists VMAs holds the anon_vma it forwards to.
 */
static bool check_lazy_roots(struct mm_model *m)
{
	struct vm_area_struct *vma, *pos;
	int pid;

	for (pid = 0; pid < MM_MODEL_PROCS; pid++) {
		if (!m->proc[pid].alive)
			continue;
		list_for_each_entry(vma, &m->proc[pid].mm.mmap, vm_list) {
			anon_vma_handle_t handle = vma_anon_vma_handle(vma);
			struct anon_vma_lazy *root = anon_vma_handle_to_lazy(handle);
			unsigned int n = 0;
			bool listed = false;

			if (anon_vma_handle_state(handle) == ANON_VMA_STATE_BAD)
				return fail(m, "pid %d: VMA with a bad tree", pid);
			if (!root)
				continue;
			anon_vma_lazy_for_each_vma(root, pos) {
				n++;
				listed |= pos == vma;
				if (anon_vma_handle_to_lazy(vma_anon_vma_handle(pos)) != root)
					return fail(m, "pid %d: root lists a VMA of another tree",
						    pid);
			}
			if (!listed)
				return fail(m, "pid %d: VMA [%#lx, %#lx) not on its root",
					    pid, vma->vm_start, vma->vm_end);
			if (n != root->nr_vmas)
				return fail(m, "pid %d: root counts %u VMAs, lists %u",
					    pid, root->nr_vmas, n);
			if (refcount_read(&root->refcount) <
			    n + !!anon_vma_lazy_forward(root))
				return fail(m, "pid %d: root refcount %u below %u VMAs and its forward",
					    pid, refcount_read(&root->refcount), n);
			if (anon_vma_lazy_forward(root) &&
			    atomic_read(&anon_vma_lazy_forward(root)->refcount) < 1)
				return fail(m, "pid %d: a listing root forwards to a dead anon_vma",
					    pid);
		}
	}
	return true;
}

bool mm_oracle_check(struct mm_model *m)
{
	struct mm_model_folio *mf;
	struct mm_model_swap *slot;
	unsigned int page, i;
	int pid;

	if (m->failure[0])
		return false;
	list_for_each_entry(mf, &m->folios, list)
		memset(mf->seen, 0, sizeof(mf->seen));
	list_for_each_entry(slot, &m->swap, list)
		slot->seen = 0;
	for (pid = 0; pid < MM_MODEL_PROCS; pid++) {
		struct mm_model_proc *proc = &m->proc[pid];

		if (!proc->alive)
			continue;
		for (page = 0; page < MM_MODEL_PAGES; page++) {
			struct mm_model_pte *pte = &proc->pte[page];
			unsigned long addr = mm_model_addr(page);
			struct vm_area_struct *vma;

			if (pte->kind == MM_PTE_NONE)
				continue;
			if (pte->kind == MM_PTE_MIGRATION)
				return fail(m, "pid %d page %u: migration entry left",
					    pid, page);
			vma = vma_at(&proc->mm, addr);
			if (!vma)
				return fail(m, "pid %d page %u: pte outside every VMA",
					    pid, page);
			if (!vma->anon_vma)
				return fail(m, "pid %d page %u: anon page in a VMA without a tree",
					    pid, page);
			if (pte->kind == MM_PTE_SWAP) {
				pte->swap->seen++;
				continue;
			}
			mf = pte->folio;
			mf->seen[pte->page]++;
			if (!mf->ksm &&
			    linear_page_index(vma, addr) != mf->folio.index + pte->page)
				return fail(m, "pid %d page %u: folio %u index %lu + %u, VMA says %lu",
					    pid, page, mf->id, mf->folio.index,
					    pte->page, linear_page_index(vma, addr));
		}
	}
	list_for_each_entry(slot, &m->swap, list)
		if (slot->seen != slot->count)
			return fail(m, "swap slot: %u ptes, count %u", slot->seen,
				    slot->count);
	list_for_each_entry(mf, &m->folios, list) {
		int total = -1;

		for (i = 0; i < folio_nr_pages(&mf->folio); i++) {
			if (mf->seen[i] != mf->maps[i])
				return fail(m, "folio %u page %u: %u ptes, %u counted",
					    mf->id, i, mf->seen[i], mf->maps[i]);
			total += mf->maps[i];
		}
		if (atomic_read(&mf->folio._mapcount) != total)
			return fail(m, "folio %u: mapcount %d, ptes say %d", mf->id,
				    atomic_read(&mf->folio._mapcount), total);
		if (!folio_test_anon(&mf->folio))
			return fail(m, "folio %u: mapping %p is not anonymous",
				    mf->id, mf->folio.mapping);
		if (total < 0)
			continue;
		if (!check_walk(m, mf))
			return false;
	}
	return check_lazy_roots(m);
}

bool mm_oracle_same_memory(struct mm_model *a, struct mm_model *b, char *why,
			   size_t len)
{
	unsigned int page;
	int pid;

	for (pid = 0; pid < MM_MODEL_PROCS; pid++) {
		if (a->proc[pid].alive != b->proc[pid].alive) {
			snprintf(why, len, "pid %d alive in one machine only", pid);
			return false;
		}
		for (page = 0; page < MM_MODEL_PAGES; page++) {
			u64 x = mm_model_peek(a, pid, page);
			u64 y = mm_model_peek(b, pid, page);

			if (x != y) {
				snprintf(why, len,
					 "pid %d page %u: %s reads %#llx, %s reads %#llx",
					 pid, page, a->name,
					 (unsigned long long)x, b->name,
					 (unsigned long long)y);
				return false;
			}
		}
	}
	return true;
}
