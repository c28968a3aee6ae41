#!/bin/sh
# init of the accelerator probe: the guest reached init, and powers off.
. "$(dirname "$0")/lib.sh"
guest_start /
guest_finish
