// SPDX-License-Identifier: GPL-2.0
/*
 * A concurrent harness for the core, after OpenZFS's ztest: mutator threads
 * split, merge, move (mremap), fork, exit, unmap the last piece and
 * re-create (munmap + mmap + fault) the VMAs of eight small processes
 * while walker threads run the rmap walk on their folios as reclaim
 * (folio_referenced(), trylock), migration (folio_get_anon_vma(), then the
 * walk) and page_idle (folio trylock) do, and ksmd threads upgrade roots
 * as KSM's merge does, over the user shim: pthreads, liburcu, lockdep.
 * As in 6.12, munmap unlinks and the first fault prepares under mmap_lock
 * held for read (after mmap_write_downgrade()), which ksmd holds too.
 *
 *   lazy_stress [-s SEED] [-t SECONDS] [-w WALKERS] [-m MUTATORS] [-k KSMDS]
 *
 * It prints its seed (give it back with -s to replay the same operation
 * choices; the interleaving is the scheduler's) and stops after SECONDS.
 * Checked on every walk: each visit lies inside its VMA (sound), and every
 * mapping the folio had for the whole walk is visited at its address
 * (complete). Mutators change a mapping's address only under the rmap lock
 * (a move, as move_page_tables() with need_rmap_locks), or mark the folio
 * with an odd generation while they map or unmap it, so that a walker
 * knows which mappings it must find. At the end everything is freed and
 * counted back; any WARN or lockdep report fails the run.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "anon_vma_lazy_internal.h"
#include "anon_vma_lazy.h"

#define SLOTS		8
#define SLOT_PAGES	16
/* A slot's region: its VMAs sit at the start or SLOT_HALF pages on. */
#define SLOT_HALF	32
#define SLOT_SPAN	64
#define MAX_PIECES	3

struct slot {
	pthread_mutex_t lock;		/* one mutator per slot at a time */
	struct mm_struct mm, child_mm;
	/* The process's VMAs in address order; they cover one region. */
	struct vm_area_struct *piece[MAX_PIECES];
	int nr;
	/* A forked child's copy of the region, while it lives. */
	struct vm_area_struct *child;
	struct folio folio[SLOT_PAGES];
	/* Where each folio is mapped, 0 for nowhere. */
	unsigned long addr[SLOT_PAGES], child_addr[SLOT_PAGES];
	/* Odd while the mappings of the folio change outside the rmap lock. */
	unsigned int gen[SLOT_PAGES];
};

static struct slot slots[SLOTS];
static int stop;
static unsigned long walks, visits, skipped, failures;
enum {
	OP_SPLIT, OP_MERGE, OP_MOVE, OP_FORK, OP_EXIT, OP_UNMAP_TAIL,
	OP_FLIP, OP_RESPAWN, NR_OPS,
	/* Counted, not chosen: lazy roots forked, and upgraded by ksmd. */
	OP_FORK_UPGRADE = NR_OPS, OP_KSM_UPGRADE, NR_COUNTS
};

static unsigned long op_count[NR_COUNTS];
static const char *const op_names[NR_COUNTS] = {
	"splits", "merges", "moves", "forks", "exits", "tail unmaps", "flips",
	"respawns", "fork upgrades", "ksm upgrades"
};

static unsigned long slot_start(int s)
{
	return (unsigned long)(1 + s * SLOT_SPAN) << PAGE_SHIFT;
}

