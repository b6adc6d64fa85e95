#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# seeds.py - (re)write the hand-made seed inputs in corpus/<harness>/ (see docs/fuzzing.md).
# Inputs the fuzzer found and regression inputs live beside them and are not touched.
import gzip
import os
import struct
import subprocess
import zlib

top = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus')


def put(harness, name, data):
    os.makedirs(os.path.join(top, harness), exist_ok=True)
    with open(os.path.join(top, harness, name), 'wb') as f:
        f.write(data)


def be32s(*words):
    return b''.join(struct.pack('>I', w) for w in words)


# --- loader: mode (1), raw address (4), RAM size selector (1), file ---------------------------
def lhdr(mode, raw, ramsel):
    return bytes([mode]) + struct.pack('>I', raw) + bytes([ramsel])


code = be32s(0x38600001, 0x4e800020, 0x60000000, 0x48000000)
eh = b'\x7fELF' + bytes([1, 2, 1, 0]) + b'\0' * 8
eh += struct.pack('>HHIIIIIHHHHHH', 2, 20, 1, 0xc0000100, 52, 0, 0, 52, 32, 1, 40, 0, 0)
ph = struct.pack('>IIIIIIII', 1, 84, 0xc0000100, 0x100, len(code), 0x200, 7, 4)
put('loader', 'elf-min', lhdr(0, 0, 8) + eh + ph + code)


def uimage(data, comp, load=0, ep=0):
    h = struct.pack('>IIIIIIIBBBB32s', 0x27051956, 0, 0, len(data), load, ep, zlib.crc32(data),
                    5, 7, 2, comp, b'fuzz')
    h = h[:4] + struct.pack('>I', zlib.crc32(h)) + h[8:]
    return h + data


gz = gzip.compress(code * 8, mtime=0)
put('loader', 'uimage-plain', lhdr(0, 0, 8) + uimage(code, 0, 0x200, 0x200))
put('loader', 'uimage-gzip', lhdr(0, 0, 8) + uimage(gz, 1, 0, 0))
put('loader', 'uimage-gzip-fixcrc', lhdr(2, 0, 8) + uimage(gz, 1, 0x100, 0x100)[:-3])
put('loader', 'raw', lhdr(1, 0x400, 6) + code)


# --- core: see fuzz_core.c for the layout ---------------------------------------------------
def core_seed(mode, words, stlb=(), gprs=(0,) * 8):
    b = bytes([mode, 0]) + be32s(*gprs)
    for i in range(4):
        b += stlb[i] if i < len(stlb) else b'\0' * 14
    b += struct.pack('>IBB', 0x8000, 3, 3) + struct.pack('>I', 0x10) + b'\0\0'
    b += struct.pack('>Q', 0x123456789)
    assert len(b) == 110
    return b + be32s(*words)


io = struct.pack('>IIBBBBBB', 0xef600000, 0xef600000, 0, 1, 3, 0, 0x3, 0)  # 4 KiB I/O page
put('core', 'loop-io', core_seed(0x03, [0x38600000, 0x38630001, 0x90600f00, 0x3c80ef60,
                                       0x80a40300, 0x90a40304, 0x7c0004ac, 0x44000002,
                                       0x7c0000a6, 0xfc21102a, 0x4bffffd8], [io]))
put('core', 'smc', core_seed(0x01, [0x3c607c00, 0x60630214, 0x90600010, 0x7c0007ac,
                                   0x60000000, 0x4bffffec]))
put('core', 'user-fp', core_seed(0x4c, [0xc8230000, 0xfc42182a, 0xd8430008, 0x7c0004ac,
                                       0x4bfffff0]))


# --- virtq: see fuzz_virtq.c for the layout -------------------------------------------------
class Ram:
    def __init__(self, size, le=True):
        self.b = bytearray(size)
        self.e = '<' if le else '>'

    def put(self, addr, fmt, *v):
        struct.pack_into(self.e + fmt, self.b, addr, *v)

    def desc(self, table, i, addr, ln, flags, nxt):
        self.put(table + 16 * i, 'QIHH', addr, ln, flags, nxt)

    def avail(self, at, qsize, heads):
        self.put(at, 'HH', 0, len(heads))
        for k, h in enumerate(heads):
            self.put(at + 4 + 2 * (k % qsize), 'H', h)


