# shellcheck shell=bash
# Shared by scripts/run and scripts/test: the patched tree and UML builds.

LAZYRMAP_LAZY_TREE=$LAZYRMAP_BUILD/linux-lazy

# The patched tree, brought to this version of kernel-glue/: reused when
# it already is, reverted and re-applied when an older one is there.
patched_tree() {
	local want have
	want=$("$LAZYRMAP_TOP/kernel-glue/apply" --version)
	have=$(cat "$LAZYRMAP_LAZY_TREE/.lazyrmap-applied/version" 2>/dev/null || true)
	if [ "$have" = "$want" ]; then
		note "reusing $LAZYRMAP_LAZY_TREE (series $want)"
		return 0
	fi
	if [ -n "$have" ]; then
		note "$LAZYRMAP_LAZY_TREE has series $have: taking it out first"
		"$LAZYRMAP_TOP/kernel-glue/apply" --revert "$LAZYRMAP_LAZY_TREE" >/dev/null
	fi
	"$LAZYRMAP_TOP/kernel-glue/apply" |
		sed 's/^/    /'
}

# build_uml SRC OBJ FRAGMENT...: configure OBJ from defconfig plus the
# fragments (again only when they changed) and build it with ccache.
build_uml() {
	local src=$1 obj=$2 log
	shift 2
	log=$obj.log
	mkdir -p "$obj"
	if [ ! -f "$obj/.config" ] || [ -n "$(find "$@" -newer "$obj/.config")" ]; then
		make -s -C "$src" ARCH=um O="$obj" defconfig >/dev/null
		"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$@" >/dev/null
		make -s -C "$src" ARCH=um O="$obj" olddefconfig >/dev/null
	fi
	if ! make -C "$src" ARCH=um O="$obj" CC="ccache gcc" -j"$(nproc)" >"$log" 2>&1; then
		tail -30 "$log"
		die "kernel build failed, see $log"
	fi
}

# boot_uml KERNEL LOG ARGS...: boot with the host's / as root, bounded.
boot_uml() {
	local kernel=$1 log=$2
	shift 2
	TMPDIR=/tmp timeout 900 "$kernel" mem=1G rootfstype=hostfs rootflags=/ rw \
		con0=fd:0,fd:1 con=null "$@" </dev/null >"$log" 2>&1 || true
}

# The shared cases under KUnit, in the patched tree (kunit.py, ARCH=um).
run_kunit() {
	local log=$LAZYRMAP_BUILD/kunit.log result
	if ! (cd "$LAZYRMAP_LAZY_TREE" && ./tools/testing/kunit/kunit.py run \
		--build_dir="$LAZYRMAP_BUILD/kunit" --jobs="$(nproc)" \
		--kunitconfig="$LAZYRMAP_TOP/kernel-glue/configs/kunit.config" \
		--make_options CC="ccache gcc") >"$log" 2>&1; then
		grep -E 'FAILED|ASSERTION|Expected|ERROR' "$log" | head -30
		die "KUnit failed, see $log"
	fi
	result=$(grep -o 'Ran [0-9]* tests: .*' "$log" | tail -1)
	case "$result" in
	*"passed: 0"*|"") die "KUnit ran no test, see $log" ;;
	*failed:*) die "KUnit: $result" ;;
	esac
	note "KUnit: $result"
}

# check_guest LOG [KNOWN]: the guest finished, and its kernel log has no
# splat but those matching the regex KNOWN (reported, not failed).
check_guest() {
	local log=$1 known=${2:-} splat lines
	grep -q LAZYRMAP-DONE "$log" || { tail -40 "$log"; die "the guest did not finish, see $log"; }
	grep -q LAZYRMAP-SPLAT "$log" || return 0
	# shellcheck disable=SC1091
	splat=$(. "$LAZYRMAP_TOP/kernel-glue/guest/lib.sh" && echo "$LAZYRMAP_SPLAT")
	lines=$(grep -E "$splat" "$log" | grep -v '^\[ *[0-9.]*\]' || true)
	if [ -n "$known" ]; then
		grep -E "$known" <<<"$lines" | sort | uniq -c | sed 's/^/    known, not ours: /' || true
		lines=$(grep -vE "$known" <<<"$lines" || true)
	fi
	if [ -n "$lines" ]; then
		echo "the kernel log has a BUG, WARNING, lockdep or KASAN report:"
		head -20 <<<"$lines"
		die "splat in the kernel log, see $log"
	fi
}
