// SPDX-License-Identifier: GPL-2.0
/*
 * The userspace mm (see mm_model.h): VMAs, page tables and the operations
 * that change them. Each operation follows the kernel function named in its
 * comment, calling the anon_vma code where that function does: that call
 * sequence, not the model's own bookkeeping, is what the oracle checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mm_model.h"
#include "anon_vma_lazy.h"

#define VM_MODEL_DEFAULT	(VM_MAYREAD | VM_MAYWRITE)

static struct mm_model_proc *model_proc(struct mm_model *m, int pid)
{
	if (pid < 0 || pid >= MM_MODEL_PROCS || !m->proc[pid].alive)
		return NULL;
	return &m->proc[pid];
}

static struct mm_model_proc *mm_proc(struct mm_struct *mm)
{
	return container_of(mm, struct mm_model_proc, mm);
}

static struct mm_model_pte *model_pte(struct mm_struct *mm,
				      unsigned long address)
{
	unsigned int page = mm_model_page(address);

	if (page >= MM_MODEL_PAGES)
		return NULL;
	return &mm_proc(mm)->pte[page];
}

static bool range_ok(unsigned int page, unsigned int nr)
{
	return nr && page < MM_MODEL_PAGES && nr <= MM_MODEL_PAGES - page;
}

/* ---- VMAs: the mm/vma.c side ---- */

static struct vm_area_struct *find_vma_at(struct mm_struct *mm,
					  unsigned long address)
{
	struct vm_area_struct *vma;

	list_for_each_entry(vma, &mm->mmap, vm_list) {
		if (address < vma->vm_start)
			return NULL;
		if (address < vma->vm_end)
			return vma;
	}
	return NULL;
}

static struct vm_area_struct *vma_prev_of(struct vm_area_struct *vma)
{
	if (vma->vm_list.prev == &vma->vm_mm->mmap)
		return NULL;
	return list_entry(vma->vm_list.prev, struct vm_area_struct, vm_list);
}

static struct vm_area_struct *vma_next_of(struct vm_area_struct *vma)
{
	if (vma->vm_list.next == &vma->vm_mm->mmap)
		return NULL;
	return list_entry(vma->vm_list.next, struct vm_area_struct, vm_list);
}

static struct vm_area_struct *vm_area_alloc(struct mm_model *m,
					    struct mm_struct *mm)
{
	struct vm_area_struct *vma = calloc(1, sizeof(*vma));

	if (!vma)
		abort();
	vma->vm_mm = mm;
	INIT_LIST_HEAD(&vma->anon_vma_chain);
	INIT_LIST_HEAD(&vma->vm_list);
	m->nr_vmas++;
	return vma;
}

/* vm_area_dup(): the tree is the caller's to set, by clone or fork. */
static struct vm_area_struct *vm_area_dup(struct mm_model *m,
					  struct vm_area_struct *orig)
{
	struct vm_area_struct *vma = vm_area_alloc(m, orig->vm_mm);

	vma->vm_start = orig->vm_start;
	vma->vm_end = orig->vm_end;
	vm_flags_init(vma, orig->vm_flags);
	vma->vm_pgoff = orig->vm_pgoff;
	vma->vm_file = orig->vm_file;
	vma->anon_vma = orig->anon_vma;
	return vma;
}

static void vm_area_free(struct mm_model *m, struct vm_area_struct *vma)
{
	m->nr_vmas--;
	free(vma);
}

static void vma_link(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	struct vm_area_struct *pos;

	list_for_each_entry(pos, &mm->mmap, vm_list) {
		if (pos->vm_start >= vma->vm_end) {
			list_add_tail(&vma->vm_list, &pos->vm_list);
			mm->map_count++;
			return;
		}
	}
	list_add_tail(&vma->vm_list, &mm->mmap);
	mm->map_count++;
}

static void vma_unlink_list(struct vm_area_struct *vma)
{
	list_del_init(&vma->vm_list);
	vma->vm_mm->map_count--;
}

/* vma_prepare()/vma_complete(): ranges change under the rmap lock. */
static void vma_lock_rmap(struct vm_area_struct *vma)
{
	if (vma->anon_vma)
		anon_vma_lock_write(vma->anon_vma);
}

static void vma_unlock_rmap(struct vm_area_struct *vma)
{
	if (vma->anon_vma)
		anon_vma_unlock_write(vma->anon_vma);
}

/*
 * __split_vma(): @new gets the part below @address when @new_below, the
 * part above otherwise; it joins @vma's tree before either range changes.
 */
static int split_vma(struct mm_model *m, struct vm_area_struct *vma,
		     unsigned long address, bool new_below)
{
	struct vm_area_struct *new;
	int err;

	if (address <= vma->vm_start || address >= vma->vm_end)
		return 0;
	new = vm_area_dup(m, vma);
	if (new_below) {
		new->vm_end = address;
	} else {
		new->vm_start = address;
		new->vm_pgoff += (address - vma->vm_start) >> PAGE_SHIFT;
	}
	err = anon_vma_clone(new, vma);
	if (err) {
		vm_area_free(m, new);
		return err;
	}
	vma_lock_rmap(vma);
	if (new_below) {
		vma->vm_pgoff += (address - vma->vm_start) >> PAGE_SHIFT;
		vma->vm_start = address;
	} else {
		vma->vm_end = address;
	}
	vma_link(new);
	vma_unlock_rmap(vma);
	return 0;
}

/* is_mergeable_anon_vma(), as the patched mm/vma.c has it. */
#include "vma-merge-helpers.h"

static bool anon_vmas_mergeable(struct anon_vma *a1, struct anon_vma *a2,
				struct vm_area_struct *vma)
{
	return is_mergeable_anon_vma(a1, a2, vma);
}

static bool flags_pgoff_mergeable(struct vm_area_struct *prev,
				  unsigned long end, vm_flags_t flags,
				  struct file *file, pgoff_t pgoff)
{
	return prev->vm_end == end && prev->vm_flags == flags &&
	       prev->vm_file == file &&
	       prev->vm_pgoff + ((prev->vm_end - prev->vm_start) >> PAGE_SHIFT) ==
	       pgoff;
}

/* dup_anon_vma(): an expanding VMA takes the tree of the one it covers. */
static int dup_anon_vma(struct vm_area_struct *dst, struct vm_area_struct *src)
{
	if (src->anon_vma && !dst->anon_vma) {
		dst->anon_vma = src->anon_vma;
		return anon_vma_clone(dst, src);
	}
	return 0;
}

/*
 * @prev absorbs @next, which ends where @prev's new end is: the merge of
 * two existing VMAs (vma_merge_existing_range() and vma_expand() reduced
 * to the case of one neighbour), with the tree carried over first.
 */
static int merge_pair(struct mm_model *m, struct vm_area_struct *prev,
		      struct vm_area_struct *next)
{
	int err = dup_anon_vma(prev, next);

	if (err)
		return err;
	vma_lock_rmap(prev);
	prev->vm_end = next->vm_end;
	vma_unlink_list(next);
	vma_unlock_rmap(prev);
	/* anon_vma_merge() from vma_complete(). */
	if (next->anon_vma)
		unlink_anon_vmas(next);
	vm_area_free(m, next);
	return 0;
}

/*
 * can_vma_merge_after()/before(): may @vma, just changed, merge with its
 * neighbour @near? The neighbour is the VMA whose chains are checked.
 */
static bool can_merge(struct vm_area_struct *vma, struct vm_area_struct *near)
{
	struct vm_area_struct *prev = near->vm_end == vma->vm_start ? near : vma;
	struct vm_area_struct *next = prev == near ? vma : near;

	return flags_pgoff_mergeable(prev, next->vm_start, next->vm_flags,
				     next->vm_file, next->vm_pgoff) &&
	       anon_vmas_mergeable(vma->anon_vma, near->anon_vma, near);
}