NEXT, WRITE, INDIRECT = 1, 2, 4


def vq_seed(dev, flags, qn, ram, host=b'', notifies=1, qsize=16, pfn=0):
    b = bytes([dev, flags | qn << 3]) + struct.pack('>HIIII', qsize, 0x100, 0x200, 0x300, pfn)
    b += bytes([notifies - 1]) + struct.pack('>H', len(host)) + host
    return b + bytes(ram.b)


r = Ram(0x710)  # blk read: header, 512 bytes data, status
r.put(0x400, 'IIQ', 0, 0, 1)
r.desc(0x100, 0, 0x400, 16, NEXT, 1)
r.desc(0x100, 1, 0x500, 512, NEXT | WRITE, 2)
r.desc(0x100, 2, 0x700, 1, WRITE, 0)
r.avail(0x200, 16, [0])
put('virtq', 'blk-read', vq_seed(0, 7, 0, r))
r = Ram(0x710)  # blk write through an indirect table
r.put(0x400, 'IIQ', 1, 0, 3)
r.desc(0x600, 0, 0x400, 16, NEXT, 1)
r.desc(0x600, 1, 0x480, 64, NEXT, 2)
r.desc(0x600, 2, 0x700, 1, WRITE, 0)
r.desc(0x100, 0, 0x600, 48, INDIRECT, 0)
r.avail(0x200, 16, [0])
put('virtq', 'blk-write-indirect', vq_seed(0, 7, 0, r))
r = Ram(0x500)
r.desc(0x100, 0, 0x400, 64, WRITE, 0)
r.desc(0x100, 1, 0x440, 64, WRITE, 0)
r.avail(0x200, 16, [0, 1])
put('virtq', 'rng', vq_seed(1, 7, 0, r))
r = Ram(0x500)
r.put(0x400, '5s', b'hello')
r.desc(0x100, 0, 0x400, 5, 0, 0)
r.avail(0x200, 16, [0])
put('virtq', 'console-tx', vq_seed(2, 7, 1, r))
r = Ram(0x500)
r.desc(0x100, 0, 0x400, 64, WRITE, 0)
r.avail(0x200, 16, [0])
put('virtq', 'console-rx', vq_seed(2, 1 | 0x20, 0, r, host=b'input'))
frame = bytes(range(60))
r = Ram(0x500)
r.put(0x400, '72s', bytes(12) + frame)
r.desc(0x100, 0, 0x400, 12, NEXT, 1)
r.desc(0x100, 1, 0x40c, 60, 0, 0)
r.avail(0x200, 16, [0])
put('virtq', 'net-tx', vq_seed(3, 7, 1, r))
r = Ram(0x800)
r.desc(0x100, 0, 0x400, 0x400, WRITE, 0)
r.avail(0x200, 16, [0])
put('virtq', 'net-rx', vq_seed(3, 3, 0, r, host=frame))
# Legacy (big-endian rings at PFN 1: desc 0x1000, avail 0x2000, used 0x3000).
r = Ram(0x2010, le=False)
r.desc(0x1000, 0, 0x400, 64, WRITE, 0)
r.avail(0x2000, 256, [0])
put('virtq', 'rng-legacy', vq_seed(1, 0, 0, r, qsize=256, pfn=1))


# --- mmio: opcodes, see fuzz_mmio.c ---------------------------------------------------------
def cfg(devfn, reg, size, val, write=1):
    return bytes([6, devfn, reg, {1: 0, 2: 1, 4: 2}[size]]) + struct.pack('>I', val) + bytes([write])


def mw(sel, off, size, val):
    return bytes([0, sel]) + struct.pack('>H', off) + bytes([{1: 0, 2: 1, 4: 2, 8: 3}[size]]) + \
        struct.pack('>Q', val)


def mr(sel, off, size):
    return bytes([1, sel]) + struct.pack('>H', off) + bytes([{1: 0, 2: 1, 4: 2, 8: 3}[size]])


