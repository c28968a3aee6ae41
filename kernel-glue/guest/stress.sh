#!/bin/sh
# init of the stress guest: stress-ng's mm stressors, one after another,
# each for LAZYRMAP_SECONDS, with vm.anon_vma_lazy=1 and swap on; then the
# kernel log is searched for splats.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
mount -t proc proc /proc
mount -t sysfs sysfs /sys
cd / || exit 1
mount -t tmpfs tmpfs /tmp
echo "LAZYRMAP-BOOTED $(uname -r)"
mkswap /dev/ubda >/dev/null && swapon /dev/ubda && echo "LAZYRMAP-SWAP on"
echo 1 > /proc/sys/vm/anon_vma_lazy
echo 1 > /sys/kernel/mm/ksm/run 2>/dev/null
for s in fork vm mremap mmap mmapfork madvise brk stack munmap mprotect userfaultfd; do
	args="--$s 2"
	[ "$s" = vm ] && args="$args --vm-bytes 32M"
	[ "$s" = mmap ] && args="$args --mmap-bytes 32M"
	timeout $((LAZYRMAP_SECONDS + 30)) stress-ng $args --timeout "${LAZYRMAP_SECONDS}s" \
		--temp-path /tmp --metrics-brief >/tmp/out 2>&1
	echo "STRESS $s $? $(grep -E 'passed|failed|unrecognized|error' /tmp/out | tail -1 | tr -s ' ')"
done
grep '^anon_lazy' /proc/vmstat | sed 's/^/vmstat /'
if dmesg | grep -E 'BUG|WARNING|possible recursive|circular locking|suspicious RCU|KASAN|Oops|general protection|bad page'; then
	echo "LAZYRMAP-SPLAT"
fi
echo "LAZYRMAP-DONE"
echo o > /proc/sysrq-trigger
# Power-off is asynchronous: init must not exit (and panic) before it.
sleep 60
