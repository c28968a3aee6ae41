// SPDX-License-Identifier: GPL-2.0
/*
 * A first concurrent harness for the core, after OpenZFS's ztest: mutator
 * threads split, merge and upgrade lazy VMAs while walker threads run the
 * rmap walk on their folios, over the user shim (pthreads, liburcu).
 *
 *   lazy_stress [-s SEED] [-t SECONDS] [-w WALKERS] [-m MUTATORS]
 *
 * It prints its seed (give it back with -s to replay the same operation
 * choices; thread interleaving is the scheduler's) and stops after SECONDS.
 * Checked on every walk: the folio, which stays mapped, is visited at least
 * once at its own address (complete), and only by VMAs that cover that
 * address (sound). At the end every object is freed and counted back.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "lazyrmap_internal.h"
#include "anon_vma_lazy.h"

#define SLOTS		8
#define SLOT_PAGES	16
#define SLOT_GAP	64

struct slot {
	/* The slot's VMAs in address order: one, or two after a split. */
	struct vm_area_struct *piece[2];
	int nr;
	struct folio folio[SLOT_PAGES];
};

static struct mm_struct mm;
static struct slot slots[SLOTS];
static int stop;
static unsigned long walks, visits, splits, merges, upgrades;
static unsigned long failures;

static unsigned long slot_start(int s)
{
	return (unsigned long)(1 + s * SLOT_GAP) << PAGE_SHIFT;
}

static struct vm_area_struct *vma_new(unsigned long start, unsigned long end)
{
	struct vm_area_struct *vma = calloc(1, sizeof(*vma));

	if (!vma)
		abort();
	vma->vm_mm = &mm;
	vma->vm_start = start;
	vma->vm_end = end;
	vma->vm_pgoff = start >> PAGE_SHIFT;
	vma->vm_flags = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE;
	INIT_LIST_HEAD(&vma->anon_vma_chain);
	INIT_LIST_HEAD(&vma->vm_list);
	return vma;
}

/* __split_vma(): the upper part joins the rmap, then the lower one shrinks. */
static void split(struct slot *sl, unsigned long addr)
{
	struct vm_area_struct *vma = sl->piece[0];
	struct vm_area_struct *new = malloc(sizeof(*new));

	if (!new)
		abort();
	*new = *vma;
	INIT_LIST_HEAD(&new->anon_vma_chain);
	new->vm_start = addr;
	new->vm_pgoff += (addr - vma->vm_start) >> PAGE_SHIFT;
	if (anon_vma_clone(new, vma))
		abort();
	anon_vma_lock_write(vma->anon_vma);
	vma->vm_end = addr;
	anon_vma_unlock_write(vma->anon_vma);
	sl->piece[1] = new;
	sl->nr = 2;
}

/* vma_merge(): the lower part grows over the upper, which then goes. */
static void merge(struct slot *sl)
{
	struct vm_area_struct *low = sl->piece[0], *high = sl->piece[1];

	anon_vma_lock_write(low->anon_vma);
	low->vm_end = high->vm_end;
	anon_vma_unlock_write(low->anon_vma);
	unlink_anon_vmas(high);
	free(high);
	sl->nr = 1;
}

static void *mutator(void *arg)
{
	unsigned int seed = (unsigned int)(unsigned long)arg;

	shim_rcu_register_thread();
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		struct slot *sl = &slots[rand_r(&seed) % SLOTS];
		int op = rand_r(&seed) % 16;

		mmap_write_lock(&mm);
		if (op == 0 && vma_anon_vma_is_lazy(sl->piece[0])) {
			if (anon_vma_lazy_upgrade_vma(sl->piece[0],
						      ANON_VMA_LAZY_UPGRADE_FORK))
				abort();
			__atomic_fetch_add(&upgrades, 1, __ATOMIC_RELAXED);
		} else if (sl->nr == 1) {
			split(sl, sl->piece[0]->vm_start +
			      ((1 + rand_r(&seed) % (SLOT_PAGES - 1)) << PAGE_SHIFT));
			__atomic_fetch_add(&splits, 1, __ATOMIC_RELAXED);
		} else {
			merge(sl);
			__atomic_fetch_add(&merges, 1, __ATOMIC_RELAXED);
		}
		mmap_write_unlock(&mm);
	}
	shim_rcu_unregister_thread();
	return NULL;
}

struct walk_arg {
	unsigned long address;
	unsigned long seen;
	unsigned long wrong;
};