def le32(v):
    return struct.unpack('<I', struct.pack('>I', v))[0]


def le16(v):
    return struct.unpack('<H', struct.pack('>H', v))[0]


def ramw(off, data8):
    return bytes([7]) + struct.pack('>H', off) + data8


# UART: DLAB, divisor, 8N1, FIFO, IER, THR bytes, read LSR/IIR/RBR; UART0 input.
put('mmio', 'uart', mw(3, 3, 1, 0x80) + mw(3, 0, 1, 6) + mw(3, 3, 1, 3) + mw(3, 2, 1, 0xc7) +
    mw(3, 1, 1, 0x0f) + mw(3, 0, 1, 0x41) + mr(3, 5, 1) + mr(3, 2, 1) +
    bytes([5, 3]) + b'abc' + mr(3, 0, 1) + mw(4, 4, 1, 0x10) + mw(4, 0, 1, 0x55) + mr(4, 0, 1))
# UIC: ER, PR, TR, input edges, SR/MSR/VR reads, SR clear.
put('mmio', 'uic', bytes([2, 2]) + struct.pack('>I', 0xffffffff) + bytes([2, 4]) +
    struct.pack('>I', 0xf0000000) + bytes([4, 0, 1, 4, 28, 1, 3, 0, 3, 6, 3, 8]) +
    bytes([2, 0]) + struct.pack('>I', 0xffffffff) + bytes([4, 0, 0, 3, 0]))
# PCI: probe slots, program slot 1 (blk) BAR1 and COMMAND, virtio modern start-up, one request.
s = b''
for devfn in (0, 8, 16, 24, 32, 40):
    s += cfg(devfn, 0, 4, 0, 0)
s += cfg(8, 0x14, 4, 0xffffffff) + cfg(8, 0x14, 4, 0, 0) + cfg(8, 0x14, 4, 0x80000000)
s += cfg(8, 0x10, 4, 0x1001) + cfg(8, 4, 2, 7) + cfg(8, 0x34, 1, 0, 0)
s += mw(5, 0x14, 1, 0) + mw(5, 0x14, 1, 3) + mw(5, 0x08, 4, le32(1)) + mw(5, 0x0c, 4, le32(1))
s += mw(5, 0x14, 1, 0xb) + mw(5, 0x16, 2, 0) + mr(5, 0x18, 2) + mw(5, 0x18, 2, le16(16))
s += mw(5, 0x20, 4, le32(0x100)) + mw(5, 0x28, 4, le32(0x200)) + mw(5, 0x30, 4, le32(0x300))
s += mw(5, 0x1c, 2, le16(1)) + mw(5, 0x14, 1, 0xf)
# blk read request: header at 0x400, data 0x500 (512), status 0x700
s += ramw(0x400, struct.pack('<IIQ', 0, 0, 1)[:8]) + ramw(0x408, struct.pack('<Q', 1))
s += ramw(0x100, struct.pack('<Q', 0x400)) + ramw(0x108, struct.pack('<IHH', 16, NEXT, 1))
s += ramw(0x110, struct.pack('<Q', 0x500)) + ramw(0x118, struct.pack('<IHH', 512, NEXT | WRITE, 2))
s += ramw(0x120, struct.pack('<Q', 0x700)) + ramw(0x128, struct.pack('<IHH', 1, WRITE, 0))
s += ramw(0x200, struct.pack('<HHHH', 0, 1, 0, 0))
s += mw(5, 0x3000, 2, 0) + mr(5, 0x1000, 1) + mr(5, 0x2000, 4) + mr(5, 0x2000, 8)
# legacy I/O BAR of slot 1 at 0x1000 in the I/O window
s += mr(2, 0x1000, 4) + mr(2, 0x1012, 1) + mr(2, 0x1014, 4)
put('mmio', 'pci-virtio-blk', s)


# --- fdt: flags (1), RAM size (4), .dtb (compiled with dtc) ---------------------------------
def dtb(source):
    return subprocess.run(['dtc', '-q', '-I', 'dts', '-O', 'dtb', '-o', '-', '-'],
                          input=source.encode(), stdout=subprocess.PIPE, check=True).stdout


