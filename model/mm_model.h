/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A userspace mm: processes with anonymous private VMAs, page tables,
 * folios (order 0 and 2), a swap device, KSM and the operations that change
 * them, written to call the anon_vma code (model/rmap.c and
 * the core) at the places, and in the order, that the kernel and the
 * ANON_VMA_LAZY series call it. It exists to be checked: mm_oracle.c
 * compares every folio's rmap walk with a scan of every page table.
 *
 * One struct mm_model is one machine; the fuzzer runs two in lockstep, one
 * with vm.anon_vma_lazy off and one with it on, and compares what a user
 * would see. Single-threaded: each operation takes the locks the kernel
 * takes, so lockdep checks the hooks, but nothing runs concurrently.
 */
#ifndef __MM_MODEL_H
#define __MM_MODEL_H

#include "anon_vma_lazy_internal.h"

#define MM_MODEL_PROCS		6
#define MM_MODEL_PAGES		64
/* The first page of every process's address space: pgoff is never 0. */
#define MM_MODEL_BASE_PFN	0x100UL
#define MM_MODEL_LARGE_ORDER	2
#define MM_MODEL_LARGE_PAGES	(1U << MM_MODEL_LARGE_ORDER)

enum mm_model_pte_kind {
	MM_PTE_NONE,
	MM_PTE_PRESENT,
	MM_PTE_SWAP,
	MM_PTE_MIGRATION,
};

struct mm_model_folio;

struct mm_model_swap {
	/* Swap ptes that name this slot. */
	unsigned int count;
	/* Was the page exclusive when unmapped (pte_swp_exclusive)? */
	bool exclusive;
	u64 data;
	/* The swap cache: a folio still holding this page, or NULL. */
	struct mm_model_folio *cache;
	unsigned int cache_page;
	struct list_head list;
	/* The oracle's own count of the ptes naming the slot. */
	unsigned int seen;
};

struct mm_model_pte {
	enum mm_model_pte_kind kind;
	bool young;
	/* PRESENT and MIGRATION: the page; SWAP: the slot. */
	struct mm_model_folio *folio;
	unsigned int page;
	struct mm_model_swap *swap;
};

/* A KSM rmap_item that still names the stable folio. */
struct mm_model_ksm_item {
	struct mm_struct *mm;
	unsigned long address;
	struct anon_vma *anon_vma;
};

struct mm_model_folio {
	struct folio folio;
	unsigned int id;
	/* Page table entries mapping each page (the folio's _mapcount sums). */
	unsigned int maps[MM_MODEL_LARGE_PAGES];
	/* PageAnonExclusive of each page. */
	bool exclusive[MM_MODEL_LARGE_PAGES];
	u64 data[MM_MODEL_LARGE_PAGES];
	struct mm_model_swap *swap[MM_MODEL_LARGE_PAGES];
	bool ksm;
	unsigned int nr_items;
	struct mm_model_ksm_item *items;
	struct list_head list;
	/* The oracle's own count of the ptes mapping each page. */
	unsigned int seen[MM_MODEL_LARGE_PAGES];
};

struct mm_model_proc {
	bool alive;
	struct mm_struct mm;
	struct mm_model_pte pte[MM_MODEL_PAGES];
};

struct mm_model {
	const char *name;
	/* vm.anon_vma_lazy for this machine, set before each operation. */
	int lazy;
	struct mm_model_proc proc[MM_MODEL_PROCS];
	struct list_head folios;
	struct list_head swap;
	unsigned int next_folio_id;
	unsigned long nr_folios, nr_swap, nr_vmas;
	/* Counters for the trace and the statistics of a run. */
	unsigned long walks, visits, migrated, reclaimed, swapins, cows;
	unsigned long ksm_merged, moved, forks;
	/* The first broken invariant, for the report. */
	char failure[200];
};

/* Flags of mm_model_mremap(). */
#define MM_MREMAP_MAYMOVE	0x1
#define MM_MREMAP_FIXED		0x2
#define MM_MREMAP_DONTUNMAP	0x4

void mm_model_init(struct mm_model *m, const char *name, int lazy);
/* Exit every process and free the swap device: nothing may remain. */
void mm_model_destroy(struct mm_model *m);

static inline unsigned long mm_model_addr(unsigned int page)
{
	return (MM_MODEL_BASE_PFN + page) << PAGE_SHIFT;
}

static inline unsigned int mm_model_page(unsigned long address)
{
	return (address >> PAGE_SHIFT) - MM_MODEL_BASE_PFN;
}

/*
 * The operations. Each returns 0 or a negative errno, as its syscall
 * would; a process, page or range that does not exist is -EINVAL or
 * -EFAULT, and leaves everything as it was.
 */
int mm_model_spawn(struct mm_model *m);
int mm_model_mmap(struct mm_model *m, int pid, unsigned int page,
		  unsigned int nr, vm_flags_t prot);
/*
 * A private mapping of the model's one file from @pgoff: reads see zeroes
 * as of an anonymous VMA, a write copies into an anonymous folio; only the
 * merge rules and the folios' index (from @pgoff, not the address) differ.
 */
int mm_model_mmap_file(struct mm_model *m, int pid, unsigned int page,
		       unsigned int nr, vm_flags_t prot, pgoff_t pgoff);
int mm_model_munmap(struct mm_model *m, int pid, unsigned int page,
		    unsigned int nr);
int mm_model_mprotect(struct mm_model *m, int pid, unsigned int page,
		      unsigned int nr, vm_flags_t prot);
int mm_model_mremap(struct mm_model *m, int pid, unsigned int page,
		    unsigned int old_nr, unsigned int new_nr, int flags,
		    unsigned int new_page);
int mm_model_write(struct mm_model *m, int pid, unsigned int page, u64 data,
		   bool large);
int mm_model_read(struct mm_model *m, int pid, unsigned int page, u64 *data);
int mm_model_dontneed(struct mm_model *m, int pid, unsigned int page,
		      unsigned int nr);
int mm_model_fork(struct mm_model *m, int pid);
int mm_model_exit(struct mm_model *m, int pid);
int mm_model_uffd_move(struct mm_model *m, int pid, unsigned int dst,
		       unsigned int src, unsigned int nr);
int mm_model_ksm_merge(struct mm_model *m, int pid1, unsigned int page1,
		       int pid2, unsigned int page2);
int mm_model_migrate(struct mm_model *m, int pid, unsigned int page);
int mm_model_reclaim(struct mm_model *m, int pid, unsigned int page);
int mm_model_idle(struct mm_model *m, int pid, unsigned int page);
int mm_model_split_folio(struct mm_model *m, int pid, unsigned int page);

/* The rmap walk of a folio as the kernel dispatches it (anon, lazy, KSM). */
void mm_model_rmap_walk(struct mm_model *m, struct mm_model_folio *mf,
			struct rmap_walk_control *rwc);

/*
 * What a user sees at @page of @pid: 0 for a page that reads as zero, the
 * data for one that was written, MM_MODEL_UNMAPPED outside every VMA.
 */
#define MM_MODEL_UNMAPPED	(~0ULL)
u64 mm_model_peek(struct mm_model *m, int pid, unsigned int page);

/* mm_oracle.c: every invariant; false with m->failure filled on the first. */
bool mm_oracle_check(struct mm_model *m);
/* Both machines show every process the same memory. */
bool mm_oracle_same_memory(struct mm_model *a, struct mm_model *b,
			   char *why, size_t len);

#endif /* __MM_MODEL_H */
