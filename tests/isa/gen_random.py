#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# gen_random.py SEED OUT.S - a seeded random 440 instruction sequence (integer, load/store into a
# scratch buffer, FP with special values) that dumps GPRs, CR, XER, LR, CTR, FPRs, FPSCR and the
# buffer. Instructions QEMU 7.2 gets wrong (QEMU-DIFFERENCES.md: MAC family, stwcx. alignment,
# estimates, fnmadd/fnmsub under RP/RM) and those with undefined results (divw by 0 or -1) are
# never generated; FPSCR enables stay 0; FPSCR bits QEMU 7.2 gets wrong (FR; FR FI C after a
# compare; FX after mtfsb1 or a repeated exception) are made invisible as described there.
import random
import sys

GPRS = [0] + list(range(2, 31))  # r1 = stack, r31 = scratch base: never written
FP_SPECIALS = [
    0x0000000000000000, 0x8000000000000000, 0x3FF0000000000000, 0xBFF0000000000000,
    0x3FF8000000000000, 0x7FF0000000000000, 0xFFF0000000000000, 0x7FF8000000000000,
    0x7FF4000000000000, 0x000FFFFFFFFFFFFF, 0x0000000000000001, 0x7FEFFFFFFFFFFFFF,
    0x0010000000000000, 0x400921FB54442D18, 0xC1E0000000000000, 0x41DFFFFFFFC00000,
    0x3E80000000000000, 0x47EFFFFFE0000000, 0x36A0000000000000, 0x4000000000000001,
]


def r(rng):
    return rng.choice(GPRS)


def fr(rng):
    return rng.randrange(32)


# QEMU 7.2 sets FX for every exception, also when its sticky bit is already 1 (the ISA: only on
# a 0->1 change). So FX is never left 0 while an exception bit is 1: after mtfsb0 0 and
# mcrfs BF,0 (which clear FX) the other exception bits are cleared too.
CLEAR_EXC = "\n\tmtfsb0 3\n\tmtfsfi 1,0\n\tmtfsfi 2,0\n\tmtfsfi 3,0\n\tmtfsfi 5,0"


class State:
    """What the generator knows statically: the FPSCR rounding mode in force."""

    def __init__(self, rn):
        self.rn = rn