static unsigned long load(unsigned long *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void store(unsigned long *p, unsigned long v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static void gen_bump(struct slot *sl, int p)
{
	__atomic_fetch_add(&sl->gen[p], 1, __ATOMIC_SEQ_CST);
}

static struct vm_area_struct *vma_new(struct mm_struct *mm, unsigned long start,
				      unsigned long end, pgoff_t pgoff)
{
	struct vm_area_struct *vma = calloc(1, sizeof(*vma));

	if (!vma)
		abort();
	vma->vm_mm = mm;
	vma->vm_start = start;
	vma->vm_end = end;
	vma->vm_pgoff = pgoff;
	vm_flags_init(vma, VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE);
	INIT_LIST_HEAD(&vma->anon_vma_chain);
	INIT_LIST_HEAD(&vma->vm_list);
	return vma;
}

static struct vm_area_struct *vma_dup(struct vm_area_struct *vma)
{
	struct vm_area_struct *new = vma_new(vma->vm_mm, vma->vm_start,
					     vma->vm_end, vma->vm_pgoff);

	new->anon_vma = vma->anon_vma;
	return new;
}

static void mm_init(struct mm_struct *mm)
{
	init_rwsem(&mm->mmap_lock);
	spin_lock_init(&mm->page_table_lock);
	INIT_LIST_HEAD(&mm->mmap);
}

/* __split_vma(): the upper part joins the root, then the lower shrinks. */
static void split(struct slot *sl, int i, unsigned long addr)
{
	struct vm_area_struct *vma = sl->piece[i];
	struct vm_area_struct *new = vma_dup(vma);
	int j;

	new->vm_start = addr;
	new->vm_pgoff += (addr - vma->vm_start) >> PAGE_SHIFT;
	if (anon_vma_clone(new, vma))
		abort();
	anon_vma_lock_write(vma->anon_vma);
	vma->vm_end = addr;
	anon_vma_unlock_write(vma->anon_vma);
	for (j = sl->nr; j > i + 1; j--)
		sl->piece[j] = sl->piece[j - 1];
	sl->piece[i + 1] = new;
	sl->nr++;
}

/* vma_merge(): the lower part grows over the upper, which then goes. */
static void merge(struct slot *sl, int i)
{
	struct vm_area_struct *low = sl->piece[i], *high = sl->piece[i + 1];
	int j;

	anon_vma_lock_write(low->anon_vma);
	low->vm_end = high->vm_end;
	anon_vma_unlock_write(low->anon_vma);
	unlink_anon_vmas(high);
	free(high);
	for (j = i + 1; j + 1 < sl->nr; j++)
		sl->piece[j] = sl->piece[j + 1];
	sl->nr--;
}

/*
 * mremap() of each VMA to the other half of the region: copy_vma() links
 * the copy on the root, the ptes move under the rmap lock (the series
 * always takes it for a lazy VMA), then the old VMA is unmapped.
 */
static void move(struct slot *sl)
{
	long delta = sl->piece[0]->vm_start == slot_start(sl - slots) ?
		     SLOT_HALF << PAGE_SHIFT : -(SLOT_HALF << PAGE_SHIFT);
	int i, p;

	for (i = 0; i < sl->nr; i++) {
		struct vm_area_struct *old = sl->piece[i];
		struct vm_area_struct *new = vma_dup(old);

		new->vm_start += delta;
		new->vm_end += delta;
		if (anon_vma_clone(new, old))
			abort();
		anon_vma_lock_write(old->anon_vma);
		for (p = 0; p < SLOT_PAGES; p++) {
			unsigned long a = load(&sl->addr[p]);

			if (a >= old->vm_start && a < old->vm_end)
				store(&sl->addr[p], a + delta);
		}
		anon_vma_unlock_write(old->anon_vma);
		unlink_anon_vmas(old);
		free(old);
		sl->piece[i] = new;
	}
}

/* dup_mmap() of the single VMA, and copy_present_ptes() of its pages. */
static void fork_child(struct slot *sl)
{
	struct vm_area_struct *vma = sl->piece[0];
	struct vm_area_struct *child = vma_dup(vma);
	int p;

	child->vm_mm = &sl->child_mm;
	mmap_write_lock_nested(&sl->child_mm, SINGLE_DEPTH_NESTING);
	if (anon_vma_fork(child, vma))
		abort();
	for (p = 0; p < SLOT_PAGES; p++) {
		gen_bump(sl, p);
		folio_anon_vma_lazy_rewrite_forked(&sl->folio[p]);
		atomic_inc(&sl->folio[p]._mapcount);
		store(&sl->child_addr[p], load(&sl->addr[p]));
		gen_bump(sl, p);
	}
	sl->child = child;
	mmap_write_unlock(&sl->child_mm);
}

/* The child exits: zap its ptes, then unlink_anon_vmas(). */
static void exit_child(struct slot *sl)
{
	int p;

	mmap_write_lock_nested(&sl->child_mm, SINGLE_DEPTH_NESTING);
	for (p = 0; p < SLOT_PAGES; p++) {
		gen_bump(sl, p);
		store(&sl->child_addr[p], 0);
		atomic_dec(&sl->folio[p]._mapcount);
		gen_bump(sl, p);
	}
	unlink_anon_vmas(sl->child);
	free(sl->child);
	sl->child = NULL;
	mmap_write_unlock(&sl->child_mm);
}

/* The pages of [start, end) lose their mapping in the process. */
static void zap(struct slot *sl, unsigned long start, unsigned long end)
{
	int p;

	for (p = 0; p < SLOT_PAGES; p++) {
		unsigned long a = load(&sl->addr[p]);

		if (!a || a < start || a >= end)
			continue;
		gen_bump(sl, p);
		store(&sl->addr[p], 0);
		atomic_set(&sl->folio[p]._mapcount,
			   load(&sl->child_addr[p]) ? 0 : -1);
		gen_bump(sl, p);
	}
}

/*
 * munmap() of the last piece: detached under the write lock, zapped and
 * unlinked (free_pgtables()) under the read lock, while ksmd may upgrade
 * the root it shares with the pieces that stay. Ends read-locked.
 */
static void unmap_tail(struct slot *sl)
{
	struct vm_area_struct *tail = sl->piece[--sl->nr];

	mmap_write_downgrade(&sl->mm);
	zap(sl, tail->vm_start, tail->vm_end);
	unlink_anon_vmas(tail);
	free(tail);
}

/*
 * munmap() of the region, then mmap() and a first fault of every page,
 * the unlink and the fault under the read lock. Ends read-locked.
 */
static void respawn(struct slot *sl)
{
	unsigned long start = slot_start(sl - slots);
	struct vm_area_struct *vma, *gone[MAX_PIECES];
	int i, p, nr_gone = sl->nr;

	for (i = 0; i < nr_gone; i++)
		gone[i] = sl->piece[i];
	vma = vma_new(&sl->mm, start, start + (SLOT_PAGES << PAGE_SHIFT),
		      start >> PAGE_SHIFT);
	sl->piece[0] = vma;
	sl->nr = 1;
	mmap_write_downgrade(&sl->mm);
	zap(sl, 0, ULONG_MAX);
	for (i = 0; i < nr_gone; i++) {
		unlink_anon_vmas(gone[i]);
		free(gone[i]);
	}
	if (anon_vma_prepare(vma))
		abort();
	for (p = 0; p < SLOT_PAGES; p++) {
		struct folio *folio = &sl->folio[p];
		unsigned long a = start + ((unsigned long)p << PAGE_SHIFT);

		/* A new folio: nobody else can hold it, as in the kernel. */
		gen_bump(sl, p);
		folio_lock(folio);
		__folio_set_anon(folio, vma, a, true);
		atomic_set(&folio->_mapcount, 0);
		store(&sl->addr[p], a);
		folio_unlock(folio);
		gen_bump(sl, p);
	}
}

static void *mutator(void *arg)
{
	unsigned int seed = (unsigned int)(unsigned long)arg;

	shim_rcu_register_thread();
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		struct slot *sl = &slots[rand_r(&seed) % SLOTS];
		int op = rand_r(&seed) % NR_OPS, i;

		bool read_locked = false;

		pthread_mutex_lock(&sl->lock);
		mmap_write_lock(&sl->mm);
		switch (op) {
		case OP_SPLIT:
			i = rand_r(&seed) % sl->nr;
			if (sl->nr == MAX_PIECES ||
			    vma_pages(sl->piece[i]) < 2) {
				op = -1;
				break;
			}
			split(sl, i, sl->piece[i]->vm_start + ((1 + rand_r(&seed) %
			      (vma_pages(sl->piece[i]) - 1)) << PAGE_SHIFT));
			break;
		case OP_MERGE:
			if (sl->nr < 2) {
				op = -1;
				break;
			}
			merge(sl, rand_r(&seed) % (sl->nr - 1));
			break;
		case OP_MOVE:
			move(sl);
			break;
		case OP_FORK:
			if (sl->child || sl->nr != 1) {
				op = -1;
				break;
			}
			if (vma_anon_vma_is_lazy(sl->piece[0]))
				__atomic_fetch_add(&op_count[OP_FORK_UPGRADE], 1,
						   __ATOMIC_RELAXED);
			fork_child(sl);
			break;
		case OP_EXIT:
			if (!sl->child) {
				op = -1;
				break;
			}
			exit_child(sl);
			break;
		case OP_UNMAP_TAIL:
			if (sl->nr < 2) {
				op = -1;
				break;
			}
			unmap_tail(sl);
			read_locked = true;
			break;
		case OP_FLIP:
			WRITE_ONCE(sysctl_anon_vma_lazy, !READ_ONCE(sysctl_anon_vma_lazy));
			break;
		default:
			op = OP_RESPAWN;
			if (sl->child)
				exit_child(sl);
			respawn(sl);
			read_locked = true;
			break;
		}
		if (read_locked)
			mmap_read_unlock(&sl->mm);
		else
			mmap_write_unlock(&sl->mm);
		pthread_mutex_unlock(&sl->lock);
		if (op >= 0)
			__atomic_fetch_add(&op_count[op], 1, __ATOMIC_RELAXED);
	}
	shim_rcu_unregister_thread();
	return NULL;
}

/*
 * ksmd: try_to_merge_with_ksm_page() upgrades the root of the VMA it merges
 * a page in, under mmap_lock held for read only.
 */
static void *ksmd(void *arg)
{
	unsigned int seed = (unsigned int)(unsigned long)arg;
	unsigned long n = 0;

	shim_rcu_register_thread();
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		struct slot *sl = &slots[rand_r(&seed) % SLOTS];
		struct vm_area_struct *vma;

		/*
		 * The parent's VMAs, or the child's, which joined the
		 * parent's root at fork: each mm leaves the family on its own.
		 */
		if (rand_r(&seed) & 1) {
			mmap_read_lock(&sl->child_mm);
			vma = sl->child;
			if (vma && vma_anon_vma_is_lazy(vma)) {
				if (anon_vma_lazy_upgrade_vma(vma, ANON_VMA_LAZY_UPGRADE_KSM))
					abort();
				n++;
			}
			mmap_read_unlock(&sl->child_mm);
		} else {
			mmap_read_lock(&sl->mm);
			vma = sl->piece[rand_r(&seed) % sl->nr];
			if (vma_anon_vma_is_lazy(vma)) {
				if (anon_vma_lazy_upgrade_vma(vma, ANON_VMA_LAZY_UPGRADE_KSM))
					abort();
				n++;
			}
			mmap_read_unlock(&sl->mm);
		}
		sched_yield();
	}
	__atomic_fetch_add(&op_count[OP_KSM_UPGRADE], n, __ATOMIC_RELAXED);
	shim_rcu_unregister_thread();
	return NULL;
}

