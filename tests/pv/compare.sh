#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# compare.sh - boot vmlinux-pv + a run= script as a paravirt guest and as a plain bamboo guest, in
# alternating rounds, and print wall/CPU times (each run and the median) and the --stats exit tables
# kind by kind with the reduction (docs/paravirt.md).
#
# Usage: tests/pv/compare.sh [--runs N] [--modes LIST] [--pair] BUILD_DIR [RUN_SCRIPT [EXTRA_APPEND]]
#   RUN_SCRIPT   guest script for run= (default /bench/all.sh)
#   EXTRA_APPEND more kernel command line (e.g. loglevel=2)
#   --runs N     rounds (default 1); round r runs the modes in LIST order, r+1 in reverse order
#   --modes LIST comma-separated, default pv,pvcon,nopv:
#     pv     paravirt, console=ttyS0 (UART0 on stdio)  - the same command line as nopv
#     pvcon  paravirt with the paravirt console: console=ttyEHV0 on --bytechan stdio, --serial null
#     nopv   --no-paravirt (plain bamboo), console=ttyS0
#   --pair       run a round's modes at the same time (one host CPU each), so that they share the
#                host's speed of the moment, and print each round's wall-time and CPU-time ratio
#                against nopv and the medians of those ratios
# Also prints the guest's own timings (boot, each "bench X: N s") and the guest instructions
# ("core: N instructions" of --stats, median). Exit tables: per mode the run
# with the median total exits. Exit status is non-zero when a run failed (hv440's status, or the
# guest did not report "exited with 0") or a run's results differ from the first run's.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
usage="usage: tests/pv/compare.sh [--runs N] [--modes pv,pvcon,nopv] [--pair] BUILD_DIR [RUN_SCRIPT [EXTRA_APPEND]]"
runs=1
modes=pv,pvcon,nopv
pair=0
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=${2:-}; shift 2 || { echo "$usage" >&2; exit 2; } ;;
	--runs=*) runs=${1#--runs=}; shift ;;
	--modes) modes=${2:-}; shift 2 || { echo "$usage" >&2; exit 2; } ;;
	--modes=*) modes=${1#--modes=}; shift ;;
	--pair) pair=1; shift ;;
	-h | --help) echo "$usage"; exit 0 ;;
	-*) echo "compare.sh: unknown option $1; $usage" >&2; exit 2 ;;
	*) break ;;
	esac
done
build=${1:-}
[ -n "$build" ] || { echo "$usage" >&2; exit 2; }
[ -x "$build/hv440" ] || { echo "compare.sh: no $build/hv440" >&2; exit 2; }
case $runs in '' | *[!0-9]* | 0) echo "compare.sh: --runs needs a number >= 1" >&2; exit 2 ;; esac
IFS=, read -r -a mlist <<<"$modes"
[ ${#mlist[@]} -ge 1 ] || { echo "compare.sh: --modes is empty" >&2; exit 2; }
for m in "${mlist[@]}"; do
	case $m in pv | pvcon | nopv) ;; *) echo "compare.sh: unknown mode '$m' (pv, pvcon, nopv)" >&2; exit 2 ;; esac
done
script=${2:-/bench/all.sh}
extra=${3:-}
out=$build/test-pv
mkdir -p "$out"
kernel=$("$top/tests/lib/guest-path.sh" kernel-pv) || exit 1
initrd=$("$top/tests/lib/guest-path.sh" initrd) || exit 1
bad=0

# run_one MODE ROUND: one boot; log in $out/compare-MODE-ROUND.log, "wall user sys rc" in .time
run_one() {
	local mode=$1 r=$2 args console=ttyS0 t rc
	case $mode in
	pv) args=() ;;
	pvcon) args=(--serial null --bytechan stdio); console=ttyEHV0 ;;
	nopv) args=(--no-paravirt) ;;
	esac
	TIMEFORMAT="%R %U %S" # wall and CPU seconds of hv440 itself
	t=$( { time timeout 1200 nice -n 10 "$build/hv440" -m 256M --kernel "$kernel" --initrd "$initrd" \
		--append "console=$console $extra run=$script" --no-reboot --stats "${args[@]}" \
		</dev/null >"$out/compare-$mode-$r.log" 2>&1; } 2>&1 )
	rc=$?
	echo "$t $rc" >"$out/compare-$mode-$r.time"
}

