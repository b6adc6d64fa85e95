# SPDX-License-Identifier: MIT
# hardening.sh - tests/cli cases from the adversarial review (issue 20); sourced by run.sh.
# Uses run.sh's $HV, $T, $have_cross, ok, bad and expect_error.

# Not regular files: a FIFO would hang open() for ever (timeout 20 then fails the case).
mkfifo "$T/fifo"
expect_error "FIFO as kernel"          --serial null --kernel "$T/fifo"
expect_error "FIFO as initrd"          --serial null --kernel "$T/text" --kernel-addr 0 --initrd "$T/fifo"
expect_error "FIFO as dtb"             --serial null --kernel "$T/text" --kernel-addr 0 --dtb "$T/fifo"

# is_listening PATH: a process accepts connections on the unix socket PATH.
is_listening() {
	python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.settimeout(2); s.connect(sys.argv[1])' "$1" 2>/dev/null
}
# wait_listening PATH: up to 10 s.
wait_listening() {
	for _ in $(seq 1 100); do
		is_listening "$1" && return 0
		sleep 0.1
	done
	return 1
}

# A guest that runs until killed: MSR[EE] on, so its loop is not a halt.
cat >"$T/spin.s" <<'ASM'
	.globl _start
_start:	lis 3, 0
	ori 3, 3, 0x8000
	mtmsr 3
1:	b 1b
ASM
if [ $have_cross -eq 1 ] && powerpc-linux-gnu-as "$T/spin.s" -o "$T/spin.o" &&
   powerpc-linux-gnu-ld -N --no-warn-rwx-segments -Ttext=0x100000 "$T/spin.o" -o "$T/spin.elf"; then
	have_spin=1
else
	have_spin=0
	bad "spin.elf" "cannot build the spinning guest"
fi

# Unix sockets: a live one is never stolen, a stale one is replaced, all are 0600.
if [ $have_spin -eq 1 ]; then
	sock=$T/serial.sock
	(umask 000; exec "$HV" --kernel "$T/spin.elf" --serial "unix:$sock" --control "unix:$T/ctl.sock" \
		</dev/null >/dev/null 2>"$T/first.err") &
	first=$!
	if wait_listening "$sock"; then
		expect_error "second hv440 on a live --serial socket" --kernel "$T/spin.elf" --serial "unix:$sock"
		expect_error "second hv440 on a live --control socket" --serial null --kernel "$T/spin.elf" \
			--control "unix:$T/ctl.sock"
		if is_listening "$sock" && is_listening "$T/ctl.sock"; then
			ok "first hv440 keeps its sockets"
		else
			bad "first hv440 keeps its sockets" "a socket was taken over"
		fi
		mode=$(stat -c %a "$sock" "$T/ctl.sock" | sort -u)
		if [ "$mode" = 600 ]; then
			ok "sockets are 0600 under umask 000"
		else
			bad "sockets are 0600 under umask 000" "modes $mode"
		fi
	else
		bad "first hv440 with unix sockets" "$(cat "$T/first.err")"
	fi
	kill "$first" 2>/dev/null
	wait "$first" 2>/dev/null
	expect_error "--serial and --console on one socket" --kernel "$T/spin.elf" \
		--serial "unix:$T/same.sock" --console "unix:$T/same.sock"
	expect_error "--serial and --control on one socket" --kernel "$T/spin.elf" \
		--serial "unix:$T/same2.sock" --control "unix:$T/same2.sock"
	# A socket file whose server is gone (kill -9) is stale: it is replaced.
	python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$T/stale.sock"
	"$HV" --kernel "$T/spin.elf" --serial "unix:$T/stale.sock" </dev/null >/dev/null 2>"$T/err" &
	pid=$!
	if wait_listening "$T/stale.sock"; then
		ok "a stale socket is replaced"
	else
		bad "a stale socket is replaced" "$(cat "$T/err")"
	fi
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
fi

# --trace size=N counts bytes (at least 64K); a ring larger than the free space is refused
# (a store into a sparse page the file system cannot back would be a SIGBUS).
expect_error "--trace size=1 (bytes)"   --serial null --trace "$T/tr,size=1" --kernel "$T/text" --kernel-addr 0
big=$(( $(df -B1M --output=avail "$T" | tail -n 1) * 2 + 1024 ))M
expect_error "--trace size=$big (twice the free space)" --serial null --trace "$T/tr,size=$big" \
	--kernel "$T/text" --kernel-addr 0
if [ -e "$T/tr" ]; then
	bad "--trace refused leaves no file" "$T/tr exists"
else
	ok "--trace refused leaves no file"
fi
