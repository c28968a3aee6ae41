#!/usr/bin/env bash
# Build core/ as the kernel builds it: the series' objects in the patched
# tree (defconfig with CONFIG_ANON_VMA_LAZY=y), with W=1 and sparse (C=1):
# any warning fails. The objects of core/ and mm/anon_vma.o, the mainline
# code they call, carved out of rmap.c by the series.
#   scripts/kbuild-core.sh [--arch um|arm64]   um by default; arm64 is
#                                              cross-built (aarch64-linux-gnu-)
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/../rig/kernel.sh"
cd "$LAZYRMAP_TOP"

arch=um
if [ "${1:-}" = --arch ]; then
	arch=${2:?--arch needs um or arm64}
fi
case "$arch" in
um) ;;
arm64) need_packages "${LAZYRMAP_ARM64_PACKAGES[@]}" sparse ;;
*) die "--arch wants um or arm64, not '$arch'" ;;
esac
kbuild_for "$arch"
src=$LAZYRMAP_LAZY_TREE
[ -f "$src/mm/anon_vma_lazy.c" ] || die "$src has no series applied (kernel-glue/apply)"
obj=$LAZYRMAP_BUILD/kobj-$arch
mkdir -p "$obj"
if [ ! -f "$obj/.config" ] || ! grep -q '^CONFIG_ANON_VMA_LAZY=y' "$obj/.config"; then
	note "configuring $obj ($arch defconfig, CONFIG_ANON_VMA_LAZY=y)"
	make -s -C "$src" "${make_args[@]}" O="$obj" defconfig >/dev/null
	"$src/scripts/config" --file "$obj/.config" -e ANON_VMA_LAZY
	make -s -C "$src" "${make_args[@]}" O="$obj" olddefconfig >/dev/null
	grep -q '^CONFIG_ANON_VMA_LAZY=y' "$obj/.config" || die "CONFIG_ANON_VMA_LAZY did not stick in $obj/.config"
fi
objs=$(grep -v '^#' kernel-glue/manifest | awk '$2 == "mm" && $1 ~ /\.c$/ { print $1 }' |
	xargs -n1 basename | sed 's|^|mm/|; s|\.c$|.o|')
objs="$objs mm/anon_vma.o"
log=$LAZYRMAP_BUILD/kbuild-core-$arch.log
# What every object needs first (arm64's vDSO among it), built without the
# checks: they are for the series' objects, not for mainline's.
make -s -C "$src" "${make_args[@]}" O="$obj" CC="$cc" -j"$(nproc)" prepare >"$log" 2>&1 ||
	{ tail -40 "$log"; die "make prepare failed in $obj"; }
for o in $objs; do rm -f "$obj/$o"; done
# shellcheck disable=SC2086
make -C "$src" "${make_args[@]}" O="$obj" W=1 C=1 CC="$cc" -j"$(nproc)" $objs \
	>>"$log" 2>&1 || { tail -40 "$log"; die "kernel build of the series' objects failed"; }
# The flags W=1 C=1 rebuild arm64's vDSO (a prepare step) too, and sparse
# has a remark on mainline's vgetrandom.c there: not the series'.
if grep -E 'warning|error|: sparse:' "$log" | grep -v '/arch/arm64/kernel/vdso/'; then
	die "not clean as kernel objects (W=1, sparse), see $log"
fi
for o in $objs; do
	[ -f "$obj/$o" ] || die "$o was not built"
done
echo "kernel build: $(echo $objs | wc -w) objects of the series built for ARCH=$arch with W=1 and sparse, no warning"
