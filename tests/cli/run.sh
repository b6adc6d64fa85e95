#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/cli/run.sh BUILD_DIR - bad command-line input gets one clear line and a non-zero exit.
set -u

if [ $# -ne 1 ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
HV="$1/hv440"
if [ ! -x "$HV" ]; then
	echo "$0: $HV not built" >&2
	exit 2
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1: $2"; [ -s "$T/err" ] && sed 's/^/     | /' "$T/err"; }

# expect_error NAME ARGS...: non-zero exit, exactly one "hv440:" line, at most the "Try" line besides.
expect_error() {
	name=$1
	shift
	timeout 20 "$HV" "$@" </dev/null >"$T/out" 2>"$T/err"
	rc=$?
	lines=$(wc -l <"$T/err")
	hv=$(grep -c '^hv440: ' "$T/err")
	other=$(grep -v -e '^hv440: ' -e "^Try 'hv440 --help'.\$" "$T/err" | wc -l)
	if [ $rc -eq 0 ] || [ $rc -ge 124 ]; then
		bad "$name" "exit status $rc"
	elif [ "$hv" -ne 1 ] || [ "$other" -ne 0 ] || [ "$lines" -gt 2 ]; then
		bad "$name" "expected one 'hv440:' line (+ Try line), got $lines lines"
	elif [ -s "$T/out" ]; then
		bad "$name" "unexpected output on stdout"
	else
		ok "$name ($(head -n 1 "$T/err"))"
	fi
}

# Inputs: a tiny big-endian PowerPC ELF and its broken relatives.
cat >"$T/t.s" <<'ASM'
	.globl _start
_start:	b _start
ASM
have_cross=0
if powerpc-linux-gnu-as "$T/t.s" -o "$T/t.o" 2>/dev/null &&
   powerpc-linux-gnu-ld -N -Ttext=0x100000 "$T/t.o" -o "$T/t.elf" 2>/dev/null &&
   powerpc-linux-gnu-ld -N -Ttext=0x40000000 "$T/t.o" -o "$T/high.elf" 2>/dev/null; then
	have_cross=1
	cp "$T/t.elf" "$T/le.elf"
	printf '\001' | dd of="$T/le.elf" bs=1 seek=5 conv=notrunc 2>/dev/null   # EI_DATA = LSB
	cp "$T/t.elf" "$T/64.elf"
	printf '\002' | dd of="$T/64.elf" bs=1 seek=4 conv=notrunc 2>/dev/null   # EI_CLASS = 64
	head -c 40 "$T/t.elf" >"$T/trunc.elf"
	powerpc-linux-gnu-objcopy -O binary "$T/t.elf" "$T/t.bin"
fi
: >"$T/empty"
echo "this is not a kernel" >"$T/text"
mkdir "$T/dir"
echo "garbage, not a device tree" >"$T/garbage.dtb"
# Found by tests/fuzz (fuzz_fdt): a valid header but no end to the memory reservation map.
tail -c +6 "$(dirname "$0")/../fuzz/corpus/fdt/regress-rsvmap-unterminated" >"$T/rsvmap.dtb"
tail -c +6 "$(dirname "$0")/../fuzz/corpus/fdt/regress-version-9" >"$T/v9.dtb"
head -c $((20 * 1024 * 1024)) /dev/zero >"$T/big.initrd"

expect_error "missing kernel file"     --serial null --kernel "$T/nonexistent"
expect_error "directory as kernel"     --serial null --kernel "$T/dir"
expect_error "empty kernel"            --serial null --kernel "$T/empty"
expect_error "text file as kernel"     --serial null --kernel "$T/text"
expect_error "x86-64 ELF kernel"       --serial null --kernel /bin/true
expect_error "no kernel at all"        --serial null
expect_error "-m 0"                    --serial null -m 0 --kernel /bin/true
expect_error "-m 3G"                   --serial null -m 3G --kernel /bin/true
expect_error "-m banana"               --serial null -m banana --kernel /bin/true
expect_error "-m 16M+1K"               --serial null -m 16385K --kernel /bin/true
expect_error "unknown option"          --serial null --bogus
expect_error "unknown short option"    --serial null -Z
expect_error "missing argument"        --serial null --kernel
expect_error "missing argument (short)" --serial null -m
expect_error "extra argument"          --serial null --kernel /bin/true extra
expect_error "bad --kernel-addr"       --serial null --kernel "$T/text" --kernel-addr 0xzz
expect_error "--dtb garbage"           --serial null --kernel "$T/text" --kernel-addr 0 --dtb "$T/garbage.dtb"
expect_error "--dtb rsvmap unterminated" --serial null --kernel "$T/text" --kernel-addr 0 --dtb "$T/rsvmap.dtb"
expect_error "--dtb version 9"          --serial null --kernel "$T/text" --kernel-addr 0 --dtb "$T/v9.dtb"
expect_error "--serial bogus:"         --serial bogus: --kernel "$T/text" --kernel-addr 0
expect_error "--incoming ftp:x"         --incoming ftp:x
expect_error "--incoming tcp:nohost"    --incoming tcp:nohost
expect_error "--incoming with --restore" --incoming unix:/nonexistent/s --restore /nonexistent/f
expect_error "--serial1 bogus"         --serial null --serial1 bogus --kernel "$T/text" --kernel-addr 0
expect_error "--sandbox maybe"         --serial null --sandbox maybe --kernel "$T/text" --kernel-addr 0
expect_error "--console bogus:"        --serial null --console bogus: --kernel "$T/text" --kernel-addr 0
expect_error "--bytechan bogus:"       --serial null --bytechan bogus: --kernel "$T/text" --kernel-addr 0
expect_error "--stats=xml"             --serial null --stats=xml --kernel "$T/text" --kernel-addr 0
expect_error "--trace unwritable"      --serial null --trace "$T/dir/no/t" --kernel "$T/text" --kernel-addr 0
expect_error "--profile unwritable"    --serial null --profile "$T/dir/no/p" --kernel "$T/text" --kernel-addr 0
expect_error "--control tcp:"          --serial null --control tcp:1 --kernel "$T/text" --kernel-addr 0
expect_error "--qmp bogus"             --serial null --qmp bogus --kernel "$T/text" --kernel-addr 0
expect_error "--qmp unknown option"    --serial null --qmp "unix:$T/q,server,reconnect=1" --kernel "$T/text" --kernel-addr 0
expect_error "--qmp tcp: no port"      --serial null --qmp tcp:localhost --kernel "$T/text" --kernel-addr 0
expect_error "--qmp client, no server" --serial null --qmp "unix:$T/nobody" --kernel "$T/text" --kernel-addr 0
expect_error "-S without gdb or qmp"   --serial null -S --kernel "$T/text" --kernel-addr 0
expect_error "--gdb udp:"              --serial null --gdb udp:1 --kernel "$T/text" --kernel-addr 0
expect_error "--disk missing"          --serial null --disk "$T/nonexistent" --kernel "$T/text" --kernel-addr 0
expect_error "--net bogus"             --serial null --net bogus --kernel "$T/text" --kernel-addr 0
expect_error "--serial1 unix: empty"   --serial null --serial1 unix: --kernel "$T/text" --kernel-addr 0
expect_error "-m 1.5G"                 --serial null -m 1.5G --kernel "$T/text" --kernel-addr 0
expect_error "--initrd missing"        --serial null --kernel "$T/text" --kernel-addr 0 --initrd "$T/nonexistent"
expect_error "--initrd missing, --stats" --serial null --stats --kernel "$T/text" --kernel-addr 0 --initrd "$T/nonexistent"
expect_error "raw kernel beyond RAM"   --serial null --kernel "$T/text" --kernel-addr 0x7fffffff
expect_error "kernel+initrd in -m 16M" --serial null -m 16M --kernel "$T/text" --kernel-addr 0 --initrd "$T/big.initrd"
expect_error "--dump-dtb unwritable"   --dump-dtb "$T/dir/no/such/dir/x.dtb"

# expect_refusal OPTION ARGS...: an error as above whose line names OPTION (as the user spelt it).
expect_refusal() {
	opt=$1
	shift
	expect_error "$*" "$@"
	if [ -s "$T/err" ] && ! grep -q -F -e "$opt" "$T/err"; then
		pass=$((pass - 1))
		bad "$*" "the error line does not name '$opt'"
	fi
}

# QEMU's spellings: single-dash words are words (never bundles of short options), with QEMU 7.2's
# meaning; what hv440 does not model is refused with one line naming the option (docs/qemu.md).
K="$T/text"
printf 'QFI\373\0\0\0\3' >"$T/q.qcow2"
head -c 65536 /dev/zero >>"$T/q.qcow2"
head -c 65536 /dev/zero >"$T/c,d.img"
expect_refusal -machine  -machine virtex-ml507 -kernel "$K"
expect_refusal -M        -M g3beige -kernel "$K"
expect_refusal -M        -M bamboo,accel=kvm -kernel "$K"
expect_refusal -M        -M bamboo,memory-backend=m -kernel "$K"
expect_refusal -smp      -M bamboo -smp 2 -kernel "$K"
expect_refusal -smp      -M bamboo -smp cpus=2 -kernel "$K"
expect_refusal -smp      -M bamboo -smp 1,cores=2 -kernel "$K"
expect_refusal -smp      -M bamboo -smp
expect_refusal -enable-kvm -M bamboo -enable-kvm -kernel "$K"
expect_refusal -accel    -M bamboo -accel kvm -kernel "$K"
expect_refusal -cpu      -M bamboo -cpu 405 -kernel "$K"
expect_refusal -cpu      -M bamboo -cpu 440epb,foo=on -kernel "$K"
expect_refusal --cpu     --cpu e500 --kernel "$K"
expect_refusal -m        -M bamboo -m 256MB -kernel "$K"
expect_refusal -m        -M bamboo -m 256MiB -kernel "$K"
expect_refusal --memory  --memory 256MB --kernel "$K"
expect_refusal -m        -M bamboo -m 128M,maxmem=1G -kernel "$K"
expect_refusal -m        -M bamboo -m 3G -kernel "$K"
expect_refusal -device   -M bamboo -device e1000 -kernel "$K"
expect_refusal -net      -M bamboo -net nic,model=e1000 -net user -kernel "$K"
expect_refusal -nic      -M bamboo -nic user,model=rtl8139 -kernel "$K"
expect_refusal -net      -M bamboo -net nic -kernel "$K"
expect_refusal -net      -M bamboo -net nic -net nic -net user -kernel "$K"
expect_refusal -netdev   -M bamboo -netdev socket,id=s0 -kernel "$K"
expect_refusal -netdev   -M bamboo -netdev user,id=n0,net=192.168.0.0/24 -kernel "$K"
expect_refusal -netdev   -M bamboo -netdev tap,id=t0 -kernel "$K"
expect_refusal -device   -M bamboo -device virtio-net-pci -kernel "$K"
expect_refusal -device   -M bamboo -device virtio-blk-pci,drive=nope -kernel "$K"
expect_refusal -bios     -M bamboo -bios u-boot.bin -kernel "$K"
expect_refusal -hda      -M bamboo -hda d.img -kernel "$K"
expect_refusal d.img     -M bamboo d.img -kernel "$K"
expect_refusal -cdrom    -M bamboo -cdrom x.iso -kernel "$K"
expect_refusal -k        -M bamboo -k en-us -kernel "$K"
expect_refusal -usb      -M bamboo -usb -kernel "$K"
expect_refusal -vnc      -M bamboo -vnc :0 -kernel "$K"
expect_refusal -display  -M bamboo -display gtk -kernel "$K"
expect_refusal -vga      -M bamboo -vga std -kernel "$K"
expect_refusal -monitor  -M bamboo -monitor stdio -kernel "$K"
expect_refusal -serial   -M bamboo -serial vc -kernel "$K"
expect_refusal -serial   -M bamboo -serial telnet::4444,server -kernel "$K"
expect_refusal -serial   -M bamboo -serial unix:"$T/s",bogus -kernel "$K"
expect_refusal -serial   -M bamboo -serial null -serial null -serial null -kernel "$K"
expect_refusal --serial  -M bamboo -serial unix:"$T/nobody-listens" -kernel "$K"
expect_refusal --serial  -M bamboo -serial tcp:127.0.0.1:1 -kernel "$K"
expect_refusal -chardev  -M bamboo -chardev socket,id=c0 -kernel "$K"
expect_refusal -chardev  -M bamboo -chardev ringbuf,id=c0 -kernel "$K"
expect_refusal -device   -M bamboo -chardev null,id=c0 -device virtconsole,chardev=c0 -kernel "$K"
expect_refusal -device   -M bamboo -device virtio-serial-pci -kernel "$K"
expect_refusal -drive    -M bamboo -drive file="$T/c,,d.img" -kernel "$K"
expect_refusal -drive    -M bamboo -drive file="$T/q.qcow2",format=qcow2,if=virtio -kernel "$K"
expect_refusal -drive    -M bamboo -drive if=virtio -kernel "$K"
expect_refusal qcow2     -M bamboo -drive file="$T/q.qcow2",if=virtio -kernel "$K"
expect_refusal qcow2     --serial null --disk "$T/q.qcow2" --kernel "$K" --kernel-addr 0
expect_refusal --disk    --serial null --disk "$T/c,d.img" --kernel "$K" --kernel-addr 0
expect_refusal -qmp      -M bamboo -qmp bogus -kernel "$K"
expect_refusal -mon      -M bamboo -mon chardev=nope,mode=control -kernel "$K"
expect_refusal -daemonize -M bamboo -daemonize -nographic -kernel "$K"
expect_refusal --daemonize --daemonize --kernel "$K"
expect_refusal -foo      -M bamboo -foo -kernel "$K"
expect_refusal --smp     --machine bamboo --smp 2 --kernel "$K"
expect_refusal -sS       -M bamboo -sS -kernel "$K"

# expect_dtb NAME DTS-PATTERN ARGS...: the command line dumps a tree (-M bamboo,dumpdtb=F or
# --dump-dtb F) that contains DTS-PATTERN, and says nothing.
expect_dtb() {
	name=$1
	pat=$2
	shift 2
	rm -f "$T/q.dtb" "$T/q.dts"
	if timeout 20 "$HV" "$@" </dev/null >"$T/out" 2>"$T/err" && [ ! -s "$T/out" ] &&
	   dtc -q -I dtb -O dts -o "$T/q.dts" "$T/q.dtb" 2>>"$T/err" && grep -q -e "$pat" "$T/q.dts"; then
		ok "$name"
	else
		bad "$name" "no tree with '$pat'"
	fi
}
expect_dtb "-m 128m"           'reg = <0x00 0x00 0x8000000>'  -M bamboo,dumpdtb="$T/q.dtb" -m 128m
expect_dtb "-m 128M"           'reg = <0x00 0x00 0x8000000>'  -machine bamboo,dumpdtb="$T/q.dtb" -m 128M
expect_dtb "-m 128"            'reg = <0x00 0x00 0x8000000>'  -M bamboo,dumpdtb="$T/q.dtb" -m 128
expect_dtb "-m size=128M"      'reg = <0x00 0x00 0x8000000>'  -M bamboo,dumpdtb="$T/q.dtb" -m size=128M
expect_dtb "-m 1G"             'reg = <0x00 0x00 0x40000000>' -M bamboo,dumpdtb="$T/q.dtb" -m 1G
expect_dtb "accepted spellings" 'bootargs = "console=ttyS0 a,b"' -M bamboo,accel=tcg,usb=off,dumpdtb="$T/q.dtb" \
	-smp 1 -accel tcg -cpu 440ep -name g -nographic -monitor none -no-reboot -no-shutdown \
	-D "$T/qemu.log" -s -S -nodefaults -append "console=ttyS0 a,b"
expect_dtb "-drive ,, path + -device virtio-blk-pci" 'amcc,bamboo' -M bamboo,dumpdtb="$T/q.dtb" \
	-drive file="$T/c,,d.img",if=none,id=d0,format=raw,cache=none -device virtio-blk-pci,drive=d0
expect_dtb "-netdev/-nic/-device/-chardev spellings" 'amcc,bamboo' -M bamboo,dumpdtb="$T/q.dtb" \
	-netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0,mac=52:54:00:12:34:99,id=nic0 \
	-nic user,model=virtio-net-pci,mac=52:54:00:12:34:98 -drive file="$T/c,,d.img",if=virtio,readonly=on \
	-object rng-random,id=r0,filename=/dev/urandom -device virtio-rng-pci,rng=r0 \
	-chardev null,id=c0 -device virtio-serial-pci -device virtconsole,chardev=c0 \
	-chardev pty,id=c1 -serial chardev:c1
expect_dtb "--disk ,, path + format=raw qcow2 magic" 'amcc,bamboo' --dump-dtb "$T/q.dtb" \
	--disk "$T/c,,d.img,snapshot=on" --disk "$T/q.qcow2,format=raw,readonly=on"

if [ $have_cross -eq 1 ]; then
	expect_error "little-endian PowerPC ELF" --serial null --kernel "$T/le.elf"
	expect_error "64-bit ELF"                --serial null --kernel "$T/64.elf"
	expect_error "truncated ELF"             --serial null --kernel "$T/trunc.elf"
	expect_error "segment outside RAM"       --serial null --kernel "$T/high.elf"
	if command -v mkimage >/dev/null 2>&1 &&
	   mkimage -A ppc -O linux -T kernel -C none -a 0x100000 -e 0x100000 -n t \
		-d "$T/t.bin" "$T/u.img" >/dev/null; then
		cp "$T/u.img" "$T/ubad.img"
		printf '\377' | dd of="$T/ubad.img" bs=1 seek=66 conv=notrunc 2>/dev/null
		expect_error "uImage with bad data CRC"  --serial null --kernel "$T/ubad.img"
		cp "$T/u.img" "$T/ubadh.img"
		printf '\377' | dd of="$T/ubadh.img" bs=1 seek=40 conv=notrunc 2>/dev/null
		expect_error "uImage with bad header CRC" --serial null --kernel "$T/ubadh.img"
		gzip -9 -c "$T/t.bin" >"$T/t.bin.gz"
		mkimage -A ppc -O linux -T kernel -C gzip -a 0x100000 -e 0x100000 -n t \
			-d "$T/t.bin.gz" "$T/uz.img" >/dev/null
		if "$HV" --kernel "$T/uz.img" --dump-dtb "$T/uz.dtb" 2>"$T/err"; then
			ok "gzip uImage loads"
		else
			bad "gzip uImage loads" "rejected"
		fi
		mkimage -A ppc -O linux -T kernel -C gzip -a 0x100000 -e 0x100000 -n t \
			-d "$T/text" "$T/uzbad.img" >/dev/null
		expect_error "gzip uImage with corrupt data" --serial null --kernel "$T/uzbad.img"
		mkimage -A arm -O linux -T kernel -C none -a 0 -e 0 -n t \
			-d "$T/t.bin" "$T/uarm.img" >/dev/null
		expect_error "uImage for another arch"   --serial null --kernel "$T/uarm.img"
	else
		bad "uImage" "mkimage (u-boot-tools) missing"
	fi
else
	bad "cross tools" "powerpc-linux-gnu-as/ld missing: ELF cases skipped"
fi

. "$(dirname "$0")/hardening.sh"

# Positive: the generated tree round-trips through dtc (with a kernel and initrd placed).
if "$HV" --dump-dtb "$T/gen.dtb" --append "console=ttyS0" >/dev/null 2>"$T/err" &&
   dtc -q -I dtb -O dts -o "$T/gen.dts" "$T/gen.dtb" 2>>"$T/err" &&
   grep -q 'compatible = "amcc,bamboo"' "$T/gen.dts" &&
   grep -q 'bootargs = "console=ttyS0"' "$T/gen.dts"; then
	ok "--dump-dtb round-trips through dtc"
else
	bad "--dump-dtb round-trips through dtc" "dump or dtc failed"
fi
if [ $have_cross -eq 1 ] &&
   "$HV" --kernel "$T/u.img" --initrd "$T/text" -m 64M --dump-dtb "$T/k.dtb" 2>"$T/err" &&
   dtc -q -I dtb -O dts -o "$T/k.dts" "$T/k.dtb" 2>>"$T/err" &&
   grep -q 'linux,initrd-start = <0x1900000>' "$T/k.dts"; then
	ok "--dump-dtb with uImage kernel and initrd"
else
	bad "--dump-dtb with uImage kernel and initrd" "dump, dtc or initrd address wrong"
fi
if "$HV" --dump-dtb "$T/gen.dtb" >/dev/null 2>&1 &&
   "$HV" --dtb "$T/gen.dtb" --append "root=/dev/ram" -m 128M --dump-dtb "$T/user.dtb" 2>"$T/err" &&
   dtc -q -I dtb -O dts -o "$T/user.dts" "$T/user.dtb" 2>>"$T/err" &&
   grep -q 'bootargs = "root=/dev/ram"' "$T/user.dts" &&
   grep -q 'reg = <0x00 0x00 0x8000000>' "$T/user.dts"; then
	ok "--dtb FILE patched with --append and -m"
else
	bad "--dtb FILE patched with --append and -m" "patching failed"
fi
if "$HV" --help | grep -q 'Ctrl-A x' && "$HV" -V | grep -q '^hv440 '; then
	ok "--help and --version"
else
	bad "--help and --version" "missing text"
fi

# --realtime: bad settings, a CPU the host does not have, a user the host refuses, and the effects.
expect_error "--realtime without prio"   --realtime cpu=0 --kernel "$T/text"
expect_error "--realtime prio=0"         --realtime prio=0 --kernel "$T/text"
expect_error "--realtime prio=100"       --realtime prio=100 --kernel "$T/text"
expect_error "--realtime cpu=x"          --realtime prio=5,cpu=x --kernel "$T/text"
expect_error "--realtime unknown"        --realtime prio=5,policy=rr --kernel "$T/text"
if [ $have_cross -eq 1 ]; then
	# A guest that spins without ever waiting (a branch to itself would count as a halt).
	printf '\t.globl _start\n_start:\taddi 3,3,1\n\tb _start\n' >"$T/spin.s"
	powerpc-linux-gnu-as "$T/spin.s" -o "$T/spin.o" &&
		powerpc-linux-gnu-ld -N -Ttext=0x100000 "$T/spin.o" -o "$T/spin.elf" 2>/dev/null
	expect_error "--realtime cpu=1000 (no such CPU)" --serial null -m 16M --realtime prio=5,cpu=1000 --kernel "$T/t.elf"
	chmod 755 "$T"
	if command -v setpriv >/dev/null && [ "$(id -u)" -eq 0 ]; then
		# An unprivileged user: no CAP_SYS_NICE, no CAP_IPC_LOCK, the default small 'ulimit -l'.
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$(readlink -f "$HV")" \
			--serial null -m 16M --realtime prio=5 --kernel "$T/t.elf" </dev/null >/dev/null 2>"$T/err"
		rc=$?
		if [ $rc -eq 1 ] && [ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "^hv440: --realtime: the host refused" "$T/err"; then
			ok "--realtime as an unprivileged user ($(cat "$T/err"))"
		else
			bad "--realtime as an unprivileged user" "exit $rc"
		fi
	fi
	# The effects, read from /proc while a spinning guest runs: memory locked (guest RAM
	# included), SCHED_FIFO at the priority given, affinity to the CPU given.
	"$HV" --serial null -m 16M --realtime prio=7,cpu=0 --kernel "$T/spin.elf" </dev/null >/dev/null 2>"$T/err" &
	rtpid=$!
	sleep 1
	lck=$(awk '/^VmLck:/ {print $2}' /proc/$rtpid/status 2>/dev/null)
	pol=$(awk '{print $41, $18}' /proc/$rtpid/stat 2>/dev/null)   # policy, priority (-1 - rtprio)
	aff=$(awk '/^Cpus_allowed_list:/ {print $2}' /proc/$rtpid/status 2>/dev/null)
	kill $rtpid 2>/dev/null
	wait $rtpid 2>/dev/null
	# AddressSanitizer makes mlockall() a no-op (its interceptor), so an ASan build locks nothing.
	locked="${lck:-?} KiB locked"
	lck_ok=0
	[ "${lck:-0}" -ge 16384 ] && lck_ok=1
	if grep -q __asan_init "$HV"; then
		locked="memory locking not checked (ASan build: mlockall is a no-op there)"
		lck_ok=1
	fi
	if [ $lck_ok -eq 1 ] && [ "$pol" = "1 -8" ] && [ "$aff" = "0" ]; then
		ok "--realtime prio=7,cpu=0: $locked, SCHED_FIFO 7, CPU $aff"
	else
		bad "--realtime prio=7,cpu=0" "VmLck ${lck:-?} KiB, policy/prio '${pol:-?}', CPUs '${aff:-?}'"
	fi
fi

# From a git checkout, --version names the commit it was built from (this one, or an ancestor when
# the build is older than the last commit).
top=$(cd "$(dirname "$0")/../.." && pwd)
if git -C "$top" rev-parse HEAD >/dev/null 2>&1; then
	built=$("$HV" --version | sed -n 's/^hv440 [0-9][0-9.]* (git \([0-9a-f]\{7,\}\).*/\1/p')
	if [ -n "$built" ] && git -C "$top" merge-base --is-ancestor "$built" HEAD 2>/dev/null; then
		ok "--version names the checkout's commit ($built)"
	else
		bad "--version names the checkout's commit" "'$("$HV" --version)' names no commit of HEAD's history"
	fi
fi
# The man page and the completion are generated from --help: every long option of --help is in both.
man="$1/scripts/hv440.1"
comp="$1/scripts/hv440"
missing=
for o in $("$HV" --help | grep -oE '^ +(-[a-zA-Z], )?--[a-z][a-z0-9-]*' | grep -oE -- '--[a-z0-9-]+'); do
	grep -q -- "$(printf '%s' "$o" | sed 's/-/\\\\-/g')" "$man" 2>/dev/null || missing="$missing man:$o"
	grep -q -- "[ \"|]$o[ \"|)]" "$comp" 2>/dev/null || missing="$missing completion:$o"
done
if [ -z "$missing" ] && [ -s "$man" ]; then
	ok "hv440.1 and the bash completion list every option of --help"
else
	bad "hv440.1 and the bash completion" "missing:$missing"
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
