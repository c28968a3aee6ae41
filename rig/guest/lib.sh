# shellcheck shell=sh
# Sourced by the guest inits: start-up and finish, the same for each.

PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

# guest_start DIR: mount what the tests need and enter DIR first, since the
# tmpfs over /tmp hides the host's /tmp, where a checkout may live.
guest_start() {
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	grep -q " /dev devtmpfs " /proc/mounts || mount -t devtmpfs devtmpfs /dev
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	cd "$1" || echo "LAZYRMAP-FAIL no directory $1"
	mount -t tmpfs tmpfs /tmp
	mkdir -p /dev/shm && mount -t tmpfs tmpfs /dev/shm 2>/dev/null
	echo "LAZYRMAP-BOOTED $(uname -r) $(uname -m) $(nproc) CPUs"
}

# The swap device the host gave: ubd0 under UML, a virtio disk under QEMU.
guest_swap_on() {
	for dev in /dev/ubda /dev/vda; do
		[ -b $dev ] || continue
		mkswap $dev >/dev/null && swapon $dev && echo "LAZYRMAP-SWAP on $dev"
		return
	done
	echo "LAZYRMAP-FAIL no swap device"
}

# What counts as a splat in the kernel log; the host greps for it too.
LAZYRMAP_SPLAT='BUG|WARNING|possible recursive|circular locking|suspicious RCU|KASAN|Oops|general protection|bad page'

guest_finish() {
	grep '^anon_lazy' /proc/vmstat | sed 's/^/vmstat /'
	if dmesg | grep -E "$LAZYRMAP_SPLAT"; then
		echo "LAZYRMAP-SPLAT"
	fi
	echo "LAZYRMAP-DONE"
	echo o > /proc/sysrq-trigger
	# Power-off is asynchronous: init must not exit (and panic) before it.
	sleep 60
}
