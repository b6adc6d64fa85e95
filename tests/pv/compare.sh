#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# compare.sh - boot + a run= script with paravirt and with --no-paravirt, one after the other, and
# print the two --stats exit tables kind by kind with the reduction (docs/paravirt.md).
# Usage: tests/pv/compare.sh BUILD_DIR [RUN_SCRIPT [EXTRA_APPEND]]   (default /bench/all.sh)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${1:?usage: tests/pv/compare.sh BUILD_DIR [RUN_SCRIPT [EXTRA_APPEND]]}
script=${2:-/bench/all.sh}
extra=${3:-}
out=$build/test-pv
mkdir -p "$out"
kernel=$("$top/tests/lib/guest-path.sh" kernel-pv) || exit 1
initrd=$("$top/tests/lib/guest-path.sh" initrd) || exit 1
for mode in pv nopv; do
	flag=()
	[ $mode = nopv ] && flag=(--no-paravirt)
	# wall and CPU seconds of hv440 itself (bash's time: real, user, sys)
	TIMEFORMAT="%R %U %S"
	t=$( { time timeout 1200 nice -n 10 "$build/hv440" -m 256M --kernel "$kernel" --initrd "$initrd" \
		--append "console=ttyS0 $extra run=$script" --no-reboot --stats "${flag[@]}" \
		</dev/null >"$out/compare-$mode.log" 2>&1; } 2>&1 )
	rc=$?
	read -r real user sys <<<"$t"
	echo "$mode: exit $rc, wall $real s, cpu user $user s, sys $sys s"
done
for mode in pv nopv; do
	echo "$mode guest output:"
	tr -d '\r' <"$out/compare-$mode.log" |
		grep -E '^[0-9a-f]{32,}  -$|^[0-9]+\.[0-9]+$|^forked|exited with|Live patching|^bench|up after' |
		sed 's/^/  /'
done
awk '
FNR == 1 { f++ }
/^exit +count/ { t = 1; next }
t && /^total exits/ { n[f, "total"] = $3; t = 0; next }
t && NF >= 2 && $2 ~ /^[0-9]+$/ { n[f, $1] = $2; if (!($1 in seen)) { seen[$1] = 1; order[++m] = $1 } }
function row(k, a, b) { printf "%-14s %12d %12d %7s\n", k, a, b, b ? sprintf("%+.0f%%", 100 * (a - b) / b) : "-" }
END {
	printf "%-14s %12s %12s %7s\n", "exit", "paravirt", "no-paravirt", "change"
	for (i = 1; i <= m; i++)
		if (order[i] != "TIMEINGUEST")
			row(order[i], n[1, order[i]] + 0, n[2, order[i]] + 0)
	row("total exits", n[1, "total"] + 0, n[2, "total"] + 0)
}' "$out/compare-pv.log" "$out/compare-nopv.log"
