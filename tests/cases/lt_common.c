// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers the cases share, built in both hosts: they drive the core the way
 * the kernel does (locks taken, ranges changed under the root lock).
 */
#include "lt.h"

const struct ctl_table *lt_sysctl(const char *procname)
{
	unsigned int i;

	for (i = 0; i < anon_vma_lazy_nr_sysctls; i++)
		if (!strcmp(anon_vma_lazy_sysctls[i].procname, procname))
			return &anon_vma_lazy_sysctls[i];
	return NULL;
}

int lt_sysctl_write(struct lt *t, const char *procname, const char *value)
{
	const struct ctl_table *table = lt_sysctl(procname);
	char buf[32];
	size_t len = strlen(value);
	loff_t pos = 0;

	LT_NOT_NULL(t, table);
	LT_TRUE(t, len < sizeof(buf));
	memcpy(buf, value, len + 1);
	return table->proc_handler(table, 1, buf, &len, &pos);
}

/* A new, exclusive anonymous folio mapped at @address, as a fault does. */
void lt_map(struct lt *t, struct folio *folio, struct vm_area_struct *vma,
	    unsigned long address)
{
	folio->index = linear_page_index(vma, address);
	LT_EQ(t, folio_set_anon_mapping(folio, vma, true), 0);
	atomic_set(&folio->_mapcount, 0);
}

void lt_unmap(struct folio *folio)
{
	atomic_set(&folio->_mapcount, -1);
}

/* The first anonymous fault of @vma, as do_anonymous_page() makes it. */
struct anon_vma_lazy *lt_fault(struct lt *t, struct vm_area_struct *vma)
{
	mmap_read_lock(vma->vm_mm);
	LT_EQ(t, anon_vma_lazy_prepare(vma, NULL), 0);
	mmap_read_unlock(vma->vm_mm);
	return anon_vma_handle_to_lazy(vma_anon_vma_handle(vma));
}

/* __split_vma(): the new upper part joins the root, then @vma shrinks. */
struct vm_area_struct *lt_split(struct lt *t, struct vm_area_struct *vma,
				unsigned long address)
{
	struct anon_vma_lazy *root = anon_vma_handle_to_lazy(vma_anon_vma_handle(vma));
	struct vm_area_struct *new = lt_vma_dup(t, vma, vma->vm_mm);

	LT_NOT_NULL(t, root);
	mmap_write_lock(vma->vm_mm);
	new->vm_start = address;
	new->vm_pgoff += (address - vma->vm_start) >> PAGE_SHIFT;
	LT_EQ(t, anon_vma_lazy_clone(new, vma), 0);
	anon_vma_lazy_lock_write(root);
	vma->vm_end = address;
	anon_vma_lazy_unlock_write(root);
	mmap_write_unlock(vma->vm_mm);
	return new;
}

static bool lt_visit_one(struct folio *folio, struct vm_area_struct *vma,
			 unsigned long address, void *arg)
{
	struct lt_visits *visits = arg;

	if (visits->nr < LT_MAX_VISITS) {
		visits->vma[visits->nr] = vma;
		visits->address[visits->nr] = address;
	}
	visits->nr++;
	return !visits->stop_after || visits->nr < visits->stop_after;
}

static bool lt_visit_invalid(struct vm_area_struct *vma, void *arg)
{
	struct lt_visits *visits = arg;

	return vma == visits->invalid;
}

bool lt_must_not_visit(struct folio *folio, struct vm_area_struct *vma,
		       unsigned long address, void *arg)
{
	*(bool *)arg = true;
	return true;
}

static void lt_walk_rwc(struct folio *folio, struct lt_visits *visits,
			bool try_lock, bool *contended, bool locked)
{
	struct rmap_walk_control rwc = {
		.arg = visits,
		.try_lock = try_lock,
		.rmap_one = lt_visit_one,
		.invalid_vma = lt_visit_invalid,
	};

	if (locked)
		rmap_walk_locked(folio, &rwc);
	else
		rmap_walk(folio, &rwc);
	if (contended)
		*contended = rwc.contended;
}

/* rmap_walk() under the folio lock, as try_to_unmap() and migration do. */
void lt_walk(struct folio *folio, struct lt_visits *visits, bool try_lock,
	     bool *contended)
{
	folio_lock(folio);
	lt_walk_rwc(folio, visits, try_lock, contended, false);
	folio_unlock(folio);
}

/*
 * rmap_walk() without the folio lock, waiting for the rmap lock, as
 * page_idle walks an anonymous folio.
 */
void lt_walk_unlocked(struct folio *folio, struct lt_visits *visits)
{
	struct rmap_walk_control rwc = {
		.arg = visits,
		.rmap_one = lt_visit_one,
		.invalid_vma = lt_visit_invalid,
		.anon_lock = folio_lock_anon_vma_read,
	};

	rmap_walk(folio, &rwc);
}

/* rmap_walk() by a caller that already holds the folio lock. */
void lt_walk_held(struct folio *folio, struct lt_visits *visits)
{
	VM_WARN_ON_ONCE(!folio_test_locked(folio));
	lt_walk_rwc(folio, visits, false, NULL, false);
}

/* rmap_walk_locked(): the caller holds the lock of its settled handle. */
void lt_walk_locked_rmap(struct folio *folio, struct lt_visits *visits)
{
	lt_walk_rwc(folio, visits, false, NULL, true);
}

/* rmap_walk_locked() on a lazy folio: the caller holds the root lock. */
struct anon_vma *lt_walk_locked(struct folio *folio, struct lt_visits *visits)
{
	struct rmap_walk_control rwc = {
		.arg = visits,
		.rmap_one = lt_visit_one,
		.invalid_vma = lt_visit_invalid,
	};
	struct anon_vma_lazy *held;

	/* A locked walk keeps no lock of its own. */
	return rmap_walk_anon_lazy(folio, &rwc, true, &held);
}
