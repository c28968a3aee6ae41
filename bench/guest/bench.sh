#!/bin/sh
# init of the benchmark guest: with swap on, run bench/guest/bench for
# vm.anon_vma_lazy=0 and =1, alternating the order between repeats.
# LAZYRMAP_PART=slab: the slab figures (booted with slub_debug=F on the
# caches counted, so that active objects are exact); time: the times (no
# debug option at all; on x86_64 the guest clock counts instructions), THP
# split and KSM merge where the kernel has them, and fork+exec of
# LAZYRMAP_EXIT0.
. "$(dirname "$0")/../../rig/guest/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
guest_start "$(dirname "$LAZYRMAP_BENCH")"
guest_swap_on
B=./$(basename "$LAZYRMAP_BENCH")
# Four jobs of 25 rounds of sh -c pipelines, then a gcc -O2 compile each.
shell_work() {
	$B slab-shell "$1" sh "$here/shell-work.sh" 4 25 "$here/bench.c" ||
		echo "LAZYRMAP-FAIL slab-shell $1"
}
if [ "$LAZYRMAP_PART" = slab ]; then
	for sw in 0 1 1 0; do
		label=off
		[ $sw = 1 ] && label=on
		echo $sw > /proc/sys/vm/anon_vma_lazy
		# Each count starts after the RCU frees of the one before.
		sleep 1
		$B slab-nofork $label 10000 || echo "LAZYRMAP-FAIL slab-nofork $label"
		sleep 1
		$B slab-zygote $label 1000 20 100 || echo "LAZYRMAP-FAIL slab-zygote $label"
		sleep 1
		$B slab-forkexec $label 1000 20 10 || echo "LAZYRMAP-FAIL slab-forkexec $label"
		sleep 1
		shell_work $label
		sleep 1
		shell_work $label
	done
else
	# exec from tmpfs: reading the program over 9p would count waiting
	# for the host (the clock runs on while the guest idles).
	# Relative: a checkout under the host's /tmp is hidden by the tmpfs.
	cp "./$(basename "$LAZYRMAP_EXIT0")" /tmp/exit0
	# A fresh guest's first touch of its memory costs the host's faults:
	# touch it before the first figure.
	$B compact warmup 3000 1 >/dev/null
	$B time warmup 1000 2 >/dev/null
	for sw in 1 0 0 1; do
		label=off
		[ $sw = 1 ] && label=on
		echo $sw > /proc/sys/vm/anon_vma_lazy
		$B time $label 1000 5 || echo "LAZYRMAP-FAIL time $label"
		$B compact $label 3000 3 || echo "LAZYRMAP-FAIL compact $label"
		$B forkexec $label 1000 5 /tmp/exit0 ||
			echo "LAZYRMAP-FAIL forkexec $label"
		if [ -e /sys/kernel/debug/split_huge_pages ]; then
			$B thp $label 8 3 || echo "LAZYRMAP-FAIL thp $label"
			$B ksm $label 4096 3 || echo "LAZYRMAP-FAIL ksm $label"
		fi
	done
fi
guest_finish