static bool visit(struct folio *folio, struct vm_area_struct *vma,
		  unsigned long address, void *arg)
{
	struct walk_arg *wa = arg;

	if (address == wa->address)
		wa->seen++;
	if (address < vma->vm_start || address >= vma->vm_end ||
	    address != wa->address)
		wa->wrong++;
	return true;
}

static void *walker(void *arg)
{
	unsigned int seed = (unsigned int)(unsigned long)arg;
	unsigned long n = 0, v = 0;

	shim_rcu_register_thread();
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		int s = rand_r(&seed) % SLOTS, p = rand_r(&seed) % SLOT_PAGES;
		struct folio *folio = &slots[s].folio[p];
		struct walk_arg wa = {
			.address = slot_start(s) + ((unsigned long)p << PAGE_SHIFT),
		};
		struct rmap_walk_control rwc = { .arg = &wa, .rmap_one = visit };

		folio_lock(folio);
		rmap_walk(folio, &rwc);
		folio_unlock(folio);
		if (!wa.seen || wa.wrong) {
			fprintf(stderr, "FAIL slot %d page %d: seen %lu, wrong %lu\n",
				s, p, wa.seen, wa.wrong);
			__atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
		}
		n++;
		v += wa.seen;
	}
	__atomic_fetch_add(&walks, n, __ATOMIC_RELAXED);
	__atomic_fetch_add(&visits, v, __ATOMIC_RELAXED);
	shim_rcu_unregister_thread();
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned int seed = (unsigned int)time(NULL) ^ (unsigned int)getpid();
	int seconds = 5, nr_walkers = 3, nr_mutators = 1, opt, i, s, p;
	pthread_t threads[64];

	while ((opt = getopt(argc, argv, "s:t:w:m:")) != -1) {
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
		default:
			fprintf(stderr, "usage: %s [-s SEED] [-t SECONDS] [-w N] [-m N]\n",
				argv[0]);
			return 2;
		}
	}
	if (nr_walkers + nr_mutators > 64 || nr_walkers < 1 || nr_mutators < 1)
		return 2;
	printf("lazy_stress: seed %u, %d s, %d walkers, %d mutators\n", seed,
	       seconds, nr_walkers, nr_mutators);
	fflush(stdout);

	shim_rcu_register_thread();
	if (anon_vma_model_init())
		return 2;
	init_rwsem(&mm.mmap_lock);
	spin_lock_init(&mm.page_table_lock);
	INIT_LIST_HEAD(&mm.mmap);
	for (s = 0; s < SLOTS; s++) {
		struct slot *sl = &slots[s];
		struct vm_area_struct *vma = vma_new(slot_start(s), slot_start(s) +
						     (SLOT_PAGES << PAGE_SHIFT));

		sl->piece[0] = vma;
		sl->nr = 1;
		mmap_read_lock(&mm);
		if (anon_vma_lazy_prepare(vma, NULL))
			return 2;
		mmap_read_unlock(&mm);
		for (p = 0; p < SLOT_PAGES; p++) {
			struct folio *folio = &sl->folio[p];

			folio->index = linear_page_index(vma, vma->vm_start +
							 ((unsigned long)p << PAGE_SHIFT));
			folio_set_anon_mapping(folio, vma, true);
			atomic_set(&folio->_mapcount, 0);
		}
	}

	for (i = 0; i < nr_mutators; i++)
		pthread_create(&threads[i], NULL, mutator,
			       (void *)(unsigned long)(seed + i));
	for (i = 0; i < nr_walkers; i++)
		pthread_create(&threads[nr_mutators + i], NULL, walker,
			       (void *)(unsigned long)(seed + 1000 + i));
	sleep(seconds);
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < nr_mutators + nr_walkers; i++)
		pthread_join(threads[i], NULL);

	for (s = 0; s < SLOTS; s++) {
		for (i = 0; i < slots[s].nr; i++) {
			unlink_anon_vmas(slots[s].piece[i]);
			free(slots[s].piece[i]);
		}
	}
	rcu_barrier();
	printf("lazy_stress: %lu walks, %lu visits, %lu splits, %lu merges, ",
	       walks, visits, splits, merges);
	printf("%lu upgrades, %lu failures, %ld objects left\n", upgrades,
	       failures, shim_slab_live_total());
	if (failures || shim_slab_live_total() || shim_warn_count()) {
		printf("lazy_stress: FAILED (seed %u)\n", seed);
		return 1;
	}
	return 0;
}