/* Merge @vma with its neighbours where the kernel would. */
static struct vm_area_struct *try_merge(struct mm_model *m,
					struct vm_area_struct *vma)
{
	struct vm_area_struct *prev = vma_prev_of(vma);
	struct vm_area_struct *next = vma_next_of(vma);
	bool left = prev && can_merge(vma, prev);
	bool right = next && can_merge(vma, next);

	/* are_anon_vmas_compatible(): prev and next must agree too. */
	if (left && right &&
	    !anon_vmas_mergeable(prev->anon_vma, next->anon_vma, NULL))
		right = false;
	if (right && merge_pair(m, vma, next))
		return vma;
	if (left && !merge_pair(m, prev, vma))
		vma = prev;
	return vma;
}

/* ---- folios, pages and swap ---- */

static struct mm_model_folio *model_folio_alloc(struct mm_model *m,
						unsigned int order)
{
	struct mm_model_folio *mf = calloc(1, sizeof(*mf));

	if (!mf)
		abort();
	mf->folio.order = order;
	atomic_set(&mf->folio._mapcount, -1);
	atomic_set(&mf->folio._refcount, 1);
	mf->id = ++m->next_folio_id;
	list_add_tail(&mf->list, &m->folios);
	m->nr_folios++;
	return mf;
}

static void model_folio_free(struct mm_model *m, struct mm_model_folio *mf)
{
	unsigned int i;

	for (i = 0; i < mf->nr_items; i++)
		put_anon_vma(mf->items[i].anon_vma);
	free(mf->items);
	for (i = 0; i < folio_nr_pages(&mf->folio); i++)
		if (mf->swap[i])
			mf->swap[i]->cache = NULL;
	list_del(&mf->list);
	m->nr_folios--;
	/* Poison: a stale walk through this folio now reads garbage. */
	memset(mf, 0x6b, sizeof(*mf));
	free(mf);
}

static bool model_folio_in_swapcache(struct mm_model_folio *mf)
{
	unsigned int i;

	for (i = 0; i < folio_nr_pages(&mf->folio); i++)
		if (mf->swap[i])
			return true;
	return false;
}

static void model_folio_put_if_unused(struct mm_model *m,
				      struct mm_model_folio *mf)
{
	if (!folio_mapped(&mf->folio) && !model_folio_in_swapcache(mf))
		model_folio_free(m, mf);
}

static void pte_map(struct mm_model_pte *pte, struct mm_model_folio *mf,
		    unsigned int page)
{
	pte->kind = MM_PTE_PRESENT;
	pte->folio = mf;
	pte->page = page;
	pte->swap = NULL;
	pte->young = true;
	mf->maps[page]++;
	atomic_inc(&mf->folio._mapcount);
}

static void pte_clear(struct mm_model_pte *pte)
{
	memset(pte, 0, sizeof(*pte));
}

static struct mm_model_swap *swap_alloc(struct mm_model *m)
{
	struct mm_model_swap *slot = calloc(1, sizeof(*slot));

	if (!slot)
		abort();
	list_add_tail(&slot->list, &m->swap);
	m->nr_swap++;
	return slot;
}

/* The slot leaves the device; its swap cache link is the caller's. */
static void swap_free(struct mm_model *m, struct mm_model_swap *slot)
{
	list_del(&slot->list);
	m->nr_swap--;
	free(slot);
}

static void swap_put(struct mm_model *m, struct mm_model_swap *slot)
{
	struct mm_model_folio *mf;

	if (slot->count && --slot->count)
		return;
	mf = slot->cache;
	if (mf) {
		mf->swap[slot->cache_page] = NULL;
		model_folio_put_if_unused(m, mf);
	}
	swap_free(m, slot);
}

/* A swap cache page nobody's pte names any more is dropped with its slot. */
static void swap_drop_unused(struct mm_model *m, struct mm_model_folio *mf)
{
	unsigned int i;

	for (i = 0; i < folio_nr_pages(&mf->folio); i++) {
		struct mm_model_swap *slot = mf->swap[i];

		if (slot && !slot->count) {
			mf->swap[i] = NULL;
			swap_free(m, slot);
		}
	}
}

/* zap_pte_range() for one entry: folio_remove_rmap_pte() or free_swap. */
static void pte_zap(struct mm_model *m, struct mm_model_pte *pte)
{
	struct mm_model_folio *mf = pte->folio;

	switch (pte->kind) {
	case MM_PTE_PRESENT:
		mf->maps[pte->page]--;
		folio_remove_rmap(&mf->folio);
		pte_clear(pte);
		model_folio_put_if_unused(m, mf);
		break;
	case MM_PTE_SWAP:
		swap_put(m, pte->swap);
		pte_clear(pte);
		break;
	default:
		pte_clear(pte);
		break;
	}
}

static void zap_range(struct mm_model *m, struct mm_struct *mm,
		      unsigned long start, unsigned long end)
{
	unsigned long address;

	spin_lock(&mm->page_table_lock);
	for (address = start; address < end; address += PAGE_SIZE)
		pte_zap(m, model_pte(mm, address));
	spin_unlock(&mm->page_table_lock);
}

/*
 * split_folio(): a large folio becomes order-0 folios with the same
 * mapping and consecutive indices, under its rmap lock, as
 * split_huge_page_to_list_to_order() does it.
 */
static struct mm_model_folio *model_split_large(struct mm_model *m,
						struct mm_model_folio *mf,
						unsigned int keep)
{
	unsigned int nr = folio_nr_pages(&mf->folio), i, p;
	struct mm_model_folio *small[MM_MODEL_LARGE_PAGES];
	struct anon_vma *anon_vma;
	struct mm_model_proc *proc;

	if (nr == 1)
		return mf;
	anon_vma = folio_get_anon_vma(&mf->folio);
	if (anon_vma)
		anon_vma_lock_write(anon_vma);
	for (i = 0; i < nr; i++) {
		small[i] = model_folio_alloc(m, 0);
		small[i]->folio.mapping = mf->folio.mapping;
		small[i]->folio.index = mf->folio.index + i;
		small[i]->data[0] = mf->data[i];
		small[i]->exclusive[0] = mf->exclusive[i];
		small[i]->swap[0] = mf->swap[i];
		if (mf->swap[i]) {
			mf->swap[i]->cache = small[i];
			mf->swap[i]->cache_page = 0;
			mf->swap[i] = NULL;
		}
	}
	for (p = 0; p < MM_MODEL_PROCS; p++) {
		proc = &m->proc[p];
		if (!proc->alive)
			continue;
		for (i = 0; i < MM_MODEL_PAGES; i++) {
			struct mm_model_pte *pte = &proc->pte[i];
			unsigned int page = pte->page;

			if (pte->kind != MM_PTE_PRESENT || pte->folio != mf)
				continue;
			mf->maps[page]--;
			atomic_dec(&mf->folio._mapcount);
			pte_map(pte, small[page], 0);
		}
	}
	if (anon_vma) {
		anon_vma_unlock_write(anon_vma);
		put_anon_vma(anon_vma);
	}
	for (i = 0; i < nr; i++)
		if (i != keep)
			model_folio_put_if_unused(m, small[i]);
	mf->folio.mapping = NULL;
	model_folio_free(m, mf);
	return small[keep];
}

/* ---- faults: mm/memory.c ---- */

static bool page_exclusive(struct mm_model_folio *mf, unsigned int page)
{
	return mf->exclusive[page] && !mf->ksm;
}

/*
 * do_anonymous_page(): a zeroed folio, of order 2 when its naturally
 * aligned block lies in the VMA with every pte empty (mTHP), else order 0.
 */
