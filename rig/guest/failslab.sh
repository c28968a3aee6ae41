#!/bin/sh
# init of the failslab guest: with vm.anon_vma_lazy=0 and then 1, and for
# each of the anon_vma_lazy, anon_vma and anon_vma_chain caches on its own
# (failslab's cache filter), rig/guest/failslab
#   nth:    fails every allocation its operations make from that cache, one
#           at a time (fail-nth);
#   pair:   the same, two in a row (a fallback allocation fails too);
#   random: runs its workload with failslab's probability at
#           LAZYRMAP_PROBABILITY percent, for it, its children and ksmd
#           (task filter), LAZYRMAP_ROUNDS rounds;
#   ksm:    lets ksmd merge while its first four allocations fail.
# Around the four, the caches' active objects with nothing running: they
# must come back to where they were. Lines for the host:
#   FAILSLAB LABEL CACHE PHASE INJECTED       failures failslab counted
#   SLABCHECK LABEL CACHE NAME BEFORE AFTER   active objects of NAME
# and the program's own nth/pair/random/ksm lines.
. "$(dirname "$0")/lib.sh"
guest_start "$(dirname "$LAZYRMAP_FAILSLAB")"
P=./$(basename "$LAZYRMAP_FAILSLAB")
mount -t debugfs debugfs /sys/kernel/debug
F=/sys/kernel/debug/failslab
CACHES="anon_vma_lazy anon_vma anon_vma_chain"
# GFP_KERNEL allocations too; only the caches marked; only marked tasks.
echo N > $F/ignore-gfp-wait
echo Y > $F/cache-filter
echo Y > $F/task-filter
echo 0 > $F/probability
echo 1 > $F/interval
echo 0 > $F/space
echo 2 > $F/verbose
# A count down of the failures injected (-1 would be unlimited).
echo 100000000 > $F/times
# ksmd scans often, so that the workload sees merges within seconds.
echo 20 > /sys/kernel/mm/ksm/sleep_millisecs
echo 1000 > /sys/kernel/mm/ksm/pages_to_scan
echo 1 > /sys/kernel/mm/ksm/run
ksmd=$(grep -l '^ksmd$' /proc/[0-9]*/comm | cut -d/ -f3)

# Nothing of the workload left: ksmd has dropped its records of the exited
# processes (two full scans); slabs waits for RCU to free the lazy roots.
settle() {
	scans=$(cat /sys/kernel/mm/ksm/full_scans)
	i=0
	while [ $i -lt 100 ] && [ "$(cat /sys/kernel/mm/ksm/full_scans)" -lt $((scans + 2)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	echo 3 > /proc/sys/vm/drop_caches
}

# Read by one process that waits in itself for the counts to hold still: a
# pipeline's stages would count each other's rmap objects, or not, as they
# happen to run, and a process that has just exited (settle's sleep) still
# has its lazy roots counted until their RCU grace period ends.
slabs() {
	$P slabs || echo "LAZYRMAP-FAIL slabs"
}

# slab_check LABEL CACHE BEFORE: compare with now, settling again (up to
# three times) while they differ, and print the last comparison.
slab_check() {
	tries=0
	while :; do
		settle
		slabs >/tmp/after
		[ "$(cat /tmp/after)" = "$3" ] && break
		tries=$((tries + 1))
		[ $tries -ge 3 ] && break
	done
	echo "$3" >/tmp/before
	while read -r name count; do
		while read -r n2 c2; do
			[ "$n2" = "$name" ] && echo "SLABCHECK $1 $2 $name $count $c2"
		done </tmp/after
	done </tmp/before
}

injected() {
	echo $((100000000 - $(cat $F/times)))
}

# A fork whose child joins its parent's lazy root (a fork family) allocates
# nothing, so nothing can fail there: with the switch on, the runs that
# fail each allocation site in turn (nth, pair) set the family cap to 0, so
# that fork takes the paths that allocate (the upgrade, a PARENT child, its
# adoption at a COW fault), those a fork past the cap takes. The random and
# ksmd runs keep the default cap: families and failures mixed.
family=/proc/sys/vm/anon_vma_lazy_family_max
family_default=$(cat $family 2>/dev/null || echo)
for sw in 0 1; do
	label=off
	[ $sw = 1 ] && label=on
	echo $sw > /proc/sys/vm/anon_vma_lazy
	for cache in $CACHES; do
		settle
		slabs >/tmp/before
		before=$(cat /tmp/before)
		echo 1 > /sys/kernel/slab/$cache/failslab ||
			echo "LAZYRMAP-FAIL no failslab for $cache"
		[ -n "$family_default" ] && echo 0 > $family

		t=$(injected)
		$P nth "$label/$cache" || echo "LAZYRMAP-FAIL nth $label $cache"
		echo "FAILSLAB $label $cache nth $(($(injected) - t))"

		# The program sets space and times for each run, and make-it-fail.
		echo 100 > $F/probability
		$P pair "$label/$cache" "$(cat /sys/kernel/slab/$cache/object_size)" ||
			echo "LAZYRMAP-FAIL pair $label $cache"
		echo 0 > $F/probability
		echo 0 > $F/space
		echo 100000000 > $F/times

		[ -n "$family_default" ] && echo "$family_default" > $family
		t=$(injected)
		echo "$LAZYRMAP_PROBABILITY" > $F/probability
		[ -n "$ksmd" ] && echo 1 > /proc/$ksmd/make-it-fail
		$P random "$label/$cache" "$LAZYRMAP_ROUNDS" 16 ||
			echo "LAZYRMAP-FAIL random $label $cache"
		[ -n "$ksmd" ] && echo 0 > /proc/$ksmd/make-it-fail
		echo 0 > $F/probability
		echo "FAILSLAB $label $cache random $(($(injected) - t))"

		# ksmd alone, its first four allocations from the cache.
		echo 4 > $F/times
		echo 100 > $F/probability
		[ -n "$ksmd" ] && echo 1 > /proc/$ksmd/make-it-fail
		$P ksm "$label/$cache" || echo "LAZYRMAP-FAIL ksm $label $cache"
		[ -n "$ksmd" ] && echo 0 > /proc/$ksmd/make-it-fail
		echo 0 > $F/probability
		echo "FAILSLAB $label $cache ksm $((4 - $(cat $F/times)))"
		echo 100000000 > $F/times

		echo 0 > /sys/kernel/slab/$cache/failslab
		slab_check $label $cache "$before"
	done
done
guest_finish
