#!/bin/sh
# init of the selftest guest: run each mm selftest named in LAZYRMAP_TESTS
# from LAZYRMAP_DIR, with vm.anon_vma_lazy set to each of LAZYRMAP_SWITCH
# ("none" on a kernel without the series), both comma-separated, bounded in
# time (the kernel command line has no spaces in values); one line per
# run: "SELFTEST switch name exit pass fail skip".
. "$(dirname "$0")/lib.sh"
guest_start "$LAZYRMAP_DIR"
[ -n "$LAZYRMAP_SWAP" ] && guest_swap_on
echo 1 > /sys/kernel/mm/ksm/run 2>/dev/null
for sw in $(echo "$LAZYRMAP_SWITCH" | tr , " "); do
	[ "$sw" = none ] || echo "$sw" > /proc/sys/vm/anon_vma_lazy
	for t in $(echo "$LAZYRMAP_TESTS" | tr , " "); do
		timeout 300 ./"$t" > /tmp/out 2>&1
		rc=$?
		pass=$(grep -c '^ok ' /tmp/out)
		fail=$(grep -c '^not ok ' /tmp/out)
		skip=$(grep -c '^ok .*# SKIP' /tmp/out)
		echo "SELFTEST $sw $t $rc $((pass - skip)) $fail $skip"
		grep '^not ok ' /tmp/out | sed "s/^/FAILDETAIL $sw $t: /" | head -5
		[ -n "$LAZYRMAP_VERBOSE" ] && sed "s/^/OUT $sw $t: /" /tmp/out
	done
done
guest_finish