def gen_insn(rng, st):
    k = rng.randrange(100)
    d, a, b = r(rng), r(rng), r(rng)
    if k < 30:
        mn = rng.choice(["add", "addc", "adde", "subf", "subfc", "subfe", "mullw", "mulhw",
                         "mulhwu", "and", "or", "xor", "nand", "nor", "eqv", "andc", "orc",
                         "slw", "srw", "sraw", "rlwnm"])
        if mn in ("and", "or", "xor", "nand", "nor", "eqv", "andc", "orc", "slw", "srw", "sraw"):
            return f"{mn}{rng.choice(['', '.'])} {d},{a},{b}"
        if mn == "rlwnm":
            return f"rlwnm{rng.choice(['', '.'])} {d},{a},{b},{rng.randrange(32)},{rng.randrange(32)}"
        if mn.startswith("mulh"):
            return f"{mn}{rng.choice(['', '.'])} {d},{a},{b}"
        return f"{mn}{rng.choice(['', 'o', '.', 'o.'])} {d},{a},{b}"
    if k < 40:
        mn = rng.choice(["addme", "addze", "subfme", "subfze", "neg"])
        return f"{mn}{rng.choice(['', 'o', '.', 'o.'])} {d},{a}"
    if k < 52:
        c = rng.randrange(12)
        imm = rng.randrange(-32768, 32768)
        uimm = rng.randrange(65536)
        sh = rng.randrange(32)
        return [f"addi {d},{a if a else 3},{imm}", f"addis {d},{a if a else 3},{imm}",
                f"addic{rng.choice(['', '.'])} {d},{a},{imm}", f"subfic {d},{a},{imm}",
                f"ori {d},{a},{uimm}", f"xoris {d},{a},{uimm}", f"andi. {d},{a},{uimm}",
                f"srawi{rng.choice(['', '.'])} {d},{a},{sh}",
                f"rlwinm{rng.choice(['', '.'])} {d},{a},{sh},{rng.randrange(32)},{rng.randrange(32)}",
                f"rlwimi{rng.choice(['', '.'])} {d},{a},{sh},{rng.randrange(32)},{rng.randrange(32)}",
                f"cntlzw{rng.choice(['', '.'])} {d},{a}",
                f"{rng.choice(['extsb', 'extsh'])}{rng.choice(['', '.'])} {d},{a}"][c]
    if k < 60:
        c = rng.randrange(6)
        bf = rng.randrange(8)
        return [f"cmpw {bf},{a},{b}", f"cmplw {bf},{a},{b}",
                f"cmpwi {bf},{a},{rng.randrange(-32768, 32768)}",
                f"cmplwi {bf},{a},{rng.randrange(65536)}",
                f"{rng.choice(['crand', 'cror', 'crxor', 'crnand', 'crnor', 'creqv', 'crandc', 'crorc'])} "
                f"{rng.randrange(32)},{rng.randrange(32)},{rng.randrange(32)}",
                f"mtcrf {rng.randrange(256)},{a}"][c]
    if k < 75:
        size = rng.choice([1, 2, 4])
        off = rng.randrange(0, 256 - 4, size)
        if size == 1:
            mn = rng.choice(["lbz", "stb"])
        elif size == 2:
            mn = rng.choice(["lhz", "lha", "sth"])
        else:
            mn = rng.choice(["lwz", "stw"])
        if rng.randrange(4) == 0:
            x = rng.choice(["lhbrx", "lwbrx", "sthbrx", "stwbrx", "lbzx", "stwx"])
            return f"li 30,{off & ~3}\n\t{x} {d if d != 30 else 29},31,30"
        return f"{mn} {d},{off}(31)"
    if k < 80:
        if rng.randrange(2):
            return rng.choice([f"mtctr {a}", f"mtlr {a}", f"mfctr {d}", f"mflr {d}", "mcrxr 5",
                               f"mfxer {d}", "mcrxr 3", f"mfcr {d}",
                               f"mcrf {rng.randrange(8)},{rng.randrange(8)}"])
        # More integer forms; r30 is the scratch pointer for update/multiple/string forms.
        c = rng.randrange(8)
        d2 = rng.choice([x for x in GPRS if x not in (29, 30)])
        if c == 0:
            return f"mulli {d},{a},{rng.randrange(-32768, 32768)}"
        if c == 1:
            # divw/divwu only by a constant that is neither 0 nor -1 (else rD is undefined).
            dv = rng.choice([v for v in range(-9, 10) if v not in (0, -1)] + [0x1234, -0x777])
            mn = rng.choice(["divw", "divwu"]) + rng.choice(["", "o", ".", "o."])
            return f"li 29,{dv}\n\t{mn} {d2},{a},29"
        if c == 2:
            off = rng.randrange(0, 240, 4)
            mn = rng.choice(["lwzu", "lbzu", "lhzu", "lhau", "stwu", "stbu", "sthu"])
            return f"addi 30,31,{off}\n\t{mn} {d2},4(30)"
        if c == 3:
            off = rng.randrange(0, 256 - 16, 4)
            return f"addi 30,31,{off}\n\tstmw 28,0(30)"
        if c == 4:
            nb = rng.randrange(1, 17)
            rd = rng.randrange(2, 26)
            off = rng.randrange(0, 256 - 16)
            mn = rng.choice(["lswi", "stswi"])
            return f"addi 30,31,{off}\n\t{mn} {rd},30,{nb}"
        if c == 5:
            return rng.choice([f"andis. {d},{a},{rng.randrange(65536)}",
                               f"oris {d},{a},{rng.randrange(65536)}",
                               f"xori {d},{a},{rng.randrange(65536)}",
                               f"addic. {d},{a},{rng.randrange(-32768, 32768)}"])
        if c == 6:
            return f"{rng.choice(['cmp', 'cmpl'])} {rng.randrange(8)},0,{a},{b}"
        off = rng.randrange(0, 256 - 4, 4)
        return f"addi 30,31,{off}\n\t{rng.choice(['lwzx', 'lhax', 'lhzx', 'stbx', 'sthx'])} {d2},0,30"
    t, fa, fb, fc = fr(rng), fr(rng), fr(rng), fr(rng)
    rc = rng.choice(["", "", "."])
    c = rng.randrange(14)
    if c < 4:
        mn = rng.choice(["fadd", "fsub", "fmul", "fdiv"]) + rng.choice(["", "s"])
        return f"{mn}{rc} {t},{fa},{fc if mn.startswith('fmul') else fb}"
    if c < 7:
        # QEMU 7.2 rounds fnmadd/fnmsub after negating: wrong under RP/RM (QEMU-DIFFERENCES.md).
        ops = ["fmadd", "fmsub", "fnmadd", "fnmsub"] if st.rn < 2 else ["fmadd", "fmsub"]
        mn = rng.choice(ops) + rng.choice(["", "s"])
        return f"{mn}{rc} {t},{fa},{fc},{fb}"
    if c < 9:
        mn = rng.choice(["fabs", "fneg", "fnabs", "fmr", "frsp", "fctiw", "fctiwz"])
        return f"{mn}{rc} {t},{fb}"
    if c == 9:
        return f"fsel{rc} {t},{fa},{fc},{fb}"
    if c == 10:
        # QEMU 7.2's fcmpu/fcmpo with a NaN change FR FI C, which they leave alone: clear them.
        return (f"{rng.choice(['fcmpu', 'fcmpo'])} {rng.randrange(8)},{fa},{fb}"
                "\n\tmtfsb0 13\n\tmtfsb0 14\n\tmtfsb0 15")
    if c == 11:
        off = rng.randrange(0, 256 - 8, 8)
        return rng.choice([f"stfd {t},{off}(31)", f"lfd {t},{off}(31)", f"stfs {t},{off}(31)",
                           f"lfs {t},{off}(31)", f"li 30,{off}\n\tstfiwx {t},31,30",
                           f"li 30,{off}\n\tlfsx {t},31,30", f"li 30,{off}\n\tstfdx {t},31,30"])
    if c == 12:
        form = rng.randrange(3)
        if form == 0:
            v, bit = rng.choice([0, 1]), rng.choice([0, 3, 4, 5, 6, 7, 22, 23, 30, 31])
            if bit >= 30:
                m = 1 << (31 - bit)
                st.rn = (st.rn | m) if v else (st.rn & ~m)
            if v == 1 and bit not in (0, 30, 31):
                # QEMU 7.2's mtfsb1 of an exception bit does not set FX (the ISA: it does, on
                # a 0->1 change, which is always the case while FX = 0): set FX explicitly.
                return f"mtfsb1 {bit}\n\tmtfsb1 0"
            return f"mtfsb{v} {bit}" + (CLEAR_EXC if (v, bit) == (0, 0) else "")
        # QEMU 7.2 never sets FPSCR[FR] (bit 13): clear it before it is read.
        if form == 1:
            field = rng.choice([0, 1, 2, 3, 5, 7])
            return (f"mtfsb0 13\n\tmcrfs {rng.randrange(8)},{field}" +
                    (CLEAR_EXC if field == 0 else ""))
        return f"mtfsb0 13\n\tmffs{rc} {t}"
    return f"fsqrt{rng.choice(['', 's'])}{rc} {t},{fb}"