full = '''/dts-v1/;
/ { #address-cells = <2>; #size-cells = <1>; model = "fuzz";
    chosen { bootargs = "console=ttyS0"; linux,stdout-path = "/serial"; };
    memory { device_type = "memory"; reg = <0 0 0x1000000>; };
    cpus { #address-cells = <1>; #size-cells = <0>;
           cpu@0 { device_type = "cpu"; reg = <0>; clock-frequency = <400000000>; }; };
    serial { compatible = "ns16550"; reg = <1 0xef600300 8>; interrupts = <0 4>; };
};
'''
bare = '/dts-v1/;\n/ { model = "bare"; };\n'
put('fdt', 'full-all-patches', bytes([7]) + struct.pack('>I', 0x2000000) + dtb(full))
put('fdt', 'full-untouched', bytes([0]) + struct.pack('>I', 0) + dtb(full))
put('fdt', 'bare-add-nodes', bytes([7]) + struct.pack('>I', 0x1000000) + dtb(bare))


# --- gdb: raw bytes from a gdb client ---------------------------------------------------------
def pkt(body):
    return b'$' + body + b'#' + b'%02x' % (sum(body) & 0xff)


session = [b'qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=powerpc', b'vMustReplyEmpty',
           b'Hg0', b'qXfer:features:read:target.xml:0,ffb', b'qTStatus', b'?', b'qfThreadInfo',
           b'qC', b'qAttached', b'Hc-1', b'g', b'p40', b'P3=12345678', b'm0,40', b'M100,4:deadbeef',
           b'X104,2:ab', b'Z0,100,4', b'Z1,104,4', b'Z2,200,4', b'Z3,300,8', b'Z4,400,1',
           b'qRcmd,' + b'mem phys'.hex().encode(), b'm100,8', b'qRcmd,' + b'info'.hex().encode(),
           b'z0,100,4', b'z2,200,4', b's', b'vCont?', b'vCont;s:1', b'c', b'D']
put('gdb', 'session', b'+' + b'+'.join(pkt(p) for p in session) + b'+')
put('gdb', 'noack-kill', b'+' + pkt(b'QStartNoAckMode') + b'+' + pkt(b'g') + pkt(b'G' + b'0' * 8 * 70) +
    pkt(b'm' + b'fffffff0,20') + b'\x03' + pkt(b'k'))
put('gdb', 'nak-badsum', pkt(b'?') + b'-' + b'$g#00' + b'$m0,4#zz' + b'$' + b'A' * 300 + b'#00' + pkt(b''))


# --- control: lines from a --control client ----------------------------------------------------
put('control', 'session', b'help\nstats\nstats json\n  reset  \r\nstats table\nbogus command\n\n')
put('control', 'long-line', b'stats\n' + b'x' * 600 + b'\nstats\n')

# --- qmp: JSON from a --qmp client --------------------------------------------------------------
put('qmp', 'session', b'{"execute": "qmp_capabilities"}{"execute": "query-status", "id": 1}'
    b'{"execute": "stop"}{"execute": "human-monitor-command", "arguments": '
    b'{"command-line": "info registers"}}{"execute": "cont"}{"execute": "system_reset"}'
    b'{"execute": "system_powerdown"}{"execute": "quit"}\n')
put('qmp', 'errors', b'query-status {"execute": 1} [1, {"a": "\\u00e9\\ud83d\\ude00"}] }'
    b"{'execute': 'qmp_capabilities', 'arguments': {'enable': ['oob']}} \"x\" -1.5e3 "
    b'{"execute": "human-monitor-command", "arguments": {"command-line": 5, "cpu-index": 1}}\n')


# --- vcpu: mode, MSR, IVORs, 2 TLB entries, bus seed, RAM (see fuzz_vcpu.c) ------------------
def spr_field(n):
    return ((n & 0x1f) << 5 | n >> 5) << 11


def mtspr(n, rs):
    return 31 << 26 | rs << 21 | spr_field(n) | 467 << 1


