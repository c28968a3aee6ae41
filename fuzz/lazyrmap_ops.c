// SPDX-License-Identifier: GPL-2.0
/*
 * The operation interpreter behind the fuzz target and the replayer.
 *
 * Input: byte 0 is the mode (bit 0: inject allocation failures, lazy
 * machine only); then operations of LZ_OP_BYTES bytes each:
 *
 *	op  x  y  z  w
 *
 * op selects the operation (bits 0-6, modulo LZ_NR_OPS); a process is
 * picked among the live ones by x, pages by y and z, sizes and flags by w.
 * Pages are picked among those mapped, or those with a folio, unless bit 7
 * of op asks for y and z as page numbers. In lockstep
 * mode both machines run each operation, the one with vm.anon_vma_lazy off
 * first; after it, both must pass every oracle check and show every
 * process the same memory. Data written carries the operation's number,
 * process and page, so any page landing in the wrong place is seen.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mm_model.h"
#include "anon_vma_lazy.h"
#include "lazyrmap_ops.h"

enum lz_op {
	LZ_MMAP,
	LZ_MUNMAP,
	LZ_MPROTECT,
	LZ_MREMAP,
	LZ_WRITE,
	LZ_WRITE_SAME,
	LZ_READ,
	LZ_DONTNEED,
	LZ_FORK,
	LZ_EXIT,
	LZ_UFFD_MOVE,
	LZ_KSM,
	LZ_MIGRATE,
	LZ_RECLAIM,
	LZ_IDLE,
	LZ_SPLIT_FOLIO,
	LZ_FLIP,
	LZ_SPAWN,
	LZ_FAIL_NTH,
	LZ_NR_OPS
};

static const char *const lz_op_names[LZ_NR_OPS] = {
	"mmap", "munmap", "mprotect", "mremap", "write", "write-same", "read",
	"dontneed", "fork", "exit", "uffd-move", "ksm-merge", "migrate",
	"reclaim", "page-idle", "split-folio", "flip-switch", "spawn",
	"fail-nth",
};

struct lz_op_args {
	enum lz_op op;
	int pid, pid2;
	unsigned int page, page2, nr, nr2;
	int flags;
	vm_flags_t prot;
	u64 data;
	bool large;
	/* mmap: of the model's file, from pgoff. */
	bool file;
	pgoff_t pgoff;
};

static struct kmem_cache *lz_caches[3];

int lz_init(void)
{
	static const char *const names[] = {
		"anon_vma", "anon_vma_chain", "anon_vma_lazy"
	};
	unsigned int i;

	shim_rcu_register_thread();
	anon_vma_init();
	for (i = 0; i < ARRAY_SIZE(names); i++)
		lz_caches[i] = shim_kmem_cache_find(names[i]);
	return 0;
}

/* The @x-th live process (same in both machines: they fork alike). */
static int pick_pid(struct mm_model *m, unsigned int x)
{
	int alive[MM_MODEL_PROCS], n = 0, pid;

	for (pid = 0; pid < MM_MODEL_PROCS; pid++)
		if (m->proc[pid].alive)
			alive[n++] = pid;
	return n ? alive[x % n] : -1;
}

/*
 * The @y-th page of @pid inside a VMA: the same in both machines, as VMA
 * boundaries may differ but what is mapped does not. @y itself if none.
 */
static unsigned int pick_mapped(struct mm_model *m, int pid, unsigned int y)
{
	unsigned int pages[MM_MODEL_PAGES], n = 0, page;

	for (page = 0; pid >= 0 && page < MM_MODEL_PAGES; page++)
		if (mm_model_peek(m, pid, page) != MM_MODEL_UNMAPPED)
			pages[n++] = page;
	return n ? pages[y % n] : y % MM_MODEL_PAGES;
}

/*
 * The @y-th page of @pid with a folio mapped, holding @data unless that is
 * 0. Which pages have folios may differ between the machines (a large
 * folio is reclaimed whole); what users see does not, and the operations
 * aimed this way (migration, reclaim, page_idle, folio split, KSM) change
 * no data.
 */