static int do_anonymous_page(struct mm_model *m, struct vm_area_struct *vma,
			     unsigned long address, u64 data, bool large)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long start = address, a;
	struct mm_model_folio *mf;
	unsigned int nr = 1, i;
	int err;

	err = anon_vma_prepare(vma);
	if (err)
		return err;
	/* do_cow_fault() copies a file's page into an order-0 folio. */
	if (large && !vma->vm_file) {
		unsigned long size = MM_MODEL_LARGE_PAGES * PAGE_SIZE;

		start = address & ~(size - 1);
		nr = MM_MODEL_LARGE_PAGES;
		if (start < vma->vm_start || start + size > vma->vm_end ||
		    mm_model_page(start) + nr > MM_MODEL_PAGES)
			nr = 1;
		for (a = start; nr > 1 && a < start + size; a += PAGE_SIZE)
			if (model_pte(mm, a)->kind != MM_PTE_NONE)
				nr = 1;
		if (nr == 1)
			start = address;
	}
	mf = model_folio_alloc(m, nr > 1 ? MM_MODEL_LARGE_ORDER : 0);
	spin_lock(&mm->page_table_lock);
	__folio_set_anon(&mf->folio, vma, start, true);
	for (i = 0; i < nr; i++) {
		mf->exclusive[i] = true;
		pte_map(model_pte(mm, start + i * PAGE_SIZE), mf, i);
	}
	mf->data[(address - start) >> PAGE_SHIFT] = data;
	spin_unlock(&mm->page_table_lock);
	return 0;
}

/*
 * do_swap_page(): the swap cache's folio if it may be mapped here
 * (ksm_might_need_to_copy()), else a new one read from the slot.
 */
static int do_swap_page(struct mm_model *m, struct vm_area_struct *vma,
			unsigned long address)
{
	struct mm_model_pte *pte = model_pte(vma->vm_mm, address);
	struct mm_model_swap *slot = pte->swap;
	struct mm_model_folio *mf = slot->cache;
	unsigned int page = slot->cache_page;
	bool exclusive = slot->exclusive && slot->count == 1;

	if (mf && !mf->ksm &&
	    (mf->folio.index + page != linear_page_index(vma, address) ||
	     !folio_anon_vma_handle_matches(&mf->folio, vma)))
		mf = NULL;
	if (!mf) {
		mf = model_folio_alloc(m, 0);
		page = 0;
		mf->data[0] = slot->data;
		__folio_set_anon(&mf->folio, vma, address, exclusive);
		if (!slot->cache && slot->count > 1) {
			slot->cache = mf;
			slot->cache_page = 0;
			mf->swap[0] = slot;
		}
	}
	mf->exclusive[page] = exclusive;
	spin_lock(&vma->vm_mm->page_table_lock);
	pte_clear(pte);
	pte_map(pte, mf, page);
	spin_unlock(&vma->vm_mm->page_table_lock);
	swap_put(m, slot);
	m->swapins++;
	return 0;
}

/*
 * do_wp_page(): reuse an exclusive page (wp_can_reuse_anon_folio() moves a
 * small folio to this VMA's handle), else copy it (wp_page_copy()).
 */
static int do_wp_page(struct mm_model *m, struct vm_area_struct *vma,
		      unsigned long address, u64 data, bool write)
{
	struct mm_struct *mm = vma->vm_mm;
	struct mm_model_pte *pte = model_pte(mm, address);
	struct mm_model_folio *mf = pte->folio, *copy;
	unsigned int page = pte->page;
	int err;

	if (!write)
		return 0;
	if (page_exclusive(mf, page))
		goto reuse;
	if (!mf->ksm && folio_nr_pages(&mf->folio) == 1 &&
	    atomic_read(&mf->folio._mapcount) == 0 &&
	    !model_folio_in_swapcache(mf)) {
		folio_lock(&mf->folio);
		folio_move_anon_rmap(&mf->folio, vma);
		folio_unlock(&mf->folio);
		mf->exclusive[page] = true;
		goto reuse;
	}
	err = anon_vma_prepare(vma);
	if (err)
		return err;
	copy = model_folio_alloc(m, 0);
	spin_lock(&mm->page_table_lock);
	__folio_set_anon(&copy->folio, vma, address, true);
	copy->exclusive[0] = true;
	pte_zap(m, pte);
	pte_map(pte, copy, 0);
	copy->data[0] = data;
	spin_unlock(&mm->page_table_lock);
	m->cows++;
	return 0;
reuse:
	pte->young = true;
	mf->data[page] = data;
	return 0;
}

/* handle_mm_fault() on one page, then the access itself. */
static int handle_fault(struct mm_model *m, struct mm_struct *mm,
			unsigned long address, bool write, u64 data, bool large)
{
	struct vm_area_struct *vma = find_vma_at(mm, address);
	struct mm_model_pte *pte;
	int err;

	if (!vma || (write && !(vma->vm_flags & VM_WRITE)) ||
	    (!write && !(vma->vm_flags & VM_READ)))
		return -EFAULT;
	pte = model_pte(mm, address);
	if (pte->kind == MM_PTE_NONE) {
		/* A read maps the zero page: no anonymous folio yet. */
		if (!write)
			return 0;
		return do_anonymous_page(m, vma, address, data, large);
	}
	if (pte->kind == MM_PTE_SWAP) {
		err = do_swap_page(m, vma, address);
		if (err)
			return err;
	}
	pte->young = true;
	return do_wp_page(m, vma, address, data, write);
}

int mm_model_write(struct mm_model *m, int pid, unsigned int page, u64 data,
		   bool large)
{
	struct mm_model_proc *proc = model_proc(m, pid);
	int err;

	if (!proc || page >= MM_MODEL_PAGES)
		return -EINVAL;
	mmap_read_lock(&proc->mm);
	err = handle_fault(m, &proc->mm, mm_model_addr(page), true, data,
			   large);
	mmap_read_unlock(&proc->mm);
	return err;
}

int mm_model_read(struct mm_model *m, int pid, unsigned int page, u64 *data)
{
	struct mm_model_proc *proc = model_proc(m, pid);
	int err;

	if (!proc || page >= MM_MODEL_PAGES)
		return -EINVAL;
	mmap_read_lock(&proc->mm);
	err = handle_fault(m, &proc->mm, mm_model_addr(page), false, 0, false);
	mmap_read_unlock(&proc->mm);
	if (!err && data)
		*data = mm_model_peek(m, pid, page);
	return err;
}

u64 mm_model_peek(struct mm_model *m, int pid, unsigned int page)
{
	struct mm_model_proc *proc = model_proc(m, pid);
	struct mm_model_pte *pte;

	if (!proc || page >= MM_MODEL_PAGES ||
	    !find_vma_at(&proc->mm, mm_model_addr(page)))
		return MM_MODEL_UNMAPPED;
	pte = &proc->pte[page];
	switch (pte->kind) {
	case MM_PTE_PRESENT:
	case MM_PTE_MIGRATION:
		return pte->folio->data[pte->page];
	case MM_PTE_SWAP:
		return pte->swap->data;
	default:
		return 0;
	}
}

/* ---- address space operations: mmap.c, mprotect.c, mremap.c ---- */

static bool range_mapped(struct mm_struct *mm, unsigned long start,
			 unsigned long end)
{
	unsigned long address;

	for (address = start; address < end; address += PAGE_SIZE)
		if (!find_vma_at(mm, address))
			return false;
	return true;
}

static bool range_free(struct mm_struct *mm, unsigned long start,
		       unsigned long end)
{
	unsigned long address;

	for (address = start; address < end; address += PAGE_SIZE)
		if (find_vma_at(mm, address))
			return false;
	return true;
}