def mfspr(rd, n):
    return 31 << 26 | rd << 21 | spr_field(n) | 339 << 1


def mtdcr(n, rs):
    return 31 << 26 | rs << 21 | spr_field(n) | 451 << 1


def mfdcr(rd, n):
    return 31 << 26 | rd << 21 | spr_field(n) | 323 << 1


def x31(rt, ra, rb, xo):
    return 31 << 26 | rt << 21 | ra << 16 | rb << 11 | xo << 1


def li(rt, v):
    return 14 << 26 | rt << 21 | (v & 0xffff)


def lis(rt, v):
    return 15 << 26 | rt << 21 | (v & 0xffff)


def ori(ra, rs, v):
    return 24 << 26 | rs << 21 | ra << 16 | (v & 0xffff)


def addi(rt, ra, v):
    return 14 << 26 | rt << 21 | ra << 16 | (v & 0xffff)


RFI, SC, ISYNC, WRTEEI1, BSELF = 0x4c000064, 0x44000002, 0x4c00012c, 0x7c008146, 0x48000000
DEC, SRR0, SRR1, DECAR, TSR, TCR = 22, 26, 27, 54, 336, 340


def vcpu_seed(mode, msr, ivors, code_at, tlb=(), bseed=0x9e3779b97f4a7c15):
    b = bytes([mode]) + struct.pack('>I', msr)
    b += b''.join(struct.pack('>H', ivors.get(i, 0x0f00)) for i in range(16))
    for i in range(2):
        b += struct.pack('>IIIB', *tlb[i]) if i < len(tlb) else bytes(13)
    b += struct.pack('>Q', bseed)
    ram = bytearray(max(a + 4 * len(w) for a, w in code_at.items()))
    for a, w in code_at.items():
        ram[a:a + 4 * len(w)] = be32s(*w)
    return b + bytes(ram)


# DEC interrupts with auto-reload; the handler clears TSR[DIS] and returns.
put('vcpu', 'dec-irq', vcpu_seed(2, 0, {10: 0x100}, {
    0: [li(3, 1000), mtspr(DEC, 3), mtspr(DECAR, 3), lis(3, 0x0440), mtspr(TCR, 3), WRTEEI1,
        BSELF],
    0x100: [lis(3, 0x0800), mtspr(TSR, 3), RFI]}))
# External and critical inputs raised: the external handler returns with MSR[EE] off.
put('vcpu', 'ext-irq', vcpu_seed(4, 0, {4: 0x180}, {
    0: [WRTEEI1, li(5, 1), BSELF],
    0x180: [mtspr(SRR1, 0), RFI]}))
# tlbwe an I/O page, MMIO load/store through it, tlbsx/tlbre, DCRs, a system call.
put('vcpu', 'tlb-mmio-dcr', vcpu_seed(1, 0, {8: 0x200}, {
    0: [li(4, 1), lis(3, 0xef60), ori(3, 3, 0x0210), x31(3, 4, 0, 978), lis(3, 0xef60),
        x31(3, 4, 1, 978), li(3, 0x503), x31(3, 4, 2, 978), ISYNC, lis(5, 0xef60),
        0x80c50300, 0x90c50304, x31(7, 0, 5, 914), x31(8, 4, 0, 946), mfdcr(9, 0xc0),
        mtdcr(0xc2, 9), SC, BSELF],
    0x200: [mfspr(3, SRR0), mtspr(SRR0, 3), RFI]}))
# To user mode with rfi; a privileged instruction there takes a program interrupt, skipped.
put('vcpu', 'user-program', vcpu_seed(0, 0, {6: 0x300}, {
    0: [li(3, 0x200), mtspr(SRR0, 3), lis(3, 0), ori(3, 3, 0x4000), mtspr(SRR1, 3), RFI],
    0x200: [0x7c0000a6, li(4, 7), BSELF],
    0x300: [mfspr(3, SRR0), addi(3, 3, 4), mtspr(SRR0, 3), RFI]},
    tlb=[(0x00000210, 0, 0x3f, 0)]))
