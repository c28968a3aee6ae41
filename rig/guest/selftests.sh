#!/bin/sh
# init of the selftest guest: run each mm selftest named in LAZYRMAP_TESTS
# from LAZYRMAP_DIR, with vm.anon_vma_lazy set to each of LAZYRMAP_SWITCH
# ("none" on a kernel without the series), both comma-separated, each run
# bounded by LAZYRMAP_TIMEOUT seconds (300 by default). The kernel command
# line has no spaces in values: a test is "binary" or "label=binary:arg:arg".
# One line per run: "SELFTEST switch label exit pass fail skip seconds".
. "$(dirname "$0")/lib.sh"
guest_start "$LAZYRMAP_DIR"
[ -n "$LAZYRMAP_SWAP" ] && guest_swap_on
echo 1 > /sys/kernel/mm/ksm/run 2>/dev/null
[ -n "$LAZYRMAP_HUGEPAGES" ] && echo "$LAZYRMAP_HUGEPAGES" > /proc/sys/vm/nr_hugepages
for sw in $(echo "$LAZYRMAP_SWITCH" | tr , " "); do
	[ "$sw" = none ] || echo "$sw" > /proc/sys/vm/anon_vma_lazy
	for t in $(echo "$LAZYRMAP_TESTS" | tr , " "); do
		label=${t%%=*}
		cmd=$(echo "${t#*=}" | tr : " ")
		t0=$(date +%s)
		timeout "${LAZYRMAP_TIMEOUT:-300}" ./$cmd > /tmp/out 2>&1
		rc=$?
		t1=$(date +%s)
		pass=$(grep -c '^ok ' /tmp/out)
		fail=$(grep -c '^not ok ' /tmp/out)
		skip=$(grep -c '^ok .*# SKIP' /tmp/out)
		# A test that prints no TAP (ksm_tests) counts by its exit code.
		if [ $((pass + fail)) -eq 0 ]; then
			case $rc in
			0) pass=1 ;;
			4) skip=1; pass=1 ;;
			*) fail=1 ;;
			esac
		fi
		echo "SELFTEST $sw $label $rc $((pass - skip)) $fail $skip $((t1 - t0))"
		grep '^not ok ' /tmp/out | sed "s/^/FAILDETAIL $sw $label: /" | head -5
		grep '^ok .*# SKIP' /tmp/out | sed "s/^/SKIPDETAIL $sw $label: /" | head -5
		[ $rc -ge 124 ] && echo "FAILDETAIL $sw $label: exit $rc (timeout or signal)"
		if [ -n "$LAZYRMAP_VERBOSE" ]; then
			sed "s/^/OUT $sw $label: /" /tmp/out
		elif [ "$fail" -gt 0 ] && grep -q -E '^(ok|not ok) ' /tmp/out; then
			# What a failed test said, for a failure that does not repeat.
			grep -E '^#' /tmp/out | grep -v -E '^# +(RUN|OK) ' | tail -20 |
				sed "s/^/FAILOUT $sw $label: /"
		elif [ "$fail" -gt 0 ]; then
			# No TAP (uffd-unit-tests, ksm_tests): its last words.
			tail -20 /tmp/out | sed "s/^/FAILOUT $sw $label: /"
		fi
	done
done
guest_finish
