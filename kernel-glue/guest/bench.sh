#!/bin/sh
# init of the benchmark guest: with swap on, run kernel-glue/guest/bench for
# vm.anon_vma_lazy=0 and =1, alternating the order between repeats.
. "$(dirname "$0")/lib.sh"
guest_start "$(dirname "$LAZYRMAP_BENCH")"
guest_swap_on
B=./$(basename "$LAZYRMAP_BENCH")
for sw in 0 1; do
	label=off
	[ $sw = 1 ] && label=on
	echo $sw > /proc/sys/vm/anon_vma_lazy
	$B slab-nofork $label 10000 || echo "LAZYRMAP-FAIL slab-nofork $label"
	$B slab-zygote $label 1000 20 100 || echo "LAZYRMAP-FAIL slab-zygote $label"
done
for sw in 1 0 0 1; do
	label=off
	[ $sw = 1 ] && label=on
	echo $sw > /proc/sys/vm/anon_vma_lazy
	$B time $label 1000 5 || echo "LAZYRMAP-FAIL time $label"
done
guest_finish