static unsigned int pick_present(struct mm_model *m, int pid, unsigned int y,
				 u64 data)
{
	unsigned int pages[MM_MODEL_PAGES], n = 0, page;

	for (page = 0; pid >= 0 && page < MM_MODEL_PAGES; page++) {
		struct mm_model_pte *pte = &m->proc[pid].pte[page];

		if (pte->kind == MM_PTE_PRESENT &&
		    (!data || pte->folio->data[pte->page] == data))
			pages[n++] = page;
	}
	return n ? pages[y % n] : y % MM_MODEL_PAGES;
}

static void decode(struct mm_model *m, const uint8_t *b, unsigned long opno,
		   struct lz_op_args *a)
{
	memset(a, 0, sizeof(*a));
	a->op = (b[0] & 0x7f) % LZ_NR_OPS;
	a->pid = pick_pid(m, b[1]);
	a->pid2 = pick_pid(m, b[1] >> 4);
	a->page = b[2] % MM_MODEL_PAGES;
	a->page2 = b[3] % MM_MODEL_PAGES;
	a->nr = 1 + (b[4] & 15);
	a->nr2 = 1 + ((b[4] >> 4) & 15);
	a->prot = (b[3] & 0x40) ? VM_READ : VM_READ | VM_WRITE;
	a->large = b[3] & 0x80;
	a->data = ((u64)opno << 24) | ((u64)(a->pid & 0xff) << 16) | a->page;
	switch (a->op) {
	case LZ_MMAP:
		/*
		 * Bit 7 of w: a private file mapping, from an offset among the
		 * pgoffs that anonymous VMAs have, so that their ranges overlap
		 * on a shared root.
		 */
		a->file = b[4] & 0x80;
		a->pgoff = MM_MODEL_BASE_PFN + (b[3] & 0x3f);
		break;
	case LZ_MREMAP:
		/* Bits of w: shrink/grow/move and DONTUNMAP, from the high nibble. */
		a->flags = (b[4] & 0x80) ? MM_MREMAP_MAYMOVE | MM_MREMAP_FIXED : 0;
		if ((b[4] & 0x40) && a->flags)
			a->flags |= MM_MREMAP_DONTUNMAP;
		a->nr = 1 + (b[4] & 7);
		a->nr2 = a->flags & MM_MREMAP_DONTUNMAP ? a->nr :
			 1 + ((b[4] >> 3) & 7);
		break;
	case LZ_WRITE_SAME:
		/* Identical pages for KSM: one of four values. */
		a->data = 0x5a5a0000ULL | (b[4] & 3);
		break;
	case LZ_UFFD_MOVE:
		a->nr = 1 + (b[4] & 3);
		break;
	case LZ_FAIL_NTH:
		a->nr = 1 + b[4] % 8;
		break;
	default:
		break;
	}
	/* Bit 7 of op: the pages are given as they are (hand-written seeds). */
	if (b[0] & 0x80)
		return;
	switch (a->op) {
	case LZ_MUNMAP:
	case LZ_MPROTECT:
	case LZ_MREMAP:
	case LZ_WRITE:
	case LZ_WRITE_SAME:
	case LZ_READ:
	case LZ_DONTNEED:
		a->page = pick_mapped(m, a->pid, b[2]);
		break;
	case LZ_UFFD_MOVE:
		a->page = pick_mapped(m, a->pid, b[2]);
		a->page2 = pick_mapped(m, a->pid, b[3]);
		break;
	case LZ_MIGRATE:
	case LZ_RECLAIM:
	case LZ_IDLE:
	case LZ_SPLIT_FOLIO:
		a->page = pick_present(m, a->pid, b[2], 0);
		break;
	case LZ_KSM:
		a->page = pick_present(m, a->pid, b[2], 0);
		if (a->pid >= 0 && m->proc[a->pid].pte[a->page].kind ==
		    MM_PTE_PRESENT) {
			struct mm_model_pte *pte = &m->proc[a->pid].pte[a->page];

			a->page2 = pick_present(m, a->pid2, b[3],
						pte->folio->data[pte->page]);
		}
		break;
	default:
		break;
	}
}

