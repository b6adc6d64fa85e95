#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh - the system tier: `hv440 system --check` on the examples (good ones pass, each bad one
# gives exactly its expected lines), then the three-partition Linux system of
# examples/system/three-partitions.dts (on vmlinux-mgr, plus a bare-metal "dog"): boot, a byte
# channel both ways, --status, the Linux manager's partctl (list, stop, restart, doorbells), kill -9 of a
# partition (restarted, or reported dead), stop/start on the control socket, SIGTERM cleanup;
# hot standby (bare metal: a watchdog starts a cold standby, kill -9 moves the service back;
# examples/system/hot-standby.dts on Linux: the service moves to the warm standby within 2 s;
# a monitor with a read-only copy of the primary's console).
# Usage: tests/system/run.sh BUILD_DIR [--quick]   (--quick: --check only, no Linux boots)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${1:?usage: tests/system/run.sh BUILD_DIR [--quick]}
quick=${2:-}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac
hv=$build/hv440
out=${SYSTEM_OUT:-$build/test-system}
rm -rf "$out"
mkdir -p "$out"
pass=0
fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1${2:+ ($2)}"; fail=$((fail + 1)); }
check() { if eval "$2"; then ok "$1"; else ko "$1" "${3:-}"; fi; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

if [ ! -x "$hv" ]; then
	ko "hv440 binary" "no $hv"
	finish
fi
ex=$top/examples/system

# --- --check: each bad example lists its error lines as "// expect: ERE"; it must exit 1 and
# print each of them, and (dtc's syntax errors aside) no other "hv440: system:" line. ---
for f in "$ex"/bad-*.dts; do
	name=$(basename "$f")
	(cd "$ex" && "$hv" system --check "$name") >"$out/$name.out" 2>"$out/$name.err"
	rc=$?
	missing=
	n=0
	while IFS= read -r re; do
		n=$((n + 1))
		grep -Eq -- "$re" "$out/$name.err" || missing="$missing [$re]"
	done < <(sed -n 's|^// expect: ||p' "$f")
	got=$(grep -c '^hv440: system: .*: /' "$out/$name.err")
	if [ "$name" = bad-syntax.dts ]; then
		got=$n  # dtc's own two lines, then ours saying it failed
	fi
	check "--check $name: exit 1, its $n error line(s)" \
		"[ $rc -eq 1 ] && [ $n -gt 0 ] && [ -z '$missing' ] && [ $got -eq $n ]" \
		"exit $rc, $got lines, missing:$missing; see $out/$name.err"
done
"$hv" system --check "$ex/no-such.dts" >/dev/null 2>"$out/nofile.err"
rc=$?
check "--check of a missing file: exit 1, one line" \
	"[ $rc -eq 1 ] && [ \$(wc -l <'$out/nofile.err') -eq 1 ]" "$(cat "$out/nofile.err")"

# More RAM than the host has, in partitions each within hv440's 2G (a description made here,
# for this host's size).
host_mib=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
nbig=$((host_mib / 2048 + 1))
if [ "$nbig" -le 16 ]; then
	{
		echo '/dts-v1/; / { partitions {'
		for i in $(seq 1 $nbig); do echo "p$i { kernel = \"$top/README.md\"; memory = \"2G\"; };"; done
		echo '}; };'
	} >"$out/big.dts"
	"$hv" system --check "$out/big.dts" >/dev/null 2>"$out/big.err"
	rc=$?
	check "--check: $nbig partitions of 2G on a ${host_mib} MiB host: exit 1, one line" \
		"[ $rc -eq 1 ] && [ \$(wc -l <'$out/big.err') -eq 1 ] &&
		 grep -q ': /partitions: memory: the partitions need $((nbig * 2048)) MiB, the host has' '$out/big.err'" \
		"$(cat "$out/big.err")"
else
	echo "SKIP --check of RAM over the host's: this host has more than 16 x 2G (not counted)"
fi

# The example itself, and a copy on this run's guests and sockets (below).
kpv=$("$top/tests/lib/guest-path.sh" kernel-pv 2>/dev/null)
initrd=$("$top/tests/lib/guest-path.sh" initrd 2>"$out/initrd.log")
if [ -f "$top/../shared/guests/linux-6.1-bamboo/vmlinux-pv" ]; then
	"$hv" system --check "$ex/three-partitions.dts" >"$out/example.out" 2>&1
	check "--check examples/system/three-partitions.dts" "[ $? -eq 0 ]" "$(cat "$out/example.out")"
else
	ko "--check examples/system/three-partitions.dts" "no ../shared/guests"
fi
if [ ! -f "$kpv" ] || [ ! -f "$initrd" ]; then
	ko "guests for the boot" "kernel-pv '$kpv', initrd '$initrd'"
	finish
fi
dts=$out/three.dts
# The example's system on this run's files: the recipe's initramfs, sockets under $out, and a
# monitor that is not restarted (so a kill -9 shows "dead"; the worker shows a restart), and a
# fourth, bare-metal partition "dog" (not started until the manager starts it) whose watchdog
# expires at once and notifies the manager (appended below, once watchdog.elf is built).
sed -e "s|\"[./]*shared/guests/linux-6.1-bamboo/vmlinux-pv\"|\"$kpv\"|" \
    -e "s|\"[./]*shared/guests/initramfs.cpio.gz\"|\"$initrd\"|" \
    -e "s|/tmp/hv440-|$out/|g" \
    -e '/monitor {/,/};/s|restart = "always";|restart = "never";|' \
    -e '/worker {/,/};/s|watchdog-action = "reset";|watchdog-action = "notify-manager";|' \
    "$ex/three-partitions.dts" >"$dts"
"$hv" system --check "$dts" >"$out/three.check" 2>&1
check "--check of the test's copy" "[ $? -eq 0 ] && ! grep -q /tmp/hv440- '$dts'" "$(cat "$out/three.check")"

# --- management hypercalls: a bare-metal manager stops and starts partition 1; partition 1
# (the same program, not the manager) has every call refused with EV_EPERM ---
isa=$top/tests/isa/lib
if ${CROSS_CC:-powerpc-linux-gnu-gcc} -mcpu=440 -msoft-float -ffreestanding -nostdlib -nostartfiles \
	-O2 -fno-pie -no-pie -msdata=none -G 0 -fno-builtin -fno-stack-protector -Wall -Wextra -Werror \
	-I "$isa" -T "$isa/link.ld" -Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
	-o "$out/mgmt.elf" "$isa/crt0.S" "$isa/lib.c" "$here/progs/mgmt.c" -lgcc 2>"$out/mgmt.build.log"; then
	cat >"$out/mgmt.dts" <<DTS
/dts-v1/;
/ {
	partitions {
		boss { kernel = "mgmt.elf"; memory = "16M"; console = "file:boss.log"; manager; };
		drone { kernel = "mgmt.elf"; memory = "16M"; console = "file:drone.log"; };
	};
};
DTS
	"$hv" system "$out/mgmt.dts" --control "unix:$out/mgmt.ctl" >"$out/mgmt.out" 2>"$out/mgmt.err" &
	msup=$!
	for i in $(seq 1 60); do
		grep -q 'mgmt: done' "$out/boss.log" 2>/dev/null && [ "$(grep -c 'not a manager' "$out/drone.log" 2>/dev/null)" -ge 2 ] && break
		# The first drone may be stopped before it prints: once is enough after a while.
		[ "$i" -gt 20 ] && grep -q 'mgmt: done' "$out/boss.log" && grep -q 'not a manager' "$out/drone.log" && break
		sleep 0.25
	done
	"$hv" system --status "unix:$out/mgmt.ctl" >"$out/mgmt.status" 2>&1
	kill -TERM $msup
	wait $msup
	want_boss='get_status(1) = 0 value 1|stop(1) = 0 value 0|partition 1 stopped|doorbell rang|stop(1) = 11 value 0|start(1) = 0 value 0|partition 1 running|get_status(9) = 8 value 0|done'
	check "manager: get_status, stop (its state-change doorbell rings), stop again (EV_INVALID_STATE), start, a bad handle (EV_EINVAL)" \
		"[ \"\$(sed 's/^mgmt: //' '$out/boss.log' | paste -sd'|')\" = '$want_boss' ]" "$(cat "$out/boss.log")"
	check "manager's stop and start reached the supervisor and partition 1" \
		"grep -q 'partition drone: stop asked by the manager' '$out/mgmt.err' &&
		 grep -q 'partition drone stopped (exit 143)' '$out/mgmt.err' &&
		 grep -q 'partition drone: start asked by the manager' '$out/mgmt.err'" "$(cat "$out/mgmt.err")"
	want_drone='get_status(1) = 1 value 0|stop(1) = 1 value 0|restart(0) = 1 value 0|not a manager'
	drone=$(sed 's/^mgmt: //' "$out/drone.log" | paste -sd'|')
	# The manager stops and starts the drone, so an earlier run of it may have been cut off
	# mid-print (even mid-line): the last run must be whole, and no call of any run may have
	# answered anything but 1 (EV_EPERM).
	check "non-manager: every management call fails with EV_EPERM (each of its runs that printed)" \
		"[ \"\${drone%\"\$want_drone\"}\" != '$drone' ] &&
		 ! grep -Eq ' = ([02-9]|1[0-9])' '$out/drone.log'" \
		"$(cat "$out/drone.log")"
	check "non-manager's restart(0) had no effect on the manager" \
		"[ \$(grep -c 'started' '$out/mgmt.err') -eq 3 ] && ! grep -q 'boss: restart' '$out/mgmt.err' &&
		 grep -q '\"name\":\"boss\",\"state\":\"running\",.*\"last_exit\":\"\"' '$out/mgmt.status'" \
		"$(cat "$out/mgmt.err" "$out/mgmt.status")"
else
	ko "build tests/system/progs/mgmt.c" "$(head -3 "$out/mgmt.build.log")"
fi

# --- the manager's device tree (src/hw/hvmgr.c), from a stand-in supervisor that answers the
# partition list: fsl,hv-version, and /hypervisor/handles as Topaz's (handle, label, doorbells
# on the first free UIC0 inputs); a guest without the management socket gets no handles ---
python3 - "$hv" "$out/mgmt.elf" "$out/handles.dtb" >"$out/handles.out" 2>&1 <<'PY'
import os, socket, subprocess, sys, threading
ours, theirs = socket.socketpair()
def serve():
    buf = b""
    while True:
        data = ours.recv(256)
        if not data:
            return
        buf += data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if line == b"L":
                ours.sendall(b"P 1 worker 0\nP 3 dog 1\n.\n")
threading.Thread(target=serve, daemon=True).start()
fd = theirs.fileno()
env = dict(os.environ, HV440_SYSTEM_MGMT_FD=str(fd))
r = subprocess.run([sys.argv[1], "--kernel", sys.argv[2], "--dump-dtb", sys.argv[3]], env=env,
                   pass_fds=[fd])
print("exit", r.returncode)
PY
"$hv" --kernel "$out/mgmt.elf" --dump-dtb "$out/plain.dtb" >/dev/null 2>&1
hd=/hypervisor/handles
check "manager's device tree: fsl,hv-version, a handle node per partition, its doorbells" \
	"grep -qx 'exit 0' '$out/handles.out' &&
	 [ \"\$(fdtget '$out/handles.dtb' /hypervisor fsl,hv-version)\" = '1 0' ] &&
	 [ \"\$(fdtget '$out/handles.dtb' $hd/worker compatible)\" = fsl,hv-partition-handle ] &&
	 [ \"\$(fdtget '$out/handles.dtb' $hd/worker reg)\" = 1 ] &&
	 [ \"\$(fdtget '$out/handles.dtb' $hd/worker label)\" = worker ] &&
	 [ \"\$(fdtget '$out/handles.dtb' $hd/worker/state-change-doorbell compatible)\" = 'fsl,hv-state-change-doorbell epapr,hv-receive-doorbell' ] &&
	 [ \"\$(fdtget '$out/handles.dtb' $hd/worker/state-change-doorbell interrupts)\" = '2 1' ] &&
	 ! fdtget '$out/handles.dtb' $hd/worker/watchdog-doorbell interrupts >/dev/null 2>&1 &&
	 [ \"\$(fdtget '$out/handles.dtb' $hd/dog hv-handle)\" = 3 ] &&
	 [ \"\$(fdtget '$out/handles.dtb' $hd/dog/state-change-doorbell interrupts)\" = '3 1' ] &&
	 [ \"\$(fdtget '$out/handles.dtb' $hd/dog/watchdog-doorbell compatible)\" = 'fsl,hv-watchdog-expiration-doorbell epapr,hv-receive-doorbell' ] &&
	 [ \"\$(fdtget '$out/handles.dtb' $hd/dog/watchdog-doorbell interrupts)\" = '4 1' ]" \
	"$(cat "$out/handles.out"; dtc -I dtb -O dts "$out/handles.dtb" 2>/dev/null | sed -n '/hypervisor {/,$p' | head -40)"
check "a guest that is not a manager: fsl,hv-version, no /hypervisor/handles" \
	"[ \"\$(fdtget '$out/plain.dtb' /hypervisor fsl,hv-version)\" = '1 0' ] &&
	 ! fdtget -l '$out/plain.dtb' $hd >/dev/null 2>&1"

# --- the watchdog: a partition that never clears it; "stop" ends it, on-failure restarts it once,
# the second expiry leaves it dead; "reset" resets it in its process, as often as it expires ---
if ${CROSS_CC:-powerpc-linux-gnu-gcc} -mcpu=440 -msoft-float -ffreestanding -nostdlib -nostartfiles \
	-O2 -fno-pie -no-pie -msdata=none -G 0 -fno-builtin -fno-stack-protector -Wall -Wextra -Werror \
	-I "$isa" -T "$isa/link.ld" -Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
	-o "$out/watchdog.elf" "$isa/crt0.S" "$isa/lib.c" "$here/progs/watchdog.c" -lgcc 2>"$out/wd.build.log"; then
	cat >"$out/wd.dts" <<DTS
/dts-v1/;
/ {
	partitions {
		stopper { kernel = "watchdog.elf"; memory = "16M"; console = "null";
			  watchdog-action = "stop"; restart = "on-failure"; restart-limit = <1>; };
		resetter { kernel = "watchdog.elf"; memory = "16M"; console = "file:resetter.log";
			   watchdog-action = "reset"; restart = "on-failure"; };
	};
};
DTS
	"$hv" system "$out/wd.dts" --control "unix:$out/wd.ctl" >"$out/wd.out" 2>"$out/wd.err" &
	wsup=$!
	for _ in $(seq 1 40); do
		grep -q 'partition stopper ended: exit 0 (watchdog); now dead' "$out/wd.err" &&
			[ "$(grep -c 'wd: armed' "$out/resetter.log" 2>/dev/null)" -ge 3 ] && break
		sleep 0.25
	done
	"$hv" system --status "unix:$out/wd.ctl" >"$out/wd.status" 2>&1
	kill -TERM $wsup
	wait $wsup
	check "watchdog-action stop: expiry reported, restarted once (on-failure), then dead" \
		"grep -q 'partition stopper: watchdog expired (1 so far); action: stop' '$out/wd.err' &&
		 grep -q 'partition stopper ended: exit 0 (watchdog); restarting (1 of 1)' '$out/wd.err' &&
		 grep -q 'partition stopper: watchdog expired (2 so far)' '$out/wd.err' &&
		 grep -q '\"name\":\"stopper\",\"state\":\"dead\",.*\"watchdogs\":2,' '$out/wd.status'" \
		"$(cat "$out/wd.err" "$out/wd.status")"
	check "watchdog-action reset: the guest restarts in its process, each expiry reported" \
		"[ \$(grep -c 'wd: armed' '$out/resetter.log') -ge 3 ] &&
		 grep -q 'partition resetter: watchdog expired (2 so far); action: reset' '$out/wd.err' &&
		 grep -q '\"name\":\"resetter\",\"state\":\"running\",\"pid\":[1-9].*\"restarts\":0,' '$out/wd.status'" \
		"$(cat "$out/wd.err" "$out/wd.status")"
else
	ko "build tests/system/progs/watchdog.c" "$(head -3 "$out/wd.build.log")"
fi

# --- hot standby, bare metal (progs/service.c answers each line on its channel with its name):
# "svc" arms its watchdog after its first answer (action reset: it resets in its process), so
# the cold standby "spare" (autostart off) is started and serves the same connection; then
# kill -9 of the spare moves the service back to svc, which is running ---
svc_ok=1
for v in svc:-DARM_WATCHDOG spare:; do
	${CROSS_CC:-powerpc-linux-gnu-gcc} -mcpu=440 -msoft-float -ffreestanding -nostdlib -nostartfiles \
		-O2 -fno-pie -no-pie -msdata=none -G 0 -fno-builtin -fno-stack-protector -Wall -Wextra -Werror \
		-I "$isa" -T "$isa/link.ld" -Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
		-DNAME="\"${v%%:*}\"" ${v#*:} -o "$out/service-${v%%:*}.elf" "$isa/crt0.S" "$isa/lib.c" \
		"$here/progs/service.c" -lgcc 2>>"$out/service.build.log" || svc_ok=0
done
if [ $svc_ok -eq 1 ]; then
	cat >"$out/hs-bare.dts" <<DTS
/dts-v1/;
/ {
	partitions {
		svc { kernel = "service-svc.elf"; memory = "16M"; console = "file:svc.log"; };
		spare { kernel = "service-spare.elf"; memory = "16M"; console = "file:spare.log";
			autostart = "off"; standby-of = "svc"; };
	};
	channels { service { endpoints = "svc"; host = "unix:hs-bare.sock"; }; };
};
DTS
	"$hv" system "$out/hs-bare.dts" --control "unix:$out/hs-bare.ctl" >"$out/hs-bare.out" 2>"$out/hs-bare.err" &
	hsup=$!
	python3 "$here/service.py" --before 0 "$out/hs-bare.sock" svc spare >"$out/hs-bare.wd" 2>&1
	rc=$?
	"$hv" system --status "unix:$out/hs-bare.ctl" >"$out/hs-bare.status1" 2>&1
	check "hot standby: svc's watchdog starts the cold standby, which answers on the same connection" \
		"[ $rc -eq 0 ] && grep -q 'partition svc: watchdog expired (1 so far); action: reset' '$out/hs-bare.err' &&
		 grep -q 'partition spare takes over from svc (watchdog)' '$out/hs-bare.err' &&
		 grep -q '\"name\":\"svc\",\"state\":\"running\",.*\"serving\":false' '$out/hs-bare.status1' &&
		 grep -q '\"name\":\"spare\",\"state\":\"running\",.*\"standby_of\":\"svc\",\"serving\":true' '$out/hs-bare.status1'" \
		"$(cat "$out/hs-bare.wd" "$out/hs-bare.err" "$out/hs-bare.status1")"
	spid=$(sed -n 's/.*"name":"spare","state":"running","pid":\([0-9]*\).*/\1/p' "$out/hs-bare.status1")
	python3 "$here/service.py" "$out/hs-bare.sock" spare svc kill -9 "${spid:-0}" >"$out/hs-bare.kill" 2>&1
	rc=$?
	check "hot standby: kill -9 of the serving spare moves the service back to the running svc" \
		"[ $rc -eq 0 ] && [ -n '$spid' ] && grep -q 'partition svc takes over from spare (signal 9)' '$out/hs-bare.err'" \
		"$(cat "$out/hs-bare.kill" "$out/hs-bare.err")"
	kill -TERM $hsup
	wait $hsup
	check "hot standby: the shared endpoint's socket is removed at exit" "[ ! -e '$out/hs-bare.sock' ]"
else
	ko "build tests/system/progs/service.c" "$(head -3 "$out/service.build.log")"
fi

[ "$quick" = --quick ] && finish

# The partitions boot vmlinux-mgr: vmlinux-pv with Linux's /dev/fsl-hv driver, which partctl
# (guests/tools/partctl.c) uses; not in ../shared/guests, so the recipe builds it once.
kmgr=$("$top/tests/lib/guest-path.sh" kernel-mgr 2>"$out/kernel.log")
if [ ! -f "$kmgr" ]; then
	ko "guests for the boot" "kernel-mgr: $(tail -3 "$out/kernel.log")"
	finish
fi
sed -i "s|\"$kpv\"|\"$kmgr\"|" "$dts"

cat >>"$dts" <<'DTS'
/ {
	partitions {
		dog { kernel = "watchdog.elf"; memory = "16M"; console = "null"; autostart = "off";
		      watchdog-action = "notify-manager"; restart = "on-failure"; restart-limit = <1>; };
	};
};
DTS
"$hv" system --check "$dts" >"$out/three.check" 2>&1
check "--check of the test's copy with the notify-manager partition" "[ $? -eq 0 ]" \
	"$(cat "$out/three.check")"

# --- boot the three partitions ---
ctl=$out/ctl
"$hv" system "$dts" --control "unix:$ctl" >"$out/supervisor.out" 2>"$out/supervisor.err" &
sup=$!
helpers=()
for p in manager worker; do
	mkfifo "$out/$p.in"
	python3 "$here/console.py" "$out/$p.console" "$out/$p.log" "$out/$p.in" &
	helpers+=($!)
done
cleanup() {
	kill "${helpers[@]}" 2>/dev/null
	kill -9 "$sup" 2>/dev/null  # only after a failure; PR_SET_PDEATHSIG takes the partitions
	wait 2>/dev/null
}
trap cleanup EXIT
send() { printf '%s\n' "$2" >"$out/$1.in"; }
# wait_for FILE ERE SECONDS
wait_for() {
	local i
	for i in $(seq 1 $(($3 * 4))); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		kill -0 "$sup" 2>/dev/null || return 1
		sleep 0.25
	done
	return 1
}
status() { "$hv" system --status "unix:$ctl" 2>&1; }
field() { sed -n "s/.*\"name\":\"$1\".*\"$2\":\"\{0,1\}\([^\",}]*\).*/\1/p"; }

t0=$(date +%s.%N)
up=0
for p in manager worker; do
	wait_for "$out/$p.log" 'guest: shell ready' 240 && up=$((up + 1))
done
wait_for "$out/supervisor.out" '^monitor\| guest: shell ready' 240 && up=$((up + 1))
t1=$(date +%s.%N)
check "three partitions boot to a shell ($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s wall)" \
	"[ $up -eq 3 ]" "see $out/*.log, $out/supervisor.out"
status >"$out/status1"
check "--status: three partitions running, the dog stopped" \
	"[ \$(grep -c '\"state\":\"running\"' '$out/status1') -eq 3 ] &&
	 [ \$(wc -l <'$out/status1') -eq 4 ] && [ \"\$(field dog state <'$out/status1')\" = stopped ] &&
	 for p in manager worker monitor; do grep -q \"\\\"name\\\":\\\"\$p\\\"\" '$out/status1' || exit 1; done" \
	"$(cat "$out/status1")"
check "the monitor's host endpoint is a socket" "[ -S '$out/monitor.sock' ]"
# CPU shares: cpu-weight 200/100/50 and the monitor's priority 5 (docs/system.md, src/system/cpu.c).
mpid=$(field manager pid <"$out/status1")
wpid=$(field worker pid <"$out/status1")
opid=$(field monitor pid <"$out/status1")
if grep -q 'CPU shares by nice values' "$out/supervisor.err"; then
	nices="$(awk '{ print $19 }' /proc/$mpid/stat) $(awk '{ print $19 }' /proc/$wpid/stat) $(awk '{ print $19 }' /proc/$opid/stat)"
	check "CPU shares by nice values: manager -3, worker 0, monitor 3+5 (got $nices)" "[ '$nices' = '-3 0 8' ]"
elif grep -q 'CPU shares by cgroup v2' "$out/supervisor.err"; then
	w="$(cat "$(sed -n 's/.*under \(.*\)$/\1/p' "$out/supervisor.err")"/hv440-$sup-{manager,worker,monitor}/cpu.weight 2>&1 | tr '\n' ' ')"
	check "CPU shares by cgroup v2: cpu.weight 200 100 50 (got $w)" "[ '$w' = '200 100 50 ' ]"
else
	ko "the supervisor says how it applies CPU shares" "$(head -3 "$out/supervisor.err")"
fi

# --- the byte channel, both ways: each side reads ttyEHV0 onto its console ---
for p in manager worker; do
	send $p 'stty -F /dev/ttyEHV0 raw -echo && cat /dev/ttyEHV0 &'
done
sleep 1
send manager 'echo m2w-$((6*7)) >/dev/ttyEHV0'
wait_for "$out/worker.log" 'm2w-42' 30
check "byte channel manager -> worker" "[ $? -eq 0 ]" "see $out/worker.log"
send worker 'echo w2m-$((6*8)) >/dev/ttyEHV0'
wait_for "$out/manager.log" 'w2m-48' 30
check "byte channel worker -> manager" "[ $? -eq 0 ]" "see $out/manager.log"

# --- measured, not checked: 64 KiB manager -> worker through the channel, by the host's wall
# clock from the send to the worker's answer (a few ms of console round trip included) ---
send worker 'killall cat; n=$(head -c 65536 /dev/ttyEHV0 | wc -c); echo "bc-rate $n"'
sleep 1
h0=$(date +%s.%N)
send manager 'head -c 65536 /dev/zero >/dev/ttyEHV0'
if wait_for "$out/worker.log" 'bc-rate 65536' 60; then
	h1=$(date +%s.%N)
	awk -v a="$h0" -v b="$h1" 'BEGIN { printf "MEASURE byte channel 64 KiB manager -> worker in %.3f s: %.1f KiB/s\n", b - a, 64 / (b - a) }'
else
	echo "MEASURE byte channel throughput: no answer (see $out/worker.log)"
fi

# --- partctl (guests/tools/partctl.c) in a partition that is not the manager: refused ---
send worker 'partctl stop 0; echo "nm-stop-rc=$?"; partctl list; echo "nm-list-rc=$?"'
wait_for "$out/worker.log" 'nm-list-rc=[0-9]' 30
check "non-manager: partctl stop 0 fails with EV_EPERM, exit 1; it lists no partitions" \
	"grep -q 'partctl: stop 0: EV_EPERM (1)' '$out/worker.log' && grep -q 'nm-stop-rc=1' '$out/worker.log' &&
	 grep -q 'partctl: no /proc/device-tree/hypervisor/handles' '$out/worker.log' &&
	 grep -q 'nm-list-rc=1' '$out/worker.log'" "$(tail -8 "$out/worker.log")"
check "non-manager's partctl stop 0 had no effect" \
	"! grep -q 'partition manager: stop' '$out/supervisor.err' && kill -0 $mpid" "$(tail -3 "$out/supervisor.err")"

# --- kill -9: the worker (restart = "on-failure") comes back; the monitor ("never") is dead ---
kill -9 "$wpid"
wait_for "$out/supervisor.err" 'partition worker ended: signal 9; restarting \(1 of 5\)' 10
check "kill -9 of the worker is reported and restarted" "[ $? -eq 0 ]" "$(tail -3 "$out/supervisor.err")"
kill -9 "$opid"
wait_for "$out/supervisor.err" 'partition monitor ended: signal 9; now dead' 10
check "kill -9 of the monitor is reported, and it stays dead" "[ $? -eq 0 ]" "$(tail -3 "$out/supervisor.err")"
sleep 1
status >"$out/status2"
w2=$(field worker pid <"$out/status2")
check "after the kills: manager untouched, worker running again, monitor dead" \
	"[ \"\$(field manager pid <'$out/status2')\" = '$mpid' ] && kill -0 $mpid &&
	 [ \"\$(field manager state <'$out/status2')\" = running ] &&
	 [ \"\$(field worker state <'$out/status2')\" = running ] && [ -n '$w2' ] && [ '$w2' != '$wpid' ] &&
	 [ \"\$(field worker restarts <'$out/status2')\" = 1 ] &&
	 [ \"\$(field monitor state <'$out/status2')\" = dead ]" "$(cat "$out/status2")"

# --- the Linux manager (partctl over /dev/fsl-hv): list, stop, restart the worker; events ---
send manager 'partctl wait -n 100 -t 900 >/tmp/events 2>&1 &'
send manager 'partctl list; echo "list-rc=$?"'
wait_for "$out/manager.log" '^list-rc=[0-9]' 30
check "manager: partctl list shows the partitions and their states from GET_STATUS" \
	"grep -q '^1 worker running' '$out/manager.log' && grep -q '^2 monitor stopped' '$out/manager.log' &&
	 grep -q '^3 dog stopped' '$out/manager.log' && grep -q 'list-rc=0' '$out/manager.log'" \
	"$(tail -8 "$out/manager.log")"
status >"$out/status2b"
w2=$(field worker pid <"$out/status2b")
send manager 'partctl stop worker; echo "stop-rc=$?"'
wait_for "$out/supervisor.err" 'partition worker stopped' 15
send manager 'partctl status worker; echo "status-rc=$?"'
wait_for "$out/manager.log" 'status-rc=[0-9]' 15
check "manager: partctl stop worker stops it (the supervisor's log, GET_STATUS says stopped)" \
	"grep -q 'partition worker: stop asked by the manager' '$out/supervisor.err' &&
	 grep -q 'stop-rc=0' '$out/manager.log' && grep -q '^1 stopped' '$out/manager.log' &&
	 ! kill -0 $w2 2>/dev/null" "$(tail -6 "$out/manager.log"; tail -3 "$out/supervisor.err")"
send manager 'partctl stop worker; echo "stop2-rc=$?"'
wait_for "$out/manager.log" 'stop2-rc=[0-9]' 15
check "manager: stopping it again fails with EV_INVALID_STATE, exit 1" \
	"grep -q 'partctl: stop worker: EV_INVALID_STATE (11)' '$out/manager.log' &&
	 grep -q 'stop2-rc=1' '$out/manager.log'" "$(tail -4 "$out/manager.log")"
send manager 'partctl restart worker; echo "restart-rc=$?"'
wait_for "$out/supervisor.err" 'partition worker: restart asked by the manager' 15
sleep 1
status >"$out/status2c"
check "manager: partctl restart worker starts it again (a new pid, running)" \
	"grep -q 'restart-rc=0' '$out/manager.log' &&
	 [ \"\$(field worker state <'$out/status2c')\" = running ] &&
	 [ \"\$(field worker pid <'$out/status2c')\" != '$w2' ]" "$(cat "$out/status2c")"
w2=$(field worker pid <"$out/status2c")
# The dog: its watchdog expires at once; the manager hears it (a watchdog doorbell), the policy
# (on-failure, limit 1) restarts it once, the second expiry leaves it dead.
send manager 'partctl start dog; echo "dog-rc=$?"'
wait_for "$out/supervisor.err" 'partition dog ended: exit 0 \(watchdog\); now dead' 30
check "notify-manager: the dog's expiries reported, restarted once by on-failure, then dead" \
	"grep -q 'partition dog: start asked by the manager' '$out/supervisor.err' &&
	 grep -q 'partition dog: watchdog expired (1 so far); action: notify-manager' '$out/supervisor.err' &&
	 grep -q 'partition dog ended: exit 0 (watchdog); restarting (1 of 1)' '$out/supervisor.err'" \
	"$(grep dog "$out/supervisor.err")"
sleep 1
send manager 'cat /tmp/events; echo "events-$((6*7))"'
wait_for "$out/manager.log" 'events-42' 15
check "manager: partctl wait got the dog's watchdog doorbell" \
	"grep -q '^dog watchdog' '$out/manager.log'" "$(tail -20 "$out/manager.log")"
check "manager: partctl wait got state-change doorbells of the worker and the dog" \
	"grep -q '^worker state-change' '$out/manager.log' && grep -q '^dog state-change' '$out/manager.log'" \
	"$(tail -20 "$out/manager.log")"

# --- the Linux worker's own watchdog: vmlinux-mgr has Linux's booke_wdt (/dev/watchdog), which
# busybox's watchdog daemon arms (TCR[WP] = 3: 2^29 timebase ticks, 1.3 s; TCR[WRC] = chip
# reset) and feeds. kill -9 of the daemon leaves it armed and unfed: the 440's watchdog goes
# through ENW, WIS (its interrupt, whose Linux handler prints from NMI context, so the line may
# never reach the console before the reset) and resets; the test's copy gives the worker
# watchdog-action "notify-manager", so the manager hears a watchdog doorbell and the restart
# policy (on-failure) starts the worker again. ---
# wait_count FILE ERE N SECONDS: until FILE has N lines matching ERE
wait_count() {
	local i
	for i in $(seq 1 $(($4 * 4))); do
		[ "$(grep -Ec -- "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
		sleep 0.25
	done
	return 1
}
# Boots of the worker so far: the first, after kill -9, after the manager's restart.
wait_count "$out/worker.log" 'guest: shell ready' 3 120
send worker 'watchdog -T 3 -t 1 /dev/watchdog; echo "wdt-rc=$?"; sleep 3; kill -9 $(pidof watchdog); echo "wdt-killed-$((6*7))"'
wait_for "$out/worker.log" 'wdt-killed-42' 30
wait_for "$out/supervisor.err" 'partition worker ended: exit 0 \(watchdog\); restarting' 60
sleep 1
send manager 'cat /tmp/events; echo "events2-$((6*7))"'
wait_for "$out/manager.log" 'events2-42' 15
status >"$out/status2w"
check "Linux worker's watchdog (booke_wdt): armed, its daemon killed -9, the 440 watchdog resets it" \
	"grep -q 'wdt-rc=0' '$out/worker.log' && grep -q 'booke_wdt: powerpc book-e watchdog driver loaded' '$out/worker.log' &&
	 grep -q 'partition worker: watchdog expired (1 so far); action: notify-manager' '$out/supervisor.err'" \
	"$(tail -8 "$out/worker.log"; grep worker "$out/supervisor.err" | tail -4)"
check "Linux worker's watchdog: the manager got its watchdog doorbell, on-failure restarted it" \
	"grep -q '^worker watchdog' '$out/manager.log' &&
	 grep -q 'partition worker ended: exit 0 (watchdog); restarting' '$out/supervisor.err' &&
	 [ \"\$(field worker state <'$out/status2w')\" = running ] &&
	 [ \"\$(field worker pid <'$out/status2w')\" != '$w2' ]" \
	"$(tail -12 "$out/manager.log"; cat "$out/status2w")"
w2=$(field worker pid <"$out/status2w")

# --- the control socket: stop and start by hand ---
python3 - "$ctl" >"$out/ctl.out" 2>&1 <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile("rw")
for req in ['{"cmd":"stop","name":"worker"}', '{"cmd":"stop","name":"nobody"}', '{"cmd":"fly"}']:
    f.write(req + "\n"); f.flush(); print(f.readline().strip())
PY
# the manager stopped it once already (above): wait for the second "stopped"
for _ in $(seq 1 40); do
	[ "$(grep -c 'partition worker stopped' "$out/supervisor.err")" -ge 2 ] && break
	sleep 0.25
done
status >"$out/status3"
check "control: stop worker -> stopped; bad requests get errors" \
	"[ \"\$(field worker state <'$out/status3')\" = stopped ] && ! kill -0 $w2 2>/dev/null &&
	 [ \"\$(sed -n 1p '$out/ctl.out')\" = '{\"ok\":true}' ] &&
	 sed -n 2,3p '$out/ctl.out' | grep -c '\"ok\":false' | grep -qx 2" "$(cat "$out/ctl.out" "$out/status3")"
echo '{"cmd":"start","name":"monitor"}' | python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.stdin.buffer.read())
print(s.makefile().readline().strip())' "$ctl" >"$out/ctl2.out" 2>&1
sleep 0.5
status >"$out/status4"
check "control: start monitor -> running" \
	"grep -qx '{\"ok\":true}' '$out/ctl2.out' && [ \"\$(field monitor state <'$out/status4')\" = running ]" \
	"$(cat "$out/ctl2.out" "$out/status4")"

# --- SIGTERM: every partition stopped, nothing left behind ---
pids=$(sed -n 's/.*"pid":\([1-9][0-9]*\).*/\1/p' "$out/status4")
kill -TERM "$sup"
rc=0
for _ in $(seq 1 40); do kill -0 "$sup" 2>/dev/null || break; sleep 0.25; done
wait "$sup"
rc=$?
left=
for p in $pids; do kill -0 "$p" 2>/dev/null && left="$left $p"; done
socks=$(find "$out" -type s | tr '\n' ' ')
check "SIGTERM: supervisor exits 143, no partition left ($(echo $pids | wc -w) were running)" \
	"[ $rc -eq 143 ] && [ -z '$left' ] && [ -n '$pids' ]" "exit $rc, left:$left"
check "SIGTERM: no socket left behind" "[ -z '$socks' ]" "$socks"
kill "${helpers[@]}" 2>/dev/null
wait "${helpers[@]}" 2>/dev/null

# --- hot standby on Linux: examples/system/hot-standby.dts on this run's files. Each guest
# answers every line on ttyEHV0 with its name; kill -9 of the primary's process moves the
# supervisor's service socket (the same connection) to the warm standby within 2 s ---
hdts=$out/hot.dts
sed -e "s|\"[./]*shared/guests/linux-6.1-bamboo/vmlinux-pv\"|\"$kpv\"|" \
    -e "s|\"[./]*shared/guests/initramfs.cpio.gz\"|\"$initrd\"|" \
    -e "s|/tmp/hv440-|$out/hs-|g" "$ex/hot-standby.dts" >"$hdts"
"$hv" system --check "$hdts" >"$out/hot.check" 2>&1
check "--check of examples/system/hot-standby.dts (the test's copy)" \
	"[ $? -eq 0 ] && ! grep -q /tmp/hv440- '$hdts'" "$(cat "$out/hot.check")"
# Secure monitoring in the same system: a third Linux partition, "monitor", whose byte channel
# is a read-only copy of the primary's console.
cat >>"$hdts" <<DTS
/ {
	partitions {
		monitor { kernel = "$kpv"; initrd = "$initrd"; bootargs = "console=ttyS0"; memory = "64M";
			  console = "unix:$out/hs-monitor.console"; };
	};
	channels { watch { endpoints = "monitor"; console-copy-of = "primary"; }; };
};
DTS
"$hv" system --check "$hdts" >"$out/hot.check" 2>&1
check "--check of the test's copy with a monitor of the primary's console" "[ $? -eq 0 ]" \
	"$(cat "$out/hot.check")"
ctl=$out/hs.ctl
"$hv" system "$hdts" --control "unix:$ctl" >"$out/hs.out" 2>"$out/hs.err" &
sup=$!
helpers=()
for p in primary standby monitor; do
	mkfifo "$out/hs-$p.in"
	python3 "$here/console.py" "$out/hs-$p.console" "$out/hs-$p.log" "$out/hs-$p.in" &
	helpers+=($!)
done
up=0
for p in primary standby monitor; do
	wait_for "$out/hs-$p.log" 'guest: shell ready' 240 && up=$((up + 1))
done
check "hot-standby.dts and a monitor: three partitions boot to a shell" "[ $up -eq 3 ]" \
	"see $out/hs-*.log, $out/hs.err"
for p in primary standby; do
	send hs-$p "stty -F /dev/ttyEHV0 raw -echo && (while read -r l; do echo $p; done </dev/ttyEHV0 >/dev/ttyEHV0 &)"
done
# The monitor prints its channel, the copy, on its own console.
send hs-monitor 'stty -F /dev/ttyEHV0 raw -echo && cat /dev/ttyEHV0 &'
sleep 1
send hs-primary 'echo copy-mark-$((6*7))'
wait_for "$out/hs-monitor.log" 'copy-mark-42' 15
check "console-copy-of: the monitor reads the primary's console output on its ttyEHV0" \
	"[ $? -eq 0 ] && grep -q 'copy-mark-42' '$out/hs-primary.log'" "$(tail -5 "$out/hs-monitor.log")"
# What the monitor writes into the copy goes nowhere: the primary's shell would run (and echo)
# it if it reached its console. The probe, sent later, shows the primary's console went on.
send hs-monitor 'echo inject-$((6*9)) >/dev/ttyEHV0; echo "wrote-$((6*9))"'
wait_for "$out/hs-monitor.log" 'wrote-54' 15
sleep 2
send hs-primary 'echo probe-$((7*7))'
wait_for "$out/hs-monitor.log" 'probe-49' 15
check "console-copy-of is read-only: the monitor's writes never reach the primary" \
	"[ $? -eq 0 ] && grep -q 'wrote-54' '$out/hs-monitor.log' && grep -q 'probe-49' '$out/hs-primary.log' &&
	 ! grep -q 'inject-54' '$out/hs-primary.log'" "$(tail -5 "$out/hs-primary.log")"
status >"$out/hs.status1"
ppid=$(field primary pid <"$out/hs.status1")
booted=$(grep -ac 'Linux version' "$out/hs-monitor.log")
python3 "$here/service.py" "$out/hs-service.sock" primary standby kill -9 "${ppid:-0}" >"$out/hs.service" 2>&1
rc=$?
took=$(sed -n 's/^takeover \([0-9.]*\) s$/\1/p' "$out/hs.service")
echo "MEASURE hot standby: kill -9 of the primary to the standby's first answer on the same connection: ${took:-none} s"
check "hot standby: only the primary answers, then within 2 s of its kill -9 the standby (took ${took:-none} s)" \
	"[ $rc -eq 0 ] && [ -n '$ppid' ] && awk -v t='${took:-99}' 'BEGIN { exit !(t < 2) }'" \
	"$(cat "$out/hs.service")"
wait_for "$out/hs.err" 'partition primary ended: signal 9; restarting \(1 of 3\)' 10
sleep 0.5
status >"$out/hs.status2"
check "hot standby: the supervisor reports the takeover, restarts the primary, the standby keeps serving" \
	"grep -q 'partition standby takes over from primary (signal 9)' '$out/hs.err' &&
	 grep -q '\"name\":\"standby\",\"state\":\"running\",.*\"serving\":true' '$out/hs.status2' &&
	 grep -q '\"name\":\"primary\",\"state\":\"running\",.*\"serving\":false' '$out/hs.status2' &&
	 [ \"\$(field primary pid <'$out/hs.status2')\" != '$ppid' ]" "$(cat "$out/hs.err" "$out/hs.status2")"
# The copy outlives the primary's process: the monitor sees the restarted primary boot.
for _ in $(seq 1 240); do
	[ "$(grep -ac 'Linux version' "$out/hs-monitor.log")" -gt "$booted" ] && break
	sleep 0.25
done
check "console-copy-of: the monitor sees the restarted primary's boot on the same channel" \
	"[ \$(grep -ac 'Linux version' '$out/hs-monitor.log') -gt $booted ]" "$(tail -5 "$out/hs-monitor.log")"
kill -TERM "$sup"
wait "$sup"
check "hot standby: SIGTERM exits 143 and removes the service socket" \
	"[ $? -eq 143 ] && [ ! -e '$out/hs-service.sock' ] && [ ! -e '$out/hs-primary.console' ]" \
	"$(tail -3 "$out/hs.err")"
finish