int mm_model_spawn(struct mm_model *m)
{
	int pid;

	for (pid = 0; pid < MM_MODEL_PROCS; pid++) {
		struct mm_model_proc *proc = &m->proc[pid];

		if (proc->alive)
			continue;
		memset(proc, 0, sizeof(*proc));
		init_rwsem(&proc->mm.mmap_lock);
		spin_lock_init(&proc->mm.page_table_lock);
		INIT_LIST_HEAD(&proc->mm.mmap);
		atomic_set(&proc->mm.mm_users, 1);
		proc->alive = true;
		return pid;
	}
	return -EAGAIN;
}

/* mmap(MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE). */
/* The one file every file mapping of the model maps: only its address counts. */
static struct mm_model_file {
	int unused;
} mm_model_file;

static int do_mmap(struct mm_model *m, int pid, unsigned int page,
		   unsigned int nr, vm_flags_t prot, struct file *file,
		   pgoff_t pgoff)
{
	struct mm_model_proc *proc = model_proc(m, pid);
	unsigned long start = mm_model_addr(page);
	unsigned long end = start + nr * PAGE_SIZE;
	struct vm_area_struct *vma;

	if (!proc || !range_ok(page, nr))
		return -EINVAL;
	mmap_write_lock(&proc->mm);
	if (!range_free(&proc->mm, start, end)) {
		mmap_write_unlock(&proc->mm);
		return -EEXIST;
	}
	vma = vm_area_alloc(m, &proc->mm);
	vma->vm_start = start;
	vma->vm_end = end;
	vma->vm_pgoff = file ? pgoff : start >> PAGE_SHIFT;
	vma->vm_file = file;
	vm_flags_init(vma, VM_MODEL_DEFAULT | (prot & VM_ACCESS_FLAGS));
	vma_link(vma);
	try_merge(m, vma);
	mmap_write_unlock(&proc->mm);
	return 0;
}

int mm_model_mmap(struct mm_model *m, int pid, unsigned int page,
		  unsigned int nr, vm_flags_t prot)
{
	return do_mmap(m, pid, page, nr, prot, NULL, 0);
}

int mm_model_mmap_file(struct mm_model *m, int pid, unsigned int page,
		       unsigned int nr, vm_flags_t prot, pgoff_t pgoff)
{
	return do_mmap(m, pid, page, nr, prot,
		       (struct file *)&mm_model_file, pgoff);
}

/* Make VMA boundaries at @start and @end; -ENOMEM on failure, as mainline. */
static int split_at(struct mm_model *m, struct mm_struct *mm,
		    unsigned long start, unsigned long end)
{
	struct vm_area_struct *vma = find_vma_at(mm, start);
	int err = 0;

	if (vma && vma->vm_start < start)
		err = split_vma(m, vma, start, false);
	vma = find_vma_at(mm, end - 1);
	if (!err && vma && vma->vm_end > end)
		err = split_vma(m, vma, end, true);
	return err;
}

/* do_vmi_align_munmap(): split, zap, unlink_anon_vmas(), free. */
static int do_munmap(struct mm_model *m, struct mm_struct *mm,
		     unsigned long start, unsigned long end)
{
	struct vm_area_struct *vma, *next;
	LIST_HEAD(detached);
	int err;

	mmap_assert_write_locked(mm);
	err = split_at(m, mm, start, end);
	if (err)
		return err;
	list_for_each_entry_safe(vma, next, &mm->mmap, vm_list) {
		if (vma->vm_start >= start && vma->vm_end <= end) {
			vma_unlink_list(vma);
			list_add_tail(&vma->vm_list, &detached);
		}
	}
	zap_range(m, mm, start, end);
	list_for_each_entry_safe(vma, next, &detached, vm_list) {
		list_del(&vma->vm_list);
		if (vma->anon_vma)
			unlink_anon_vmas(vma);
		vm_area_free(m, vma);
	}
	return 0;
}

int mm_model_munmap(struct mm_model *m, int pid, unsigned int page,
		    unsigned int nr)
{
	struct mm_model_proc *proc = model_proc(m, pid);
	unsigned long start = mm_model_addr(page);
	int err;

	if (!proc || !range_ok(page, nr))
		return -EINVAL;
	mmap_write_lock(&proc->mm);
	err = do_munmap(m, &proc->mm, start, start + nr * PAGE_SIZE);
	mmap_write_unlock(&proc->mm);
	return err;
}

/* mprotect_fixup() over the range: split, set the flags, merge back. */
int mm_model_mprotect(struct mm_model *m, int pid, unsigned int page,
		      unsigned int nr, vm_flags_t prot)
{
	struct mm_model_proc *proc = model_proc(m, pid);
	unsigned long start = mm_model_addr(page);
	unsigned long end = start + nr * PAGE_SIZE;
	struct vm_area_struct *vma;
	unsigned long address;
	int err;

	if (!proc || !range_ok(page, nr))
		return -EINVAL;
	mmap_write_lock(&proc->mm);
	err = -ENOMEM;
	if (!range_mapped(&proc->mm, start, end))
		goto out;
	err = split_at(m, &proc->mm, start, end);
	if (err)
		goto out;
	for (address = start; address < end; address = vma->vm_end) {
		vma = find_vma_at(&proc->mm, address);
		vm_flags_reset(vma, (vma->vm_flags & ~VM_ACCESS_FLAGS) |
				    (prot & VM_ACCESS_FLAGS));
	}
	for (address = start; address < end; address = vma->vm_end)
		vma = try_merge(m, find_vma_at(&proc->mm, address));
	if (start > mm_model_addr(0)) {
		vma = find_vma_at(&proc->mm, start - PAGE_SIZE);
		if (vma)
			try_merge(m, vma);
	}
out:
	mmap_write_unlock(&proc->mm);
	return err;
}

int mm_model_dontneed(struct mm_model *m, int pid, unsigned int page,
		      unsigned int nr)
{
	struct mm_model_proc *proc = model_proc(m, pid);
	unsigned long start = mm_model_addr(page);
	unsigned long end = start + nr * PAGE_SIZE;

	if (!proc || !range_ok(page, nr))
		return -EINVAL;
	mmap_read_lock(&proc->mm);
	if (!range_mapped(&proc->mm, start, end)) {
		mmap_read_unlock(&proc->mm);
		return -ENOMEM;
	}
	zap_range(m, &proc->mm, start, end);
	mmap_read_unlock(&proc->mm);
	return 0;
}

/* break_ksm() over a range: a KSM page becomes a private copy again. */
static int unmerge_ksm_range(struct mm_model *m, struct mm_struct *mm,
			     unsigned long start, unsigned long end)
{
	unsigned long address;
	int err;

	for (address = start; address < end; address += PAGE_SIZE) {
		struct mm_model_pte *pte = model_pte(mm, address);

		if (pte->kind != MM_PTE_PRESENT || !pte->folio->ksm)
			continue;
		err = do_wp_page(m, find_vma_at(mm, address), address,
				 pte->folio->data[pte->page], true);
		if (err)
			return err;
	}
	return 0;
}

/*
 * copy_vma(): the destination merges with a neighbour when the kernel's
 * vma_merge_new_range() would, else it is a new VMA cloned from @vma.
 */