static void print_op(FILE *f, const char *machine, unsigned long opno,
		     const struct lz_op_args *a, int ret)
{
	fprintf(f, "#%lu %-4s %-11s pid %d", opno, machine, lz_op_names[a->op],
		a->pid);
	switch (a->op) {
	case LZ_MMAP:
	case LZ_MPROTECT:
		fprintf(f, " pages [%u, %u) %s", a->page, a->page + a->nr,
			a->prot & VM_WRITE ? "rw" : "r");
		if (a->op == LZ_MMAP && a->file)
			fprintf(f, " file pgoff %#lx", a->pgoff);
		break;
	case LZ_MUNMAP:
	case LZ_DONTNEED:
		fprintf(f, " pages [%u, %u)", a->page, a->page + a->nr);
		break;
	case LZ_MREMAP:
		fprintf(f, " pages [%u, %u) -> %u pages%s%s at %u", a->page,
			a->page + a->nr, a->nr2,
			a->flags & MM_MREMAP_FIXED ? " moved" : " in place",
			a->flags & MM_MREMAP_DONTUNMAP ? " dontunmap" : "",
			a->flags & MM_MREMAP_FIXED ? a->page2 : a->page);
		break;
	case LZ_WRITE:
	case LZ_WRITE_SAME:
		fprintf(f, " page %u data %#llx%s", a->page,
			(unsigned long long)a->data, a->large ? " large" : "");
		break;
	case LZ_UFFD_MOVE:
		fprintf(f, " pages [%u, %u) to %u", a->page2, a->page2 + a->nr,
			a->page);
		break;
	case LZ_KSM:
		fprintf(f, " page %u with pid %d page %u", a->page, a->pid2,
			a->page2);
		break;
	case LZ_FAIL_NTH:
		fprintf(f, " allocation %u", a->nr);
		break;
	case LZ_FORK:
	case LZ_EXIT:
	case LZ_FLIP:
	case LZ_SPAWN:
		break;
	default:
		fprintf(f, " page %u", a->page);
		break;
	}
	fprintf(f, " = %d\n", ret);
}

static int apply(struct mm_model *m, const struct lz_op_args *a, bool solo)
{
	if (a->pid < 0 && a->op != LZ_SPAWN && a->op != LZ_FLIP &&
	    a->op != LZ_FAIL_NTH)
		return -ESRCH;
	switch (a->op) {
	case LZ_MMAP:
		if (a->file)
			return mm_model_mmap_file(m, a->pid, a->page, a->nr,
						  a->prot, a->pgoff);
		return mm_model_mmap(m, a->pid, a->page, a->nr, a->prot);
	case LZ_MUNMAP:
		return mm_model_munmap(m, a->pid, a->page, a->nr);
	case LZ_MPROTECT:
		return mm_model_mprotect(m, a->pid, a->page, a->nr, a->prot);
	case LZ_MREMAP:
		return mm_model_mremap(m, a->pid, a->page, a->nr, a->nr2,
				       a->flags, a->page2);
	case LZ_WRITE:
	case LZ_WRITE_SAME:
		return mm_model_write(m, a->pid, a->page, a->data, a->large);
	case LZ_READ:
		return mm_model_read(m, a->pid, a->page, NULL);
	case LZ_DONTNEED:
		return mm_model_dontneed(m, a->pid, a->page, a->nr);
	case LZ_FORK:
		return mm_model_fork(m, a->pid);
	case LZ_EXIT:
		return mm_model_exit(m, a->pid);
	case LZ_UFFD_MOVE:
		return mm_model_uffd_move(m, a->pid, a->page, a->page2, a->nr);
	case LZ_KSM:
		return mm_model_ksm_merge(m, a->pid, a->page, a->pid2,
					  a->page2);
	case LZ_MIGRATE:
		return mm_model_migrate(m, a->pid, a->page);
	case LZ_RECLAIM:
		return mm_model_reclaim(m, a->pid, a->page);
	case LZ_IDLE:
		return mm_model_idle(m, a->pid, a->page);
	case LZ_SPLIT_FOLIO:
		return mm_model_split_folio(m, a->pid, a->page);
	case LZ_FLIP:
		/* The switch-off machine stays off: it is the reference. */
		if (strcmp(m->name, "off"))
			m->lazy = !m->lazy;
		return m->lazy;
	case LZ_SPAWN:
		return mm_model_spawn(m);
	case LZ_FAIL_NTH:
		if (solo)
			shim_slab_fail_nth(a->nr);
		return 0;
	default:
		return -EINVAL;
	}
}

