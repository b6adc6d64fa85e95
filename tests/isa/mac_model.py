#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# mac_model.py - the 440 multiply-accumulate family as the PPC440x5 manual defines it
# (instrset chapter, macchw..nmaclhws pseudocode); rewrites the mac* lines of expected/mac.out
# where QEMU 7.2 saturates/flags wrongly (see QEMU-DIFFERENCES.md).
import re
import sys

M32 = 0xFFFFFFFF


def s16(v):
    v &= 0xFFFF
    return v - 0x10000 if v & 0x8000 else v


def s32(v):
    v &= M32
    return v - 0x100000000 if v & 0x80000000 else v


def halves(kind, a, b, signed):
    hi = lambda v: (s16(v >> 16) if signed else (v >> 16) & 0xFFFF)
    lo = lambda v: (s16(v) if signed else v & 0xFFFF)
    if kind == "ch":
        return lo(a) * hi(b)
    if kind == "hh":
        return hi(a) * hi(b)
    return lo(a) * lo(b)


def model(mn, a, b, acc, xer):
    m = re.fullmatch(r"(n?mac|mul)(ch|hh|lh)w(s?)(u?)(o?)(\.?)", mn)
    op, kind, sat, uns, oe, rc = m.groups()
    signed = not uns
    prod = halves(kind, a, b, signed)
    ov = 0
    if op == "mul":
        rt = prod & M32
    else:
        rt_in = s32(acc) if signed else acc
        temp = rt_in - prod if op == "nmac" else rt_in + prod
        if signed:
            ov = int(temp > 0x7FFFFFFF or temp < -0x80000000)
            if sat and ov:
                rt = 0x7FFFFFFF if temp > 0 else 0x80000000
            else:
                rt = temp & M32
        else:
            ov = int(temp > M32)
            rt = M32 if (sat and ov) else temp & M32
    if oe:
        xer = (xer & ~0x40000000) | (0xC0000000 if ov else 0)
    xer &= M32
    cr = 0
    if rc:
        v = s32(rt)
        cr = (0x80000000 if v < 0 else 0x40000000 if v > 0 else 0x20000000)
        cr |= 0x10000000 if xer & 0x80000000 else 0
    return rt, xer, cr


def main():
    path = sys.argv[1]
    out = []
    changed = 0
    pat = re.compile(r"^(\S+) 0x(\w+) 0x(\w+) acc=0x(\w+) -> d=0x(\w+) xer=0x(\w+) cr=0x(\w+)$")
    for line in open(path).read().splitlines():
        m = pat.match(line)
        if m:
            mn = m.group(1)
            a, b, acc = (int(m.group(i), 16) for i in (2, 3, 4))
            rt, xer, cr = model(mn, a, b, acc, 0x20000000)
            new = f"{mn} 0x{a:08x} 0x{b:08x} acc=0x{acc:08x} -> d=0x{rt:08x} xer=0x{xer:08x} cr=0x{cr:08x}"
            if new != line:
                changed += 1
                print(f"manual differs: {line}\n            now: {new}", file=sys.stderr)
            line = new
        out.append(line)
    open(path, "w").write("\n".join(out) + "\n")
    print(f"{changed} lines follow the manual instead of QEMU", file=sys.stderr)


if __name__ == "__main__":
    main()
