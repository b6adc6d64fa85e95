#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh - the hostile-guest tier: tests/hostile/run.sh BUILD_DIR
# hostile.c storms hv440 with bus errors, privileged instructions from user mode, decrementer
# interrupts and TLB thrashing, and rewrites its own code with every store width. storm.c
# storms it from the devices: UART and UIC lines left asserted under EE/CE, edge and
# software-set interrupts, register storms on the UART, UIC, PCI and virtio, BARs moved over
# other devices, virtio-rng and -console queues fed garbage and huge chains and notified without
# end. bigpage.c runs code and data in different parts of one 256 MiB page over less RAM, and
# touches the part past RAM; livelock.c makes no progress at all, which hv440 must report once.
# Each must print exactly its expected output (counts are exact), exit 0, and keep hv440's
# guest-error log rate-limited; reboot.c checks the limit also holds across guest resets;
# chatty.c and bcchatty.c that a slow reader loses no UART or byte-channel byte; blkstorm.c that
# SIGTERM stops hv440 within 100 ms whatever disk I/O the guest queued.
# Ends with "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: tests/hostile/run.sh BUILD_DIR}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac
isa=$here/../isa/lib
out=$build/hostile
mkdir -p "$out"
pass=0
fail=0

# run_prog NAME[:TAG] EXPECTED MAX_LOG_LINES MIN_LOG_LINES HV440_ARGS...: build NAME.c, run it,
# check it (TAG names one of several runs of the same program).
run_prog() {
	local src=${1%%:*} name=${1/:/-} expected=$2 max_log=$3 min_log=$4
	shift 4
	if ! powerpc-linux-gnu-gcc -mcpu=440 -msoft-float -ffreestanding -nostdlib -nostartfiles -O2 \
		-fno-pie -no-pie -msdata=none -G 0 -fno-builtin -fno-stack-protector -Wall -Wextra -Werror \
		-I "$isa" -T "$isa/link.ld" -Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
		-o "$out/$name.elf" "$isa/crt0.S" "$isa/lib.c" "$here/$src.c" -lgcc; then
		echo "FAIL build $name.elf"
		fail=$((fail + 1))
		return
	fi
	# -k: a device stuck in a long host call ignores SIGTERM until it returns.
	timeout -k 5 120 "$build/hv440" --no-reboot "$@" --kernel "$out/$name.elf" </dev/null \
		>"$out/$name.out" 2>"$out/$name.err"
	local rc=$?
	tr -d '\r' <"$out/$name.out" >"$out/$name.txt"
	if [ $rc -eq 0 ]; then
		echo "PASS $name exits 0"; pass=$((pass + 1))
	else
		echo "FAIL $name exit status $rc: $(tail -n 1 "$out/$name.err")"; fail=$((fail + 1))
	fi
	if cmp -s "$out/$name.txt" "$here/$expected"; then
		echo "PASS $name output exact"; pass=$((pass + 1))
	else
		echo "FAIL $name output"; diff -u "$here/$expected" "$out/$name.txt" | head -20 | sed 's/^/    /'
		fail=$((fail + 1))
	fi
	# Tens of thousands of guest errors must not mean tens of thousands of log lines.
	local n
	n=$(grep -c '^hv440: ' "$out/$name.err")
	if [ "$n" -ge "$min_log" ] && [ "$n" -le "$max_log" ]; then
		echo "PASS $name guest errors logged and rate-limited ($n lines)"; pass=$((pass + 1))
	else
		echo "FAIL $name guest-error log: $n lines (want $min_log..$max_log)"; fail=$((fail + 1))
		head -n 5 "$out/$name.err" | sed 's/^/    /'
	fi
}

run_prog hostile expected.out 40 1
# One 256 MiB TLB entry over 128 and 192 MiB of RAM: code and data in different parts of it
# make progress, and the load, store and fetch past RAM are one machine check each.
run_prog bigpage:128M expected-bigpage.out 3 3 -m 128M
run_prog bigpage:192M expected-bigpage.out 3 3 -m 192M
# 20 lines at most from the vcpu and from each virtio device (LOG_LIMIT in util/log.h);
# storm.c makes each of the three reach its limit.
run_prog storm expected-storm.out 60 60 -m 64M --console null --rng
for who in 'guest pc=' 'virtio-rng: guest error' 'virtio-console: transmit chain'; do
	if [ "$(grep -c "^hv440: $who" "$out/storm.err")" -ne 20 ]; then
		echo "FAIL storm: not 20 log lines from '$who'"; fail=$((fail + 1))
	else
		echo "PASS storm: 20 log lines from '$who', then silence"; pass=$((pass + 1))
	fi