static int report(FILE *f, unsigned long opno, const char *what)
{
	fprintf(f, "lazyrmap: FAIL after operation #%lu: %s\n", opno, what);
	return -1;
}

/*
 * For a trace that ends in a failure: each live process's VMAs (pages,
 * pgoff, file, the handle's kind) and ptes (. none, p present, P a page of
 * a large folio, s swap, m migration), machine by machine.
 */
static void dump_machine(FILE *f, struct mm_model *m)
{
	static const char kinds[] = ".psm";
	struct vm_area_struct *vma;
	int pid, page;

	for (pid = 0; pid < MM_MODEL_PROCS; pid++) {
		struct mm_model_proc *proc = &m->proc[pid];

		if (!proc->alive)
			continue;
		fprintf(f, "lazyrmap: %s pid %d ptes ", m->name, pid);
		for (page = 0; page < MM_MODEL_PAGES; page++) {
			struct mm_model_pte *pte = &proc->pte[page];
			char c = kinds[pte->kind];

			if (pte->kind == MM_PTE_PRESENT &&
			    folio_nr_pages(&pte->folio->folio) > 1)
				c = 'P';
			fputc(c, f);
		}
		fputc('\n', f);
		list_for_each_entry(vma, &proc->mm.mmap, vm_list)
			fprintf(f, "lazyrmap: %s pid %d vma [%u, %u) pgoff %#lx%s %s\n",
				m->name, pid, mm_model_page(vma->vm_start),
				mm_model_page(vma->vm_end), vma->vm_pgoff,
				vma->vm_file ? " file" : "",
				vma_anon_vma_is_lazy(vma) ? "lazy" :
				vma_anon_vma_is_parent(vma) ? "parent" :
				vma->anon_vma ? "anon_vma" : "-");
	}
}

/*
 * Nothing left but what waits for a grace period: objects still live are
 * at most the call_rcu() callbacks pending, read first, as callbacks only
 * ever finish. lz_check_empty() waits for them and wants exactly zero.
 */
static bool slab_empty(FILE *f, bool exact)
{
	long pending = exact ? 0 : shim_rcu_pending(), live = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lz_caches); i++)
		live += lz_caches[i] ? shim_kmem_cache_live(lz_caches[i]) : 0;
	if (live <= pending)
		return true;
	for (i = 0; i < ARRAY_SIZE(lz_caches); i++)
		fprintf(f, "lazyrmap: cache #%u has %ld objects\n", i,
			shim_kmem_cache_live(lz_caches[i]));
	fprintf(f, "lazyrmap: %ld callbacks pending\n", pending);
	return false;
}

int lz_check_empty(void)
{
	rcu_barrier();
	return slab_empty(stderr, true) ? 0 : -1;
}

static void add_counts(struct lz_result *res, struct mm_model *m)
{
	res->walks += m->walks;
	res->visits += m->visits;
	res->migrated += m->migrated;
	res->reclaimed += m->reclaimed;
	res->swapins += m->swapins;
	res->cows += m->cows;
	res->ksm_merged += m->ksm_merged;
	res->moved += m->moved;
	res->forks += m->forks;
}

/*
 * Where a VMA merges with the switch on and not off (a forked child's VMAs
 * on their family root, say), a write may fault a large folio in one
 * machine only, whose other pages read as zeroes there but are ptes all
 * the same; UFFDIO_MOVE onto them fails with -EEXIST in that machine
 * only, as it would in the kernel, and moving them from there moves
 * zeroes in one machine only. (The oracle has already seen that such a
 * page reads the same in both.) The move is cut short before the first
 * page where the machines differ so: how many pages agree, or -1 if the
 * operation is no uffd-move.
 */
static bool populated_differs(struct mm_model *off, struct mm_model *on,
			      int pid, unsigned int page)
{
	return page < MM_MODEL_PAGES &&
	       (off->proc[pid].pte[page].kind == MM_PTE_NONE) !=
	       (on->proc[pid].pte[page].kind == MM_PTE_NONE);
}

