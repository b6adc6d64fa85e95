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
expect_error "--serial1 bogus"         --serial null --serial1 bogus --kernel "$T/text" --kernel-addr 0
expect_error "--sandbox maybe"         --serial null --sandbox maybe --kernel "$T/text" --kernel-addr 0
expect_error "--console bogus:"        --serial null --console bogus: --kernel "$T/text" --kernel-addr 0
expect_error "--bytechan bogus:"       --serial null --bytechan bogus: --kernel "$T/text" --kernel-addr 0
expect_error "--stats=xml"             --serial null --stats=xml --kernel "$T/text" --kernel-addr 0
expect_error "--trace unwritable"      --serial null --trace "$T/dir/no/t" --kernel "$T/text" --kernel-addr 0
expect_error "--profile unwritable"    --serial null --profile "$T/dir/no/p" --kernel "$T/text" --kernel-addr 0
expect_error "--control tcp:"          --serial null --control tcp:1 --kernel "$T/text" --kernel-addr 0
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

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