static struct vm_area_struct *copy_vma(struct mm_model *m,
				       struct vm_area_struct **vmap,
				       unsigned long addr, unsigned long len,
				       pgoff_t pgoff, bool *need_rmap_locks,
				       bool keep_source)
{
	struct vm_area_struct *vma = *vmap, *new_vma, *prev, *next, *pos;
	struct mm_struct *mm = vma->vm_mm;
	unsigned long vma_start = vma->vm_start;
	bool faulted_in_anon_vma = true, left, right;

	if (!vma->vm_file && !vma->anon_vma) {
		pgoff = addr >> PAGE_SHIFT;
		faulted_in_anon_vma = false;
	}
	prev = NULL;
	next = NULL;
	list_for_each_entry(pos, &mm->mmap, vm_list) {
		if (pos->vm_end <= addr)
			prev = pos;
		else if (pos->vm_start >= addr + len && !next)
			next = pos;
	}
	if (!faulted_in_anon_vma && keep_source) {
		if (prev == vma)
			prev = NULL;
		if (next == vma)
			next = NULL;
	}
	/* can_vma_merge_left()/right(), each neighbour checked as mainline. */
	left = prev && flags_pgoff_mergeable(prev, addr, vma->vm_flags,
					     vma->vm_file, pgoff) &&
	       anon_vmas_mergeable(vma->anon_vma, prev->anon_vma, prev);
	right = next && next->vm_start == addr + len &&
		next->vm_flags == vma->vm_flags &&
		next->vm_file == vma->vm_file &&
		next->vm_pgoff == pgoff + (len >> PAGE_SHIFT) &&
		anon_vmas_mergeable(vma->anon_vma, next->anon_vma, next);
	if (left && right && !anon_vmas_mergeable(prev->anon_vma,
						  next->anon_vma, NULL))
		right = false;
	if (left || right) {
		new_vma = left ? prev : next;
		vma_lock_rmap(new_vma);
		if (left) {
			prev->vm_end = addr + len;
		} else {
			next->vm_start = addr;
			next->vm_pgoff = pgoff;
		}
		vma_unlock_rmap(new_vma);
		if (left && right) {
			/* vma_expand() over next: its tree comes first. */
			if (dup_anon_vma(prev, next)) {
				vma_lock_rmap(prev);
				prev->vm_end = addr;
				vma_unlock_rmap(prev);
				return NULL;
			}
			merge_pair(m, prev, next);
		}
		if (vma_start >= new_vma->vm_start &&
		    vma_start < new_vma->vm_end) {
			/* Only an unfaulted VMA may merge with itself. */
			WARN_ON_ONCE(faulted_in_anon_vma);
			*vmap = new_vma;
			vma = new_vma;
		}
		*need_rmap_locks = vma_anon_vma_is_lazy(vma) ||
				   new_vma->vm_pgoff <= vma->vm_pgoff;
		return new_vma;
	}
	new_vma = vm_area_dup(m, vma);
	new_vma->vm_start = addr;
	new_vma->vm_end = addr + len;
	new_vma->vm_pgoff = pgoff;
	if (anon_vma_clone(new_vma, vma)) {
		vm_area_free(m, new_vma);
		return NULL;
	}
	vma_link(new_vma);
	*need_rmap_locks = false;
	return new_vma;
}

/* move_page_tables(): entries move; the folios keep mapping and index. */
static void move_page_tables(struct vm_area_struct *vma, unsigned long old,
			     struct vm_area_struct *new_vma, unsigned long new,
			     unsigned long len, bool need_rmap_locks)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long off;

	if (need_rmap_locks)
		vma_lock_rmap(vma);
	spin_lock(&mm->page_table_lock);
	for (off = 0; off < len; off += PAGE_SIZE) {
		struct mm_model_pte *from = model_pte(mm, old + off);
		struct mm_model_pte *to = model_pte(mm, new + off);

		*to = *from;
		pte_clear(from);
	}
	spin_unlock(&mm->page_table_lock);
	if (need_rmap_locks)
		vma_unlock_rmap(vma);
}

/* move_vma() of [old, old + len) inside one VMA to @new. */
static int move_vma(struct mm_model *m, struct vm_area_struct *vma,
		    unsigned long old, unsigned long len, unsigned long new,
		    bool dontunmap)
{
	pgoff_t pgoff = vma->vm_pgoff + ((old - vma->vm_start) >> PAGE_SHIFT);
	struct mm_struct *mm = vma->vm_mm;
	struct vm_area_struct *new_vma;
	bool need_rmap_locks;
	int err;

	/* ksm_madvise(MADV_UNMERGEABLE): KSM pages do not move. */
	err = unmerge_ksm_range(m, mm, old, old + len);
	if (err)
		return err;
	new_vma = copy_vma(m, &vma, new, len, pgoff, &need_rmap_locks,
			   dontunmap);
	if (!new_vma)
		return -ENOMEM;
	move_page_tables(vma, old, new_vma, new, len, need_rmap_locks);
	m->moved++;
	if (!dontunmap)
		return do_munmap(m, mm, old, old + len);
	/*
	 * move_vma(): an old VMA that was all moved keeps no anon state, and
	 * an anonymous one is unfaulted again, pgoff from its address.
	 */
	if (vma->vm_start == old && vma->vm_end == old + len) {
		unlink_anon_vmas(vma);
		if (!vma->vm_file)
			vma->vm_pgoff = vma->vm_start >> PAGE_SHIFT;
	}
	return 0;
}

/*
 * mremap(): shrink, grow in place, or move. The kernel wants the old range
 * in one VMA; the model moves it piece by piece, so that whether it works
 * does not depend on how VMAs merged, which may differ with the switch.
 */
int mm_model_mremap(struct mm_model *m, int pid, unsigned int page,
		    unsigned int old_nr, unsigned int new_nr, int flags,
		    unsigned int new_page)
{
	struct mm_model_proc *proc = model_proc(m, pid);
	unsigned long old = mm_model_addr(page), new = mm_model_addr(new_page);
	unsigned long old_len = old_nr * PAGE_SIZE, new_len = new_nr * PAGE_SIZE;
	struct mm_struct *mm;
	struct vm_area_struct *vma;
	unsigned long off;
	int err = 0;

	if (!proc || !range_ok(page, old_nr) || !new_nr)
		return -EINVAL;
	mm = &proc->mm;
	if ((flags & MM_MREMAP_DONTUNMAP) &&
	    (!(flags & MM_MREMAP_FIXED) || old_nr != new_nr))
		return -EINVAL;
	if ((flags & MM_MREMAP_FIXED) &&
	    (!(flags & MM_MREMAP_MAYMOVE) || !range_ok(new_page, new_nr) ||
	     (new < old + old_len && old < new + new_len)))
		return -EINVAL;
	mmap_write_lock(mm);
	err = -EFAULT;
	if (!range_mapped(mm, old, old + old_len))
		goto out;
	if (!(flags & MM_MREMAP_FIXED)) {
		err = 0;
		if (new_nr < old_nr) {
			err = do_munmap(m, mm, old + new_len, old + old_len);
		} else if (new_nr > old_nr) {
			/* Grow in place: vma_expand() of the last VMA. */
			err = -ENOMEM;
			if (!range_ok(page, new_nr) ||
			    !range_free(mm, old + old_len, old + new_len))
				goto out;
			vma = find_vma_at(mm, old + old_len - PAGE_SIZE);
			vma_lock_rmap(vma);
			vma->vm_end = old + new_len;
			vma_unlock_rmap(vma);
			try_merge(m, vma);
			err = 0;
		}
		goto out;
	}
	/* MREMAP_FIXED: whatever is at the destination goes first. */
	err = do_munmap(m, mm, new, new + new_len);
	if (err)
		goto out;
	if (new_nr < old_nr) {
		err = do_munmap(m, mm, old + new_len, old + old_len);
		if (err)
			goto out;
		old_len = new_len;
	}
	for (off = 0; off < old_len; ) {
		unsigned long len;

		vma = find_vma_at(mm, old + off);
		len = min(vma->vm_end, old + old_len) - (old + off);
		err = move_vma(m, vma, old + off, len, new + off,
			       flags & MM_MREMAP_DONTUNMAP);
		if (err)
			goto out;
		off += len;
	}
out:
	mmap_write_unlock(mm);
	return err;
}

