#!/bin/sh
# init of the benchmark guest: with swap on, run kernel-glue/guest/bench for
# vm.anon_vma_lazy=0 and =1, alternating the order between repeats.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
mount -t proc proc /proc
mount -t sysfs sysfs /sys
# Into the benchmark's directory first: the tmpfs over /tmp hides the
# host's /tmp, where a checkout may live.
cd "$(dirname "$LAZYRMAP_BENCH")" || exit 1
mount -t tmpfs tmpfs /tmp
echo "LAZYRMAP-BOOTED $(uname -r)"
mkswap /dev/ubda >/dev/null && swapon /dev/ubda && echo "LAZYRMAP-SWAP on"
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
echo "LAZYRMAP-DONE"
echo o > /proc/sysrq-trigger
# Power-off is asynchronous: init must not exit (and panic) before it.
sleep 60
