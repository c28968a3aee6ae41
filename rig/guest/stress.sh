#!/bin/sh
# init of the stress guest, swap on: first the races program (LAZYRMAP_RACES,
# if given) for LAZYRMAP_RACES_SECONDS with vm.anon_vma_lazy=1 and then =0;
# then stress-ng's stressors named in LAZYRMAP_STRESSORS (comma-separated),
# one after another, each for LAZYRMAP_SECONDS with LAZYRMAP_INSTANCES
# instances (2 by default), switch on. The kernel log is searched for
# splats at the end.
. "$(dirname "$0")/lib.sh"
# In the races program's directory: a checkout under the host's /tmp is
# hidden by the tmpfs guest_start mounts there, so it runs as ./races.
guest_start "$(dirname "${LAZYRMAP_RACES:-/.}")"
guest_swap_on
echo 1 > /sys/kernel/mm/ksm/run 2>/dev/null
if [ -n "$LAZYRMAP_RACES" ]; then
	for sw in 1 0; do
		echo $sw > /proc/sys/vm/anon_vma_lazy
		timeout $((LAZYRMAP_RACES_SECONDS + 120)) "./$(basename "$LAZYRMAP_RACES")" \
			-t "$LAZYRMAP_RACES_SECONDS" >/tmp/out 2>&1
		echo "RACES $sw $? $(grep -c RACES-FAIL /tmp/out)"
		sed "s/^/RACES-OUT $sw /" /tmp/out
	done
fi
echo 1 > /proc/sys/vm/anon_vma_lazy
n=${LAZYRMAP_INSTANCES:-2}
for s in $(echo "$LAZYRMAP_STRESSORS" | tr , " "); do
	[ "$LAZYRMAP_SECONDS" -gt 0 ] || break
	args="--$s $n"
	[ "$s" = vm ] && args="$args --vm-bytes 32M"
	[ "$s" = mmap ] && args="$args --mmap-bytes 32M"
	timeout $((LAZYRMAP_SECONDS + 60)) stress-ng $args --timeout "${LAZYRMAP_SECONDS}s" \
		--temp-path /tmp --metrics-brief >/tmp/out 2>&1
	rc=$?
	echo "STRESS $s $rc $(grep -E 'passed|failed|unrecognized|error' /tmp/out | tail -1 | tr -s ' ')"
	[ $rc -eq 0 ] || grep -E 'fail|error|FAIL' /tmp/out | head -10 | sed "s/^/STRESS-OUT $s /"
done
guest_finish
