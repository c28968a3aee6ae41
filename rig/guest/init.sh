#!/bin/sh
# init of lazyrmap's UML guest (the host's / is the root): run the workload
# with vm.anon_vma_lazy off, then on, report, look for splats, power off.
# LAZYRMAP_WORKLOAD and LAZYRMAP_NR come from the kernel command line.
. "$(dirname "$0")/lib.sh"
guest_start "$(dirname "$LAZYRMAP_WORKLOAD")"
for sw in 0 1; do
	label=off
	[ $sw = 1 ] && label=on
	echo $sw > /proc/sys/vm/anon_vma_lazy || echo "LAZYRMAP-FAIL no vm.anon_vma_lazy"
	./"$(basename "$LAZYRMAP_WORKLOAD")" $label "$LAZYRMAP_NR" ||
		echo "LAZYRMAP-FAIL workload $label"
done
guest_finish