done
# livelock.c makes no progress on purpose (an ITLB and a DTLB miss whose vectors miss again):
# hv440 keeps running it until SIGTERM (exit 143), as a 440 would, and says so on stderr
# exactly once, with the PC and the two exit kinds (STALL_EXITS/STALL_NS in hv/vcpu.c: >= 1 s).
if powerpc-linux-gnu-gcc -mcpu=440 -msoft-float -ffreestanding -nostdlib -nostartfiles -O2 \
	-fno-pie -no-pie -msdata=none -G 0 -fno-builtin -fno-stack-protector -Wall -Wextra -Werror \
	-I "$isa" -T "$isa/link.ld" -Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
	-o "$out/livelock.elf" "$isa/crt0.S" "$isa/lib.c" "$here/livelock.c" -lgcc; then
	timeout --preserve-status -k 5 4 "$build/hv440" --no-reboot -m 16M --kernel "$out/livelock.elf" \
		</dev/null >"$out/livelock.out" 2>"$out/livelock.err"
	rc=$?
	n=$(grep -c 'makes no progress' "$out/livelock.err")
	if [ $rc -eq 143 ] && [ "$n" -eq 1 ] && [ "$(wc -l <"$out/livelock.err")" -eq 1 ] &&
		grep -qE '^hv440: guest makes no progress at pc=0x400(00100|02000): [0-9]+ exits in [0-9.]+ s \(ITLBREAL, DTLBREAL\)' \
			"$out/livelock.err" &&
		[ "$(tr -d '\r' <"$out/livelock.out")" = "livelock: entering" ]; then
		echo "PASS livelock reported once: $(cut -c1-110 "$out/livelock.err")"; pass=$((pass + 1))
	else
		echo "FAIL livelock: exit $rc (want 143), $n report lines (want exactly 1):"
		head -n 3 "$out/livelock.err" "$out/livelock.out" | sed 's/^/    /'
		fail=$((fail + 1))
	fi
else
	echo "FAIL build livelock.elf"; fail=$((fail + 1))
fi
# reboot.c resets after 25 bus errors, so hv440 reboots it for 2 s until SIGTERM (exit 143):
# many boots, yet no more than the one allowance of 20 guest-error lines.
if powerpc-linux-gnu-gcc -mcpu=440 -msoft-float -ffreestanding -nostdlib -nostartfiles -O2 \
	-fno-pie -no-pie -msdata=none -G 0 -fno-builtin -fno-stack-protector -Wall -Wextra -Werror \
	-I "$isa" -T "$isa/link.ld" -Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
	-o "$out/reboot.elf" "$isa/crt0.S" "$isa/lib.c" "$here/reboot.c" -lgcc; then
	timeout --preserve-status -k 5 2 "$build/hv440" -m 16M --kernel "$out/reboot.elf" </dev/null \
		>"$out/reboot.out" 2>"$out/reboot.err"
	rc=$?
	boots=$(grep -c 'reboot: boot' "$out/reboot.out")
	n=$(grep -c '^hv440: guest' "$out/reboot.err")
	if [ $rc -eq 143 ] && [ "$boots" -ge 3 ] && [ "$n" -eq 20 ]; then
		echo "PASS reboot loop: $boots boots, 20 guest-error lines in all"; pass=$((pass + 1))
	else
		echo "FAIL reboot loop: exit $rc (want 143), $boots boots (want >= 3), $n guest-error lines (want 20)"
		fail=$((fail + 1))
	fi
	# timeout(1) signals the process and then its group: a second SIGTERM can land
	# while hv440 shuts down. A stream of them must still end in exit 143, no crash.
	bad=
	for _ in 1 2 3 4 5; do
		"$build/hv440" -m 16M --kernel "$out/reboot.elf" </dev/null >/dev/null 2>&1 &
		pid=$!
		sleep 0.3
		while kill -TERM $pid 2>/dev/null; do :; done
		wait $pid 2>/dev/null
		rc=$?
		[ $rc -eq 143 ] || bad="$bad $rc"
	done
	if [ -z "$bad" ]; then
		echo "PASS SIGTERM stream during shutdown: exit 143 five times"; pass=$((pass + 1))
	else
		echo "FAIL SIGTERM stream during shutdown: exit statuses$bad (want 143)"; fail=$((fail + 1))
	fi
else
	echo "FAIL build reboot.elf"; fail=$((fail + 1))
fi
# A slow reader: the UART (chatty.c) and the byte channel (bcchatty.c, EV_EAGAIN) hold the guest
# back instead of dropping bytes. 55,011 known bytes into a 4 KiB pipe whose reader takes 256
# bytes every 10 ms.
for prog in chatty bcchatty; do
	if ! powerpc-linux-gnu-gcc -mcpu=440 -msoft-float -ffreestanding -nostdlib -nostartfiles -O2 \
		-fno-pie -no-pie -msdata=none -G 0 -fno-builtin -fno-stack-protector -Wall -Wextra -Werror \
		-I "$isa" -T "$isa/link.ld" -Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
		-o "$out/$prog.elf" "$isa/crt0.S" "$isa/lib.c" "$here/$prog.c" -lgcc; then
		echo "FAIL build $prog.elf"; fail=$((fail + 1))
		continue
	fi
	if [ $prog = chatty ]; then
		extra=()
	else
		extra=(--serial "file:$out/bcchatty.uart" --bytechan stdio)
		rm -f "$out/bcchatty.uart"
	fi
	python3 - "$build/hv440" "$out/$prog.elf" "$out/$prog.err" "${extra[@]}" >"$out/$prog.sum" <<'PYEOF'
