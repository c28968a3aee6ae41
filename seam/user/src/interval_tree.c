// SPDX-License-Identifier: GPL-2.0
/*
 * The anon_vma interval tree of mm/interval_tree.c, as a list here: a query
 * returns the chains whose VMA's pgoff range overlaps it, as the tree's
 * does. The mm model changes a VMA's range without taking its chains out
 * and back in (vma_prepare() and vma_complete() do, around the change), so
 * the list is kept in insertion order and every query scans all of it.
 */
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/rmap.h>

static unsigned long avc_start_pgoff(struct anon_vma_chain *avc)
{
	return avc->vma->vm_pgoff;
}

static unsigned long avc_last_pgoff(struct anon_vma_chain *avc)
{
	return avc->vma->vm_pgoff + vma_pages(avc->vma) - 1;
}

void anon_vma_interval_tree_insert(struct anon_vma_chain *node,
				   struct rb_root_cached *root)
{
	struct rb_node **link = &root->rb_root.rb_node;

	node->rb_subtree_last = avc_last_pgoff(node);
	while (*link)
		link = &(*link)->rb_right;
	node->rb.rb_right = NULL;
	WRITE_ONCE(*link, &node->rb);
}

void anon_vma_interval_tree_remove(struct anon_vma_chain *node,
				   struct rb_root_cached *root)
{
	struct rb_node **link = &root->rb_root.rb_node;

	while (*link != &node->rb) {
		BUG_ON(!*link);
		link = &(*link)->rb_right;
	}
	WRITE_ONCE(*link, node->rb.rb_right);
}

static struct anon_vma_chain *first_from(struct rb_node *node,
					 unsigned long first, unsigned long last)
{
	for (; node; node = node->rb_right) {
		struct anon_vma_chain *avc = container_of(node, struct anon_vma_chain,
							  rb);

		if (avc_start_pgoff(avc) <= last && avc_last_pgoff(avc) >= first)
			return avc;
	}
	return NULL;
}

struct anon_vma_chain *anon_vma_interval_tree_iter_first(struct rb_root_cached *root,
							 unsigned long first,
							 unsigned long last)
{
	return first_from(root->rb_root.rb_node, first, last);
}

struct anon_vma_chain *anon_vma_interval_tree_iter_next(struct anon_vma_chain *node,
							unsigned long first,
							unsigned long last)
{
	return first_from(node->rb.rb_right, first, last);
}

/* CONFIG_DEBUG_VM_RB: nothing to verify in a list. */
void anon_vma_interval_tree_verify(struct anon_vma_chain *node)
{
}
