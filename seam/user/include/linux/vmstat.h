/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/vmstat.h>: the event counters the
 * ANON_VMA_LAZY series adds (include/linux/vm_event_item.h), counted here
 * so that the tests can read them as /proc/vmstat shows them.
 */
#ifndef _SHIM_LINUX_VMSTAT_H
#define _SHIM_LINUX_VMSTAT_H

enum vm_event_item {
	ANON_LAZY_ROOT_ALLOC,
	ANON_LAZY_ROOT_REUSE,
	ANON_LAZY_UPGRADE_FORK,
	ANON_LAZY_UPGRADE_KSM,
	ANON_LAZY_PARENT_FORK,
	ANON_LAZY_PARENT_ADOPT,
	ANON_LAZY_FAMILY_JOIN,
	NR_VM_EVENT_ITEMS
};

void count_vm_event(enum vm_event_item item);

/* Test control: an event's count since the start. */
unsigned long shim_vm_event(enum vm_event_item item);

#endif /* _SHIM_LINUX_VMSTAT_H */