/* ---- processes: fork.c, exit ---- */

/*
 * dup_mmap(): each VMA gets its tree from anon_vma_fork() (it joins its
 * parent's lazy root, or the root is upgraded), then copy_present_ptes()
 * shares the pages, write-protected, and points a lazy folio at the
 * anon_vma its root was upgraded to once the root lists no VMA.
 */
int mm_model_fork(struct mm_model *m, int pid)
{
	struct mm_model_proc *parent = model_proc(m, pid), *child;
	struct vm_area_struct *mpnt, *tmp;
	int cpid, err = 0;

	if (!parent)
		return -EINVAL;
	cpid = mm_model_spawn(m);
	if (cpid < 0)
		return cpid;
	child = &m->proc[cpid];
	mmap_write_lock(&parent->mm);
	mmap_write_lock_nested(&child->mm, SINGLE_DEPTH_NESTING);
	list_for_each_entry(mpnt, &parent->mm.mmap, vm_list) {
		unsigned long address;

		tmp = vm_area_dup(m, mpnt);
		tmp->vm_mm = &child->mm;
		/* mm/anon_vma.c's own: a join, else the core's fork. */
		err = anon_vma_fork(tmp, mpnt);
		if (err) {
			vm_area_free(m, tmp);
			break;
		}
		vma_link(tmp);
		if (!mpnt->anon_vma)
			continue;
		spin_lock(&parent->mm.page_table_lock);
		for (address = mpnt->vm_start; address < mpnt->vm_end;
		     address += PAGE_SIZE) {
			struct mm_model_pte *src = model_pte(&parent->mm, address);
			struct mm_model_pte *dst = model_pte(&child->mm, address);

			if (src->kind == MM_PTE_SWAP) {
				src->swap->count++;
				src->swap->exclusive = false;
				*dst = *src;
			} else if (src->kind == MM_PTE_PRESENT) {
				struct mm_model_folio *mf = src->folio;

				mf->exclusive[src->page] = false;
				folio_anon_vma_lazy_rewrite_forked(&mf->folio);
				pte_map(dst, mf, src->page);
			}
		}
		spin_unlock(&parent->mm.page_table_lock);
	}
	mmap_write_unlock(&child->mm);
	mmap_write_unlock(&parent->mm);
	if (err) {
		/* As dup_mmap() failing: the child is torn down, -ENOMEM. */
		mm_model_exit(m, cpid);
		return err;
	}
	m->forks++;
	return cpid;
}

/* exit_mmap(): zap everything, then free_pgtables() unlinks the trees. */
int mm_model_exit(struct mm_model *m, int pid)
{
	struct mm_model_proc *proc = model_proc(m, pid);
	struct vm_area_struct *vma, *next;

	if (!proc)
		return -EINVAL;
	mmap_write_lock(&proc->mm);
	zap_range(m, &proc->mm, mm_model_addr(0),
		  mm_model_addr(MM_MODEL_PAGES));
	list_for_each_entry_safe(vma, next, &proc->mm.mmap, vm_list) {
		if (vma->anon_vma)
			unlink_anon_vmas(vma);
		vma_unlink_list(vma);
		vm_area_free(m, vma);
	}
	mmap_write_unlock(&proc->mm);
	proc->alive = false;
	return 0;
}

/* ---- rmap users: uffd, KSM, migration, reclaim, page_idle ---- */

/*
 * move_pages_pte() for one present page: exclusive small folios only; the
 * folio's tree is locked (and settled, if fork upgraded it meanwhile) while
 * its mapping and index are rewritten for @dst_vma.
 */
static int uffd_move_page(struct mm_model *m, struct mm_struct *mm,
			  unsigned long dst, unsigned long src)
{
	struct vm_area_struct *dst_vma = find_vma_at(mm, dst);
	struct vm_area_struct *src_vma = find_vma_at(mm, src);
	struct mm_model_pte *spte, *dpte;
	struct mm_model_folio *mf;
	struct anon_vma *anon_vma;
	int err;

	if (!dst_vma || !src_vma)
		return -ENOENT;
	/* validate_move_areas(): both must be anonymous VMAs. */
	if (dst_vma->vm_file || src_vma->vm_file)
		return -EINVAL;
	spte = model_pte(mm, src);
	dpte = model_pte(mm, dst);
	if (dpte->kind != MM_PTE_NONE)
		return -EEXIST;
	if (spte->kind == MM_PTE_SWAP) {
		err = do_swap_page(m, src_vma, src);
		if (err)
			return err;
	}
	if (spte->kind != MM_PTE_PRESENT)
		return -ENOENT;
	/* uffd_lock_vma(): the destination needs an anon_vma of its own. */
	err = anon_vma_prepare(dst_vma);
	if (err)
		return err;
	mf = spte->folio;
	if (mf->ksm)
		return -EBUSY;
	if (folio_nr_pages(&mf->folio) > 1)
		mf = model_split_large(m, mf, spte->page);
	if (!page_exclusive(mf, spte->page) ||
	    atomic_read(&mf->folio._mapcount) || model_folio_in_swapcache(mf))
		return -EBUSY;
	folio_lock(&mf->folio);
	anon_vma = folio_get_anon_vma(&mf->folio);
	if (!anon_vma) {
		folio_unlock(&mf->folio);
		return -EAGAIN;
	}
	anon_vma_lock_write(anon_vma);
	anon_vma = anon_vma_settle_locked(anon_vma);
	if (!anon_vma) {
		folio_unlock(&mf->folio);
		return -EAGAIN;
	}
	spin_lock(&mm->page_table_lock);
	folio_move_anon_rmap(&mf->folio, dst_vma);
	mf->folio.index = linear_page_index(dst_vma, dst);
	*dpte = *spte;
	pte_clear(spte);
	spin_unlock(&mm->page_table_lock);
	anon_vma_unlock_write(anon_vma);
	put_anon_vma(anon_vma);
	folio_unlock(&mf->folio);
	m->moved++;
	return 0;
}

int mm_model_uffd_move(struct mm_model *m, int pid, unsigned int dst,
		       unsigned int src, unsigned int nr)
{
	struct mm_model_proc *proc = model_proc(m, pid);
	unsigned int i;
	int err = 0;

	if (!proc || !range_ok(dst, nr) || !range_ok(src, nr) ||
	    (dst < src + nr && src < dst + nr))
		return -EINVAL;
	mmap_read_lock(&proc->mm);
	for (i = 0; i < nr && !err; i++)
		err = uffd_move_page(m, &proc->mm, mm_model_addr(dst + i),
				     mm_model_addr(src + i));
	mmap_read_unlock(&proc->mm);
	return err;
}

/* A page that KSM may take: present (faulted in), small, exclusive. */
static struct mm_model_folio *ksm_page(struct mm_model *m,
				       struct mm_model_proc *proc,
				       unsigned int page, int *err)
{
	struct mm_struct *mm = &proc->mm;
	unsigned long address = mm_model_addr(page);
	struct vm_area_struct *vma = find_vma_at(mm, address);
	struct mm_model_pte *pte = &proc->pte[page];
	struct mm_model_folio *mf;

	*err = -EFAULT;
	if (!vma || !(vma->vm_flags & VM_READ))
		return NULL;
	*err = 0;
	if (pte->kind == MM_PTE_SWAP)
		*err = do_swap_page(m, vma, address);
	if (*err || pte->kind != MM_PTE_PRESENT)
		return NULL;
	mf = pte->folio;
	if (mf->ksm)
		return mf;
	if (folio_nr_pages(&mf->folio) > 1)
		mf = model_split_large(m, mf, pte->page);
	if (!page_exclusive(mf, 0) || atomic_read(&mf->folio._mapcount) ||
	    model_folio_in_swapcache(mf))
		return NULL;
	return mf;
}