def main():
    seed = int(sys.argv[1])
    rng = random.Random(seed)
    lines = []
    w = lines.append
    w("/* SPDX-License-Identifier: MIT */")
    w(f"/* generated by gen_random.py, seed {seed}: random instructions, then a register dump. */")
    w("\t.data\n\t.align 3\n\t.globl rand_in\nrand_in:")
    for _ in range(32):
        w(f"\t.long 0x{rng.getrandbits(32):08x}")
    for _ in range(32):
        v = rng.choice(FP_SPECIALS) if rng.randrange(3) else rng.getrandbits(64)
        w(f"\t.long 0x{v >> 32:08x}, 0x{v & 0xffffffff:08x}")
    # Rounding mode only; all exception enables off (QEMU 7.2 turns an enabled exception with
    # MSR[FE0,FE1] = 0 into a stale program interrupt at the next exit; QEMU-DIFFERENCES.md).
    fpscr = rng.randrange(4)
    st = State(fpscr)
    w(f"\t.long 0, 0x{fpscr:08x}")
    w("\t.text\n\t.globl rand_run\nrand_run:")
    # r3 = dump area (struct in rand_main.c), r4 = scratch buffer; save nonvolatiles.
    w("\tstwu 1,-160(1)\n\tmflr 0\n\tstw 0,164(1)\n\tstw 3,8(1)\n\tmfcr 0\n\tstw 0,12(1)")
    for i in range(14, 32):
        w(f"\tstw {i},{16 + 4 * (i - 14)}(1)")
    w("\tmr 31,4\n\tlis 30,rand_in@ha\n\taddi 30,30,rand_in@l")
    w("\tlfd 0,384(30)\n\tmtfsf 0xff,0")
    for i in range(32):
        w(f"\tlfd {i},{128 + 8 * i}(30)")
    w("\tlwz 0,0(30)\n\tmtcr 0\n\tlwz 0,4(30)\n\trlwinm 0,0,0,0,2\n\tmtxer 0"
      "\n\tlwz 0,8(30)\n\tmtctr 0\n\tlwz 0,12(30)\n\tmtlr 0")
    for i in GPRS[:-1]:
        w(f"\tlwz {i},{4 * i}(30)")
    w("\tlwz 30,120(30)")
    for _ in range(int(sys.argv[3]) if len(sys.argv) > 3 else 200):
        w("\t" + gen_insn(rng, st))
    # Dump: GPRs at 0(r3 saved), then CR XER LR CTR at 128.., FPRs at 144, FPSCR at 400.
    w("\tstw 30,-4(1)\n\tlwz 30,8(1)")
    for i in GPRS[:-1]:
        w(f"\tstw {i},{4 * i}(30)")
    w("\tlwz 0,-4(1)\n\tstw 0,120(30)")
    w("\tmfcr 0\n\tstw 0,128(30)\n\tmfxer 0\n\tstw 0,132(30)\n\tmflr 0\n\tstw 0,136(30)"
      "\n\tmfctr 0\n\tstw 0,140(30)")
    for i in range(32):
        w(f"\tstfd {i},{144 + 8 * i}(30)")
    w("\tmtfsb0 13\n\tmffs 0\n\tstfd 0,400(30)")
    for i in range(14, 32):
        w(f"\tlwz {i},{16 + 4 * (i - 14)}(1)")
    w("\tlwz 0,12(1)\n\tmtcr 0\n\tlwz 0,164(1)\n\tmtlr 0\n\taddi 1,1,160\n\tblr")
    w("\t.section .note.GNU-stack,\"\",@progbits")
    open(sys.argv[2], "w").write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
