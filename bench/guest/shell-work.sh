#!/bin/sh
# The shell- and compiler-heavy workload of the benchmarks (bench
# slab-shell runs it): JOBS jobs at once, as a build runs them, each ITERS
# rounds of short sh -c pipelines, then a gcc -O2 compile of SRC.
#   shell-work.sh JOBS ITERS SRC
jobs=$1
iters=$2
src=$3
pids=
j=0
while [ $j -lt "$jobs" ]; do
	(
		i=0
		while [ $i -lt "$iters" ]; do
			sh -c 'echo lazyrmap | tr a-z A-Z | sed s/L/l/ | wc -c' >/dev/null
			sh -c 'ls /usr/bin | sort -r | head -3' >/dev/null
			i=$((i + 1))
		done
		gcc -O2 -c -o /tmp/shell-work.$j.o "$src"
	) &
	pids="$pids $!"
	j=$((j + 1))
done
status=0
for pid in $pids; do
	wait "$pid" || status=1
done
exit $status
