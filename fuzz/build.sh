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
# The patched Linux tree: its mm/anon_vma.c is built, its inline helpers
# taken verbatim (as CMakeLists.txt does).
LINUX=${LAZYRMAP_LINUX:-$SRC/build/linux-lazy}
[ -f "$LINUX/mm/anon_vma.c" ] ||
	{ echo "build.sh: $LINUX has no mm/anon_vma.c: run kernel-glue/apply first (or set LAZYRMAP_LINUX)" >&2; exit 1; }
mkdir -p "$OUT/gen"
X=$SRC/seam/user/gen/extract.sh
$X "$LINUX/include/linux/rmap.h" anon_vma_lazy_origin anon_vma_set_lazy_origin \
	get_anon_vma put_anon_vma anon_vma_lock_write anon_vma_trylock_write \
	anon_vma_unlock_write anon_vma_lock_read anon_vma_trylock_read \
	anon_vma_unlock_read anon_vma_settle_locked anon_vma_settle_may_sleep \
	anon_vma_prepare >"$OUT/gen/rmap-helpers.h"
$X "$LINUX/include/linux/page-flags.h" folio_test_anon >"$OUT/gen/page-flags-helpers.h"
$X "$LINUX/mm/internal.h" vma_address >"$OUT/gen/mm-internal.h"
$X "$LINUX/mm/vma.c" anon_vma_compatible reusable_anon_vma >"$OUT/gen/vma-helpers.h"
$X "$LINUX/mm/vma.c" is_mergeable_anon_vma >"$OUT/gen/vma-merge-helpers.h"

sources=(core/*.c seam/user/src/bug.c seam/user/src/interval_tree.c
	seam/user/src/lockdep.c seam/user/src/locks.c seam/user/src/slab.c
	seam/user/src/sysctl.c seam/user/src/util.c seam/user/src/vmstat.c
	seam/user/src/rmap.c seam/user/src/vma.c seam/user/src/anon_vma.c
	model/mm_model.c model/mm_oracle.c
	fuzz/lazyrmap_ops.c fuzz/fuzz_lazyrmap.c)
includes=(-I"$SRC/seam/user" -I"$SRC/seam/user/include" -I"$SRC/core/include"
	-I"$SRC/core" -I"$OUT/gen" -I"$SRC/fuzz" -I"$SRC/model" -idirafter "$LINUX/mm")
objs=()
cd "$SRC"
for src in ${sources[@]}; do
	obj=$OUT/$(basename "$src" .c).o
	$CC $CFLAGS -std=gnu11 -fno-strict-aliasing "${includes[@]}" \
		-DLAZYRMAP_ANON_VMA_C="\"$LINUX/mm/anon_vma.c\"" -c "$SRC/$src" -o "$obj"
	objs+=("$obj")
done
# rcu.c sees liburcu's headers only (they define their own struct rcu_head).
$CC $CFLAGS -std=gnu11 -c "$SRC/seam/user/src/rcu.c" -o "$OUT/rcu.o"
objs+=("$OUT/rcu.o")
$CC $CFLAGS $LIB_FUZZING_ENGINE "${objs[@]}" -o "$OUT/lazyrmap_fuzz" \
	-lurcu-memb -lurcu-common -lpthread
rm -f "$OUT"/*.o
(cd "$SRC/fuzz/corpus" && zip -q -j "$OUT/lazyrmap_fuzz_seed_corpus.zip" ./*) ||
	cp -r "$SRC/fuzz/corpus" "$OUT/lazyrmap_fuzz_seed_corpus"
echo "built $OUT/lazyrmap_fuzz"