static int uffd_move_agreed(struct mm_model *off, struct mm_model *on,
			    const uint8_t *b, unsigned long opno)
{
	struct lz_op_args a;
	unsigned int i;

	decode(off, b, opno, &a);
	if (a.op != LZ_UFFD_MOVE || a.pid < 0)
		return -1;
	for (i = 0; i < a.nr; i++)
		if (populated_differs(off, on, a.pid, a.page + i) ||
		    populated_differs(off, on, a.pid, a.page2 + i))
			break;
	return i;
}

int lz_run(const uint8_t *data, size_t size, FILE *trace,
	   struct lz_result *res)
{
	static struct mm_model off, on;
	FILE *out = trace ? trace : stderr;
	unsigned long warns = shim_warn_count();
	unsigned long roots0 = shim_vm_event(ANON_LAZY_ROOT_ALLOC);
	bool solo = size && (data[0] & 1);
	struct mm_model *machines[2] = { &off, &on };
	unsigned long opno = 0;
	char why[320];
	size_t pos;
	int ret = 0, i;

	mm_model_init(&off, "off", 0);
	mm_model_init(&on, "on", 1);
	if (mm_model_spawn(&off) != 0 || mm_model_spawn(&on) != 0)
		return report(out, 0, "cannot start process 0");

	for (pos = 1; pos + LZ_OP_BYTES <= size; pos += LZ_OP_BYTES, opno++) {
		int agreed = solo ? -1 : uffd_move_agreed(&off, &on, data + pos, opno);

		if (!agreed) {
			if (trace)
				fprintf(trace, "#%lu skipped: a uffd-move of a page populated in one machine only\n",
					opno);
			if (res)
				res->moves_skipped++;
			continue;
		}
		for (i = solo ? 1 : 0; i < 2; i++) {
			struct mm_model *m = machines[i];
			struct lz_op_args a;
			int r;

			decode(m, data + pos, opno, &a);
			if (agreed > 0 && (unsigned int)agreed < a.nr)
				a.nr = agreed;
			sysctl_anon_vma_lazy = m->lazy;
			r = apply(m, &a, solo);
			if (a.op != LZ_FAIL_NTH)
				shim_slab_fail_nth(0);
			if (r == -ENOMEM && res)
				res->enomem++;
			if (trace)
				print_op(trace, m->name, opno, &a, r);
			/*
			 * Nothing contends in the model: the eager machine's
			 * migration and reclaim never fail, nor may the lazy one's.
			 */
			if ((a.op == LZ_MIGRATE || a.op == LZ_RECLAIM) &&
			    r == -EAGAIN) {
				snprintf(why, sizeof(why), "machine %s: %s failed",
					 m->name, lz_op_names[a.op]);
				ret = report(out, opno, why);
				goto out;
			}
			if (!mm_oracle_check(m)) {
				snprintf(why, sizeof(why), "machine %s: %s",
					 m->name, m->failure);
				ret = report(out, opno, why);
				goto out;
			}
		}
		if (shim_warn_count() != warns) {
			ret = report(out, opno, "WARN or lockdep report (above)");
			goto out;
		}
		if (!solo && !mm_oracle_same_memory(&off, &on, why, sizeof(why))) {
			ret = report(out, opno, why);
			goto out;
		}
	}
out:
	if (ret && trace)
		for (i = 0; i < 2; i++)
			dump_machine(trace, machines[i]);
	shim_slab_fail_nth(0);
	sysctl_anon_vma_lazy = 1;
	for (i = 0; i < 2; i++) {
		mm_model_destroy(machines[i]);
		if (!ret && (machines[i]->nr_folios || machines[i]->nr_swap ||
			     machines[i]->nr_vmas)) {
			snprintf(why, sizeof(why),
				 "machine %s leaks %lu folios, %lu swap slots, %lu VMAs",
				 machines[i]->name, machines[i]->nr_folios,
				 machines[i]->nr_swap, machines[i]->nr_vmas);
			ret = report(out, opno, why);
		}
		if (res)
			add_counts(res, machines[i]);
	}
	if (!ret && !slab_empty(out, false))
		ret = report(out, opno, "objects left after every process exited");
	if (!ret && shim_warn_count() != warns)
		ret = report(out, opno, "WARN or lockdep report at exit (above)");
	if (res) {
		res->ops += opno;
		res->lazy_roots +=
			shim_vm_event(ANON_LAZY_ROOT_ALLOC) - roots0;
	}
	return ret;
}