struct walk_arg {
	struct slot *sl;
	int p;
	unsigned long seen, seen_child, wrong;
};

static bool visit(struct folio *folio, struct vm_area_struct *vma,
		  unsigned long address, void *arg)
{
	struct walk_arg *wa = arg;
	struct slot *sl = wa->sl;

	if (address < vma->vm_start || address >= vma->vm_end ||
	    (vma->vm_mm != &sl->mm && vma->vm_mm != &sl->child_mm))
		wa->wrong++;
	/* Under the rmap lock: a move cannot change the address meanwhile. */
	if (vma->vm_mm == &sl->mm && address == load(&sl->addr[wa->p]))
		wa->seen++;
	if (vma->vm_mm == &sl->child_mm &&
	    address == load(&sl->child_addr[wa->p]))
		wa->seen_child++;
	return true;
}

enum walker_kind { WALK_RECLAIM, WALK_MIGRATE, WALK_IDLE, NR_WALKERS };

static void *walker(void *arg)
{
	unsigned int seed = (unsigned int)(unsigned long)arg;
	enum walker_kind kind = seed % NR_WALKERS;
	unsigned long n = 0, v = 0, skip = 0;

	shim_rcu_register_thread();
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		struct slot *sl = &slots[rand_r(&seed) % SLOTS];
		int p = rand_r(&seed) % SLOT_PAGES;
		struct folio *folio = &sl->folio[p];
		struct walk_arg wa = { .sl = sl, .p = p };
		struct rmap_walk_control rwc = {
			.arg = &wa,
			.rmap_one = visit,
			.try_lock = kind == WALK_RECLAIM,
			/* folio_referenced() and page_idle lock it so. */
			.anon_lock = kind == WALK_MIGRATE ? NULL :
				     folio_lock_anon_vma_read,
		};
		struct anon_vma *anon_vma = NULL;
		unsigned int gen;
		bool mapped, child;

		if (kind == WALK_MIGRATE) {
			folio_lock(folio);
		} else if (!folio_trylock(folio)) {
			skip++;
			continue;
		}
		gen = __atomic_load_n(&sl->gen[p], __ATOMIC_SEQ_CST);
		mapped = load(&sl->addr[p]);
		child = load(&sl->child_addr[p]);
		if (kind == WALK_MIGRATE) {
			/* migrate_folio_unmap() holds the tree across the walks. */
			anon_vma = folio_get_anon_vma(folio);
			if (!anon_vma) {
				folio_unlock(folio);
				skip++;
				continue;
			}
		}
		rmap_walk(folio, &rwc);
		if (anon_vma)
			put_anon_vma(anon_vma);
		if (wa.wrong ||
		    (gen == __atomic_load_n(&sl->gen[p], __ATOMIC_SEQ_CST) &&
		     !(gen & 1) && !rwc.contended &&
		     ((mapped && !wa.seen) || (child && !wa.seen_child)))) {
			fprintf(stderr, "FAIL kind %d slot %ld page %d: seen %lu/%lu, wrong %lu\n",
				kind, (long)(sl - slots), p, wa.seen,
				wa.seen_child, wa.wrong);
			__atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
		}
		folio_unlock(folio);
		if (rwc.contended)
			skip++;
		n++;
		v += wa.seen + wa.seen_child;
	}
	__atomic_fetch_add(&walks, n, __ATOMIC_RELAXED);
	__atomic_fetch_add(&visits, v, __ATOMIC_RELAXED);
	__atomic_fetch_add(&skipped, skip, __ATOMIC_RELAXED);
	shim_rcu_unregister_thread();
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned int seed = (unsigned int)time(NULL) ^ (unsigned int)getpid();
	int seconds = 5, nr_walkers = 3, nr_mutators = 2, nr_ksmds = 1;
	pthread_t threads[64];
	int opt, i, s, nr_threads;

	while ((opt = getopt(argc, argv, "s:t:w:m:k:")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoul(optarg, NULL, 0);
			break;
		case 't':
			seconds = atoi(optarg);
			break;
		case 'w':
			nr_walkers = atoi(optarg);
			break;
		case 'm':
			nr_mutators = atoi(optarg);
			break;
		case 'k':
			nr_ksmds = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-s SEED] [-t SECONDS] [-w N] [-m N] [-k N]\n",
				argv[0]);
			return 2;
		}
	}
	nr_threads = nr_walkers + nr_mutators + nr_ksmds;
	if (nr_threads > 64 || nr_walkers < 1 || nr_mutators < 1 || nr_ksmds < 0)
		return 2;
	printf("lazy_stress: seed %u, %d s, %d walkers, %d mutators, %d ksmds\n",
	       seed, seconds, nr_walkers, nr_mutators, nr_ksmds);
	fflush(stdout);

	shim_rcu_register_thread();
	shim_preempt_points(4);
	anon_vma_init();
	for (s = 0; s < SLOTS; s++) {
		struct slot *sl = &slots[s];

		pthread_mutex_init(&sl->lock, NULL);
		mm_init(&sl->mm);
		mm_init(&sl->child_mm);
		for (i = 0; i < SLOT_PAGES; i++)
			atomic_set(&sl->folio[i]._mapcount, -1);
		mmap_write_lock(&sl->mm);
		respawn(sl);
		mmap_read_unlock(&sl->mm);
	}

	for (i = 0; i < nr_mutators; i++)
		pthread_create(&threads[i], NULL, mutator,
			       (void *)(unsigned long)(seed + i));
	for (i = 0; i < nr_walkers; i++)
		pthread_create(&threads[nr_mutators + i], NULL, walker,
			       (void *)(unsigned long)(seed + 1000 + i));
	for (i = 0; i < nr_ksmds; i++)
		pthread_create(&threads[nr_mutators + nr_walkers + i], NULL, ksmd,
			       (void *)(unsigned long)(seed + 2000 + i));
	sleep(seconds);
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < nr_threads; i++)
		pthread_join(threads[i], NULL);

	for (s = 0; s < SLOTS; s++) {
		struct slot *sl = &slots[s];

		mmap_write_lock(&sl->mm);
		if (sl->child)
			exit_child(sl);
		for (i = 0; i < sl->nr; i++) {
			unlink_anon_vmas(sl->piece[i]);
			free(sl->piece[i]);
		}
		mmap_write_unlock(&sl->mm);
	}
	rcu_barrier();
	printf("lazy_stress: %lu walks, %lu visits, %lu skipped (contended)\n",
	       walks, visits, skipped);
	printf("lazy_stress:");
	for (i = 0; i < NR_COUNTS; i++)
		printf("%s %lu %s", i ? "," : "", op_count[i], op_names[i]);
	printf("\nlazy_stress: %lu failures, %ld objects left, %lu warnings\n",
	       failures, shim_slab_live_total(), shim_warn_count());
	if (failures || shim_slab_live_total() || shim_warn_count()) {
		printf("lazy_stress: FAILED (seed %u)\n", seed);
		return 1;
	}
	return 0;
}
