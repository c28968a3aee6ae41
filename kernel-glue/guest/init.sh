#!/bin/sh
# init of lazyrmap's UML guest (the host's / is the root): run the workload
# with vm.anon_vma_lazy off, then on, report, look for splats, power off.
# LAZYRMAP_WORKLOAD and LAZYRMAP_NR come from the kernel command line.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
mount -t proc proc /proc
mount -t sysfs sysfs /sys
# Into the workload's directory first: the tmpfs over /tmp hides the host's
# /tmp, where a checkout may live.
cd "$(dirname "$LAZYRMAP_WORKLOAD")" || echo "LAZYRMAP-FAIL no $LAZYRMAP_WORKLOAD"
mount -t tmpfs tmpfs /tmp
echo "LAZYRMAP-BOOTED $(uname -r)"
for sw in 0 1; do
	label=off
	[ $sw = 1 ] && label=on
	echo $sw > /proc/sys/vm/anon_vma_lazy || echo "LAZYRMAP-FAIL no vm.anon_vma_lazy"
	./"$(basename "$LAZYRMAP_WORKLOAD")" $label "$LAZYRMAP_NR" ||
		echo "LAZYRMAP-FAIL workload $label"
done
grep '^anon_lazy' /proc/vmstat | sed 's/^/vmstat /'
if dmesg | grep -E 'BUG|WARNING|possible recursive|circular locking|suspicious RCU|KASAN|Oops|general protection|bad page'; then
	echo "LAZYRMAP-SPLAT"
fi
echo "LAZYRMAP-DONE"
echo o > /proc/sysrq-trigger
# Power-off is asynchronous: init must not exit (and panic) before it.
sleep 60