static void ksm_add_item(struct mm_model_folio *kf, struct vm_area_struct *vma,
			 unsigned long address)
{
	struct mm_model_ksm_item *item;

	kf->items = realloc(kf->items, (kf->nr_items + 1) * sizeof(*item));
	if (!kf->items)
		abort();
	item = &kf->items[kf->nr_items++];
	item->mm = vma->vm_mm;
	item->address = address;
	/* The series: a PARENT VMA's inherited anon_vma finds it. */
	item->anon_vma = vma_regular_anon_vma(vma);
	get_anon_vma(item->anon_vma);
}

/*
 * try_to_merge_two_pages(): the first page becomes the KSM page in place,
 * the second is replaced by it; each VMA's lazy root is upgraded first, so
 * the rmap_item holds a regular anon_vma.
 */
int mm_model_ksm_merge(struct mm_model *m, int pid1, unsigned int page1,
		       int pid2, unsigned int page2)
{
	struct mm_model_proc *p1 = model_proc(m, pid1), *p2 = model_proc(m, pid2);
	unsigned long a1 = mm_model_addr(page1), a2 = mm_model_addr(page2);
	struct mm_model_folio *kf, *mf;
	struct vm_area_struct *vma;
	struct mm_model_pte *pte;
	int err;

	if (!p1 || !p2 || page1 >= MM_MODEL_PAGES || page2 >= MM_MODEL_PAGES ||
	    (pid1 == pid2 && page1 == page2))
		return -EINVAL;
	mmap_read_lock(&p1->mm);
	kf = ksm_page(m, p1, page1, &err);
	if (kf && !kf->ksm) {
		vma = find_vma_at(&p1->mm, a1);
		err = anon_vma_lazy_upgrade_vma(vma, ANON_VMA_LAZY_UPGRADE_KSM);
		if (!err) {
			/* set_page_stable_node(): the folio is KSM now. */
			kf->ksm = true;
			kf->exclusive[0] = false;
			kf->folio.mapping = (struct address_space *)
				((unsigned long)kf | PAGE_MAPPING_KSM);
			ksm_add_item(kf, vma, a1);
		}
	}
	mmap_read_unlock(&p1->mm);
	if (!kf || err)
		return err ? err : -EBUSY;

	mmap_read_lock(&p2->mm);
	mf = ksm_page(m, p2, page2, &err);
	if (!mf || mf == kf || mf->ksm || mf->data[0] != kf->data[0]) {
		mmap_read_unlock(&p2->mm);
		return err ? err : -EBUSY;
	}
	vma = find_vma_at(&p2->mm, a2);
	err = anon_vma_lazy_upgrade_vma(vma, ANON_VMA_LAZY_UPGRADE_KSM);
	if (!err) {
		/* replace_page(). */
		pte = &p2->pte[page2];
		spin_lock(&p2->mm.page_table_lock);
		pte_zap(m, pte);
		pte_map(pte, kf, 0);
		spin_unlock(&p2->mm.page_table_lock);
		ksm_add_item(kf, vma, a2);
		m->ksm_merged++;
	}
	mmap_read_unlock(&p2->mm);
	return err;
}

/*
 * rmap_walk_ksm(): every VMA in each rmap_item's anon_vma tree that covers
 * the item's address, in the item's mm or a child forked from it.
 */
static void rmap_walk_ksm(struct mm_model_folio *kf,
			  struct rmap_walk_control *rwc)
{
	unsigned int i;

	for (i = 0; i < kf->nr_items; i++) {
		struct mm_model_ksm_item *item = &kf->items[i];
		struct anon_vma_chain *avc;

		anon_vma_lock_read(item->anon_vma);
		anon_vma_interval_tree_foreach(avc, &item->anon_vma->rb_root,
					       0, ULONG_MAX) {
			struct vm_area_struct *vma = avc->vma;

			if (item->address < vma->vm_start ||
			    item->address >= vma->vm_end)
				continue;
			if (rwc->invalid_vma && rwc->invalid_vma(vma, rwc->arg))
				continue;
			if (!rwc->rmap_one(&kf->folio, vma, item->address,
					   rwc->arg))
				break;
		}
		anon_vma_unlock_read(item->anon_vma);
	}
}

void mm_model_rmap_walk(struct mm_model *m, struct mm_model_folio *mf,
			struct rmap_walk_control *rwc)
{
	m->walks++;
	if (mf->ksm)
		rmap_walk_ksm(mf, rwc);
	else
		rmap_walk(&mf->folio, rwc);
}

/*
 * page_vma_mapped_walk() for one page: the pte of @vma, at or after the
 * @address the walk gave, that maps page @page of @mf, or NULL.
 */
static struct mm_model_pte *page_vma_mapped(struct mm_model_folio *mf,
					    struct vm_area_struct *vma,
					    unsigned long address,
					    unsigned int page)
{
	unsigned long a = vma_mapping_base(vma) +
			  ((mf->folio.index + page) << PAGE_SHIFT);
	struct mm_model_pte *pte;

	if (mf->ksm)
		a = address;
	if (a < address || a < vma->vm_start || a >= vma->vm_end)
		return NULL;
	pte = model_pte(vma->vm_mm, a);
	if (!pte || pte->folio != mf || pte->page != page ||
	    (pte->kind != MM_PTE_PRESENT && pte->kind != MM_PTE_MIGRATION))
		return NULL;
	return pte;
}

struct model_walk {
	struct mm_model *m;
	struct mm_model_folio *mf;
	/* The folio that remove_migration_ptes() puts back in place of @mf. */
	struct mm_model_folio *dst;
};

static bool try_to_migrate_one(struct folio *folio, struct vm_area_struct *vma,
			       unsigned long address, void *arg)
{
	struct model_walk *w = arg;
	struct mm_model_pte *pte;
	unsigned int page;

	w->m->visits++;
	spin_lock(&vma->vm_mm->page_table_lock);
	for (page = 0; page < folio_nr_pages(&w->mf->folio); page++) {
		pte = page_vma_mapped(w->mf, vma, address, page);
		if (!pte || pte->kind != MM_PTE_PRESENT)
			continue;
		pte->kind = MM_PTE_MIGRATION;
		w->mf->maps[page]--;
		folio_remove_rmap(&w->mf->folio);
	}
	spin_unlock(&vma->vm_mm->page_table_lock);
	return true;
}

static bool remove_migration_pte(struct folio *folio,
				 struct vm_area_struct *vma,
				 unsigned long address, void *arg)
{
	struct model_walk *w = arg;
	struct mm_model_folio *src = w->mf, *dst = w->dst;
	struct mm_model_pte *pte;
	unsigned int page;

	w->m->visits++;
	spin_lock(&vma->vm_mm->page_table_lock);
	/* The entries name the old folio: find them by its pages. */
	for (page = 0; page < folio_nr_pages(&src->folio); page++) {
		pte = page_vma_mapped(src, vma, address, page);
		if (!pte || pte->kind != MM_PTE_MIGRATION)
			continue;
		/* __page_check_anon_rmap(), as folio_add_anon_rmap_pte() does. */
		WARN_ON_ONCE(!dst->ksm &&
			     !folio_anon_vma_handle_matches(&dst->folio, vma));
		pte_map(pte, dst, page);
	}
	spin_unlock(&vma->vm_mm->page_table_lock);
	return true;
}

