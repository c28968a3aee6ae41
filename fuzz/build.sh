#!/bin/bash -eu
# Builds the fuzz target in the OSS-Fuzz / ClusterFuzzLite convention: the
# engine's compiler and flags come from $CC, $CFLAGS and
# $LIB_FUZZING_ENGINE, the target and its seed corpus go to $OUT. The same
# script builds for AFL++ (CC=afl-clang-fast LIB_FUZZING_ENGINE=-fsanitize=fuzzer)
# and, by default, for libFuzzer with ASan here:
#   fuzz/build.sh                       -> build/ossfuzz/lazyrmap_fuzz
# On OSS-Fuzz the image needs liburcu-dev (apt-get install liburcu-dev).
SRC=${SRC:-$(cd "$(dirname "$0")/.." && pwd)}
[ -f "$SRC/core/anon_vma_lazy.c" ] || SRC=$SRC/lazyrmap
OUT=${OUT:-$SRC/build/ossfuzz}
CC=${CC:-clang}
CFLAGS=${CFLAGS:--g -O1 -fsanitize=address,undefined,fuzzer-no-link}
LIB_FUZZING_ENGINE=${LIB_FUZZING_ENGINE:--fsanitize=address,undefined,fuzzer}
mkdir -p "$OUT"

sources=(
	core/anon_vma_lazy.c
	shim/user/src/bug.c shim/user/src/lockdep.c shim/user/src/locks.c
	shim/user/src/rmap_model.c shim/user/src/slab.c shim/user/src/sysctl.c
	shim/user/src/mm_model.c shim/user/src/mm_oracle.c
	fuzz/lazyrmap_ops.c fuzz/fuzz_lazyrmap.c
)
includes=(-I"$SRC/shim/user" -I"$SRC/shim/user/include" -I"$SRC/core/include"
	-I"$SRC/core" -I"$SRC/fuzz")
objs=()
for src in "${sources[@]}"; do
	obj=$OUT/$(basename "$src" .c).o
	$CC $CFLAGS -std=gnu11 -fno-strict-aliasing "${includes[@]}" -c "$SRC/$src" -o "$obj"
	objs+=("$obj")
done
# rcu.c sees liburcu's headers only (they define their own struct rcu_head).
$CC $CFLAGS -std=gnu11 -c "$SRC/shim/user/src/rcu.c" -o "$OUT/rcu.o"
objs+=("$OUT/rcu.o")
$CC $CFLAGS $LIB_FUZZING_ENGINE "${objs[@]}" -o "$OUT/lazyrmap_fuzz" \
	-lurcu-memb -lurcu-common -lpthread
rm -f "$OUT"/*.o
(cd "$SRC/fuzz/corpus" && zip -q -j "$OUT/lazyrmap_fuzz_seed_corpus.zip" ./*) ||
	cp -r "$SRC/fuzz/corpus" "$OUT/lazyrmap_fuzz_seed_corpus"
echo "built $OUT/lazyrmap_fuzz"
