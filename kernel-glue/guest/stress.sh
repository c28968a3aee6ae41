#!/bin/sh
# init of the stress guest: stress-ng's mm stressors, one after another,
# each for LAZYRMAP_SECONDS, with vm.anon_vma_lazy=1 and swap on; then the
# kernel log is searched for splats.
. "$(dirname "$0")/lib.sh"
guest_start /
guest_swap_on
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
guest_finish
