// SPDX-License-Identifier: GPL-2.0
/* The vm event counters of the user shim (<linux/vmstat.h>). */
#include <linux/vmstat.h>

static unsigned long events[NR_VM_EVENT_ITEMS];

void count_vm_event(enum vm_event_item item)
{
	__atomic_fetch_add(&events[item], 1, __ATOMIC_RELAXED);
}

unsigned long shim_vm_event(enum vm_event_item item)
{
	return __atomic_load_n(&events[item], __ATOMIC_RELAXED);
}
