# shellcheck shell=bash
# docs/results.md is written by several scripts (bench, bench-core,
# failslab), each owning one section between "<!-- begin NAME -->" and
# "<!-- end NAME -->"; the hand-written docs/results-notes.md is the
# "notes" section. Sourced after common.sh.

LAZYRMAP_RESULTS=$LAZYRMAP_TOP/docs/results.md

# results_section NAME FILE: put FILE's text in section NAME of
# docs/results.md (after the last section if it is new), and refresh the
# notes from docs/results-notes.md.
results_section() {
	local name=$1 file=$2 tmp order
	tmp=$(mktemp)
	[ -f "$LAZYRMAP_RESULTS" ] || printf '# Results\n' >"$LAZYRMAP_RESULTS"
	order="bench-x86 bench bench-core failslab notes"
	awk -v name="$name" -v file="$file" -v notes="$LAZYRMAP_TOP/docs/results-notes.md" \
		-v order="$order" '
	function emit(n, f,    line) {
		print "<!-- begin " n " -->"
		while ((getline line < f) > 0)
			print line
		close(f)
		print "<!-- end " n " -->"
	}
	BEGIN { split(order, o, " "); for (i in o) rank[o[i]] = i }
	/^<!-- begin [a-z0-9-]+ -->$/ {
		cur = $3
		# A missing section goes in before the first one ranked after it.
		if (!done && rank[cur] > rank[name]) { emit(name, file); print ""; done = 1 }
		if (cur == name) { emit(name, file); done = 1; skip = 1; next }
		if (cur == "notes") { emit("notes", notes); skip = 1; next }
		print; next
	}
	/^<!-- end [a-z0-9-]+ -->$/ { if (skip) { skip = 0; next } print; next }
	!skip { print }
	END {
		if (!done) { print ""; emit(name, file) }
	}' "$LAZYRMAP_RESULTS" >"$tmp"
	if ! grep -q '^<!-- begin notes -->$' "$tmp"; then
		{ echo; echo "<!-- begin notes -->"; cat "$LAZYRMAP_TOP/docs/results-notes.md"
		  echo "<!-- end notes -->"; } >>"$tmp"
	fi
	mv "$tmp" "$LAZYRMAP_RESULTS"
}