static struct mm_model_folio *pte_folio(struct mm_model *m, int pid,
					unsigned int page)
{
	struct mm_model_proc *proc = model_proc(m, pid);

	if (!proc || page >= MM_MODEL_PAGES ||
	    proc->pte[page].kind != MM_PTE_PRESENT)
		return NULL;
	return proc->pte[page].folio;
}

/*
 * migrate_pages() of one folio: try_to_migrate(), copy, then
 * remove_migration_ptes() by a walk of the new folio, which has the old
 * one's mapping and index and is mapped by nothing but those entries.
 * The anon_vma (or lazy root) reference keeps the tree alive meanwhile.
 */
int mm_model_migrate(struct mm_model *m, int pid, unsigned int page)
{
	struct mm_model_folio *src = pte_folio(m, pid, page), *dst;
	struct model_walk w = { .m = m };
	struct rmap_walk_control rwc = { .arg = &w };
	struct anon_vma *anon_vma = NULL;
	unsigned int i;
	int err = 0;

	if (!src)
		return -ENOENT;
	folio_lock(&src->folio);
	if (!src->ksm) {
		anon_vma = folio_get_anon_vma(&src->folio);
		if (!anon_vma) {
			folio_unlock(&src->folio);
			return -EAGAIN;
		}
	}
	w.mf = src;
	rwc.rmap_one = try_to_migrate_one;
	mm_model_rmap_walk(m, src, &rwc);

	dst = model_folio_alloc(m, src->folio.order);
	if (folio_mapped(&src->folio)) {
		/* A mapping the walk missed: the kernel gives up, -EAGAIN. */
		err = -EAGAIN;
		w.dst = src;
	} else {
		dst->folio.mapping = src->folio.mapping;
		dst->folio.index = src->folio.index;
		memcpy(dst->data, src->data, sizeof(dst->data));
		memcpy(dst->exclusive, src->exclusive, sizeof(dst->exclusive));
		dst->ksm = src->ksm;
		if (dst->ksm)
			dst->folio.mapping = (struct address_space *)
				((unsigned long)dst | PAGE_MAPPING_KSM);
		dst->items = src->items;
		dst->nr_items = src->nr_items;
		src->items = NULL;
		src->nr_items = 0;
		for (i = 0; i < folio_nr_pages(&src->folio); i++) {
			dst->swap[i] = src->swap[i];
			if (dst->swap[i])
				dst->swap[i]->cache = dst;
			src->swap[i] = NULL;
		}
		w.dst = dst;
	}
	rwc.rmap_one = remove_migration_pte;
	mm_model_rmap_walk(m, w.dst, &rwc);
	if (anon_vma)
		put_anon_vma(anon_vma);
	folio_unlock(&src->folio);
	if (err) {
		model_folio_free(m, dst);
		return err;
	}
	src->folio.mapping = NULL;
	model_folio_free(m, src);
	model_folio_put_if_unused(m, dst);
	m->migrated++;
	return 0;
}

static bool referenced_one(struct folio *folio, struct vm_area_struct *vma,
			   unsigned long address, void *arg)
{
	struct model_walk *w = arg;
	struct mm_model_pte *pte;
	unsigned int page;

	w->m->visits++;
	for (page = 0; page < folio_nr_pages(&w->mf->folio); page++) {
		pte = page_vma_mapped(w->mf, vma, address, page);
		if (pte)
			pte->young = false;
	}
	return true;
}

static bool try_to_unmap_one(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address, void *arg)
{
	struct model_walk *w = arg;
	struct mm_model_folio *mf = w->mf;
	struct mm_model_pte *pte;
	unsigned int page;

	w->m->visits++;
	spin_lock(&vma->vm_mm->page_table_lock);
	for (page = 0; page < folio_nr_pages(&mf->folio); page++) {
		struct mm_model_swap *slot = mf->swap[page];

		pte = page_vma_mapped(mf, vma, address, page);
		if (!pte || pte->kind != MM_PTE_PRESENT)
			continue;
		mf->maps[page]--;
		folio_remove_rmap(&mf->folio);
		pte_clear(pte);
		pte->kind = MM_PTE_SWAP;
		pte->swap = slot;
		slot->count++;
		slot->exclusive = page_exclusive(mf, page);
		slot->data = mf->data[page];
	}
	spin_unlock(&vma->vm_mm->page_table_lock);
	return true;
}

/*
 * shrink_folio_list() for one folio: folio_referenced(), add_to_swap(),
 * try_to_unmap(); a folio still mapped afterwards stays (-EAGAIN),
 * otherwise it is written out and freed.
 */
int mm_model_reclaim(struct mm_model *m, int pid, unsigned int page)
{
	struct mm_model_folio *mf = pte_folio(m, pid, page);
	struct model_walk w = { .m = m };
	struct rmap_walk_control rwc = {
		.arg = &w,
		.try_lock = true,
		.anon_lock = folio_lock_anon_vma_read,
	};
	unsigned int i;

	if (!mf)
		return -ENOENT;
	w.mf = mf;
	folio_lock(&mf->folio);
	rwc.rmap_one = referenced_one;
	mm_model_rmap_walk(m, mf, &rwc);
	if (rwc.contended) {
		folio_unlock(&mf->folio);
		return -EAGAIN;
	}
	for (i = 0; i < folio_nr_pages(&mf->folio); i++) {
		if (mf->swap[i])
			continue;
		mf->swap[i] = swap_alloc(m);
		mf->swap[i]->cache = mf;
		mf->swap[i]->cache_page = i;
	}
	rwc.try_lock = false;
	rwc.anon_lock = NULL;
	rwc.rmap_one = try_to_unmap_one;
	mm_model_rmap_walk(m, mf, &rwc);
	folio_unlock(&mf->folio);
	if (folio_mapped(&mf->folio)) {
		swap_drop_unused(m, mf);
		return -EAGAIN;
	}
	/* Written out: the swap cache lets go, the folio is freed. */
	for (i = 0; i < folio_nr_pages(&mf->folio); i++) {
		struct mm_model_swap *slot = mf->swap[i];

		mf->swap[i] = NULL;
		slot->cache = NULL;
		slot->data = mf->data[i];
		if (!slot->count)
			swap_free(m, slot);
	}
	model_folio_free(m, mf);
	m->reclaimed++;
	return 0;
}

/* page_idle_clear_pte_refs(): the walk clears every young bit. */
int mm_model_idle(struct mm_model *m, int pid, unsigned int page)
{
	struct mm_model_folio *mf = pte_folio(m, pid, page);
	struct model_walk w = { .m = m };
	struct rmap_walk_control rwc = {
		.arg = &w,
		.rmap_one = referenced_one,
		.anon_lock = folio_lock_anon_vma_read,
	};

	if (!mf)
		return -ENOENT;
	w.mf = mf;
	if (!folio_trylock(&mf->folio))
		return -EAGAIN;
	mm_model_rmap_walk(m, mf, &rwc);
	folio_unlock(&mf->folio);
	return 0;
}

int mm_model_split_folio(struct mm_model *m, int pid, unsigned int page)
{
	struct mm_model_folio *mf = pte_folio(m, pid, page);

	if (!mf || mf->ksm || folio_nr_pages(&mf->folio) == 1)
		return -EINVAL;
	model_split_large(m, mf, m->proc[pid].pte[page].page);
	return 0;
}

void mm_model_init(struct mm_model *m, const char *name, int lazy)
{
	memset(m, 0, sizeof(*m));
	m->name = name;
	m->lazy = lazy;
	INIT_LIST_HEAD(&m->folios);
	INIT_LIST_HEAD(&m->swap);
}

void mm_model_destroy(struct mm_model *m)
{
	int pid;

	for (pid = 0; pid < MM_MODEL_PROCS; pid++)
		if (m->proc[pid].alive)
			mm_model_exit(m, pid);
}