import fcntl, hashlib, os, subprocess, sys, time
r, w = os.pipe()
fcntl.fcntl(r, 1031, 4096)  # F_SETPIPE_SZ: the smallest pipe, so hv440 meets a full one soon
hv = subprocess.Popen(["timeout", "-k", "5", "120", sys.argv[1], "--no-reboot", "-m", "16M",
                       "--kernel", sys.argv[2]] + sys.argv[4:], stdin=subprocess.DEVNULL,
                      stdout=w, stderr=open(sys.argv[3], "w"))
os.close(w)
got = b""
while True:
    d = os.read(r, 256)
    if not d:
        break
    got += d
    time.sleep(0.01)
rc = hv.wait()
x, want = 1, []
for _ in range(5000):
    x = (x * 1664525 + 1013904223) & 0xffffffff
    want.append("0x%08x\n" % x)
want = "".join(want).encode() + b"chatty end\n"
got = got.replace(b"\r\n", b"\n")
print(rc, len(got), hashlib.md5(got).hexdigest(), len(want), hashlib.md5(want).hexdigest())
PYEOF
	read -r rc glen gsum wlen wsum <"$out/$prog.sum"
	if [ "${rc:-1}" = 0 ] && [ -n "$wlen" ] && [ "$glen" = "$wlen" ] && [ "$gsum" = "$wsum" ]; then
		echo "PASS slow reader ($prog): all $glen bytes arrive, checksum equal"; pass=$((pass + 1))
	else
		echo "FAIL slow reader ($prog): exit $rc, got $glen bytes ($gsum), want $wlen ($wsum): $(tail -n 1 "$out/$prog.err")"
		fail=$((fail + 1))
	fi
	if [ $prog = bcchatty ]; then
		if grep -q 'bcchatty: errors: 0x00000000' "$out/bcchatty.uart" 2>/dev/null &&
		   grep -q 'bcchatty: EV_EAGAIN seen' "$out/bcchatty.uart"; then
			echo "PASS slow reader (bcchatty): the full channel answered EV_EAGAIN"; pass=$((pass + 1))
		else
			echo "FAIL slow reader (bcchatty): $(tr '\n' ' ' <"$out/bcchatty.uart" 2>/dev/null)"
			fail=$((fail + 1))
		fi
	fi
done

# A stop whatever the guest queued: blkstorm.c queues 256 writes of 64 MiB in one notify (16 GiB;
# about 15-20 s of host I/O); SIGTERM 0.3 s later must end hv440 (143) within 100 ms. The image
# is on /dev/shm when there is one, so that the exit's flush does not time the host's disk.
if powerpc-linux-gnu-gcc -mcpu=440 -msoft-float -ffreestanding -nostdlib -nostartfiles -O2 \
	-fno-pie -no-pie -msdata=none -G 0 -fno-builtin -fno-stack-protector -Wall -Wextra -Werror \
	-I "$isa" -T "$isa/link.ld" -Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
	-o "$out/blkstorm.elf" "$isa/crt0.S" "$isa/lib.c" "$here/blkstorm.c" -lgcc; then
	imgdir=$out
	[ -d /dev/shm ] && [ -w /dev/shm ] && imgdir=/dev/shm
	for cache in writeback writethrough; do
		python3 - "$build/hv440" "$out/blkstorm.elf" "$imgdir/hv440-blkstorm-$$.img" "$cache" \
			>"$out/blkstorm-$cache.log" 2>&1 <<'PYEOF'
import signal, subprocess, sys, time
hv, elf, img, cache = sys.argv[1:5]
with open(img, "wb") as f:
    f.truncate(64 << 20)
p = subprocess.Popen([hv, "--no-reboot", "-m", "64M", "--disk", f"{img},cache={cache}",
                      "--kernel", elf], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE)
line = p.stdout.readline()
if b"notify" not in line:
    sys.exit(f"no notify line: {line!r} {p.stderr.read()!r}")
time.sleep(0.3)
if p.poll() is not None:
    sys.exit("hv440 ended before the signal")
t0 = time.monotonic()
p.send_signal(signal.SIGTERM)
try:
    rc = p.wait(120)
except subprocess.TimeoutExpired:
    p.kill()
    rc = p.wait()
ms = (time.monotonic() - t0) * 1000
print(f"{ms:.0f} ms exit {rc}")
sys.exit(0 if rc == 143 and ms <= 100 else 1)
PYEOF
		if [ $? -eq 0 ]; then
			echo "PASS blkstorm cache=$cache: SIGTERM stops hv440 in $(cut -d' ' -f1-2 "$out/blkstorm-$cache.log")"
			pass=$((pass + 1))
		else
			echo "FAIL blkstorm cache=$cache: $(tail -n 1 "$out/blkstorm-$cache.log") (want exit 143 within 100 ms)"
			fail=$((fail + 1))
		fi
		rm -f "$imgdir/hv440-blkstorm-$$.img"
	done
else
	echo "FAIL build blkstorm.elf"; fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