# report MODE ROUND: the run's line, and FAIL when it failed
report() {
	local mode=$1 r=$2 real user sys rc
	read -r real user sys rc <"$out/compare-$mode-$r.time"
	echo "round $r $mode: exit $rc, wall $real s, cpu user $user s, sys $sys s"
	if [ "$rc" -ne 0 ] || ! grep -qaE "exited with 0"$'\r'"?$" "$out/compare-$mode-$r.log"; then
		echo "FAIL round $r $mode: hv440 exit $rc or the guest script did not exit with 0 (see $out/compare-$mode-$r.log)"
		bad=1
	fi
}

for ((r = 1; r <= runs; r++)); do
	if ((r % 2)); then order=("${mlist[@]}"); else order=(); for ((i = ${#mlist[@]} - 1; i >= 0; i--)); do order+=("${mlist[i]}"); done; fi
	if ((pair)); then
		for m in "${order[@]}"; do run_one "$m" "$r" & done
		wait
	else
		for m in "${order[@]}"; do run_one "$m" "$r"; done
	fi
	for m in "${order[@]}"; do report "$m" "$r"; done
done

# The guest's results (checksums, bench output) of round 1, and whether every run agrees with it.
results() { tr -d '\r' <"$1" | grep -E '^[0-9a-f]{32,}  -$|^[0-9]+\.[0-9]+$|^forked [0-9]+$|exited with'; }
ref=$(results "$out/compare-${mlist[0]}-1.log")
for m in "${mlist[@]}"; do
	echo "$m guest output (round 1):"
	tr -d '\r' <"$out/compare-$m-1.log" |
		grep -E '^[0-9a-f]{32,}  -$|^[0-9]+\.[0-9]+$|^forked|exited with|Live patching|^bench|up after|console \[' |
		sed 's/^/  /'
	for ((r = 1; r <= runs; r++)); do
		if [ "$(results "$out/compare-$m-$r.log")" != "$ref" ]; then
			echo "FAIL round $r $m: guest results differ from round 1 ${mlist[0]}"
			bad=1
		fi
	done
done

# total exits of a log ("total exits N" of --stats)
total() { awk '/^total exits/ { print $3 }' "$1"; }
# guest instructions of a log ("core: N instructions" of --stats): deterministic for a given
# guest and mode but for the timer interrupts, so steadier than any time
insns() { awk '/^core: [0-9]+ instructions/ { print $2 }' "$1"; }
# median FORMAT: the median of the numbers on stdin
median() { sort -g | awk -v fmt="$1" '{ v[NR] = $1 } END { printf fmt "\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo
printf "%-6s %5s %12s %12s %12s %14s   %s\n" mode runs "wall median" "cpu median" "exits median" \
	"insns median" "wall of each run (s)"
declare -A pick
for m in "${mlist[@]}"; do
	walls=() cpus=() exits=() ins=()
	for ((r = 1; r <= runs; r++)); do
		read -r real user sys _ <"$out/compare-$m-$r.time"
		walls+=("$real")
		cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.3f", u + s }')")
		exits+=("$(total "$out/compare-$m-$r.log") $r")
		ins+=("$(insns "$out/compare-$m-$r.log")")
	done
	# the run with the median total exits gives the mode's exit table
	pick[$m]=$(printf '%s\n' "${exits[@]}" | sort -n | awk -v n="$runs" 'NR == int((n + 1) / 2) { print $2 }')
	printf "%-6s %5d %12s %12s %12s %14s   %s\n" "$m" "$runs" "$(printf '%s\n' "${walls[@]}" | median %.2f)" \
		"$(printf '%s\n' "${cpus[@]}" | median %.2f)" "$(printf '%s\n' "${exits[@]}" | awk '{ print $1 }' | median %.0f)" \
		"$(printf '%s\n' "${ins[@]}" | median %.0f)" "${walls[*]}"
done
# --pair: each round's wall time against nopv's of the same round, and the median
if ((pair)) && [[ " ${mlist[*]} " == *" nopv "* ]]; then
	echo
	echo "paired (modes of a round at the same time): wall and cpu (user + sys) time / nopv's in the same round"
	for m in "${mlist[@]}"; do
		[ "$m" = nopv ] && continue
		ratios=() cratios=()
		for ((r = 1; r <= runs; r++)); do
			read -r a au as _ <"$out/compare-$m-$r.time"
			read -r b bu bs _ <"$out/compare-nopv-$r.time"
			ratios+=("$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", a / b }')")
			cratios+=("$(awk -v a="$au" -v c="$as" -v b="$bu" -v d="$bs" 'BEGIN { printf "%.3f", (a + c) / (b + d) }')")
		done
		printf "  %-6s wall median %s   each round: %s\n" "$m" "$(printf '%s\n' "${ratios[@]}" | median %.3f)" "${ratios[*]}"
		printf "  %-6s cpu  median %s   each round: %s\n" "$m" "$(printf '%s\n' "${cratios[@]}" | median %.3f)" "${cratios[*]}"
	done
fi
# the guest's own timings (its clock is the host's): boot to init ("up after") and each "bench X: N s"
echo
echo "guest-reported seconds, median of the runs (boot = 'guest: up after'):"
for m in "${mlist[@]}"; do
	for ((r = 1; r <= runs; r++)); do
		tr -d '\r' <"$out/compare-$m-$r.log" | sed -nE 's/^guest: up after ([0-9.]+) s$/boot \1/p; s/^bench ([a-z]+): ([0-9.]+) s$/\1 \2/p'
	done | awk -v m="$m" '
		{ if (!($1 in n)) k[++nk] = $1; v[$1, ++n[$1]] = $2 }
		END {
			printf "  %-6s", m
			for (i = 1; i <= nk; i++) {
				c = n[k[i]]
				for (a = 1; a <= c; a++) w[a] = v[k[i], a]
				for (a = 1; a <= c; a++) for (b = a + 1; b <= c; b++) if (w[b] < w[a]) { t = w[a]; w[a] = w[b]; w[b] = t }
				printf "  %s %.2f", k[i], c % 2 ? w[(c + 1) / 2] : (w[c / 2] + w[c / 2 + 1]) / 2
			}
			printf "\n"
		}'
done
echo
files=()
for m in "${mlist[@]}"; do files+=("$out/compare-$m-${pick[$m]}.log"); done
echo "exit tables: the run with the median total exits of each mode (${mlist[*]}: rounds $(for m in "${mlist[@]}"; do printf '%s ' "${pick[$m]}"; done| sed 's/ $//'))"
awk -v names="${mlist[*]}" '
FNR == 1 { f++ }
/^exit +count/ { t = 1; next }
t && /^total exits/ { n[f, "total exits"] = $3; t = 0; next }
t && NF >= 2 && $2 ~ /^[0-9]+$/ { n[f, $1] = $2; if (!($1 in seen)) { seen[$1] = 1; order[++m] = $1 } }
function pct(a, b) { return b ? sprintf("%+.1f%%", 100 * (a - b) / b) : "-" }
function row(k,   i, j) {
	printf "%-12s", k
	for (i = 1; i <= f; i++) printf " %12d", n[i, k]
	if (base)
		for (i = 1; i <= f; i++) if (i != base) printf " %9s", pct(n[i, k], n[base, k])
	printf "\n"
}
END {
	nm = split(names, name, " ")
	for (i = 1; i <= nm; i++) if (name[i] == "nopv") base = i
	printf "%-12s", "exit"
	for (i = 1; i <= nm; i++) printf " %12s", name[i]
	if (base)
		for (i = 1; i <= nm; i++) if (i != base) printf " %9s", name[i] "/nopv"
	printf "\n"
	for (i = 1; i <= m; i++)
		if (order[i] != "TIMEINGUEST")
			row(order[i])
	row("total exits")
}' "${files[@]}"
exit $bad
