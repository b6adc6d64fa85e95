#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# check.py - comparisons of --stats=json / `hv440 trace --summary --json` output for run.sh.
# Prints the first difference and exits 1, or exits 0.
import json
import sys

# ops.S with COUNT=1: the exits, interrupts and shadow fills its body adds. Each of the 50
# tlbwe refills its shadow entry at once (hv/tlb.c), so the load after it takes no VIRT miss.
EXPECTED_FILLS = 50
EXPECTED_EXITS = {"EMUL_MTSPR": 100, "EMUL_MFSPR": 60, "EMUL_TLBWE": 50, "DTLBVIRT": 0,
                  "SYSCALL": 30, "DTLBREAL": 20, "ITLBREAL": 10, "EMUL_WRTEE": 15}
EXPECTED_IRQS = {"8": 30, "13": 20, "14": 10}


def load(path):
    try:
        with open(path) as f:
            return json.loads(f.read())
    except (OSError, ValueError) as e:
        print(f"{path}: {e}")
        sys.exit(1)


def fail(msg):
    print(msg)
    sys.exit(1)


def delta(a, b):
    """Counts of run a minus run b."""
    d = {k: a["exits"][k]["count"] - b["exits"][k]["count"] for k in a["exits"]}
    i = {k: a["interrupts"][k] - b["interrupts"][k] for k in a["interrupts"]}
    return d, i


def main():
    mode = sys.argv[1]
    if mode == "delta":
        d, i = delta(load(sys.argv[2]), load(sys.argv[3]))
        for k, n in EXPECTED_EXITS.items():
            if d[k] != n:
                fail(f"{k}: {d[k]} more exits with the operations, expected {n}")
        for k, n in EXPECTED_IRQS.items():
            if i[k] != n:
                fail(f"IVOR{k}: {i[k]} more interrupts, expected {n}")
        a, b = load(sys.argv[2]), load(sys.argv[3])
        fills = a["shadow_tlb"]["fills"] - b["shadow_tlb"]["fills"]
        if fills != EXPECTED_FILLS:
            fail(f"shadow fills: {fills} more, expected {EXPECTED_FILLS}")
    elif mode == "light":
        # Light exits (docs/measuring.md): without a trace the 175 mtspr/mfspr/wrteei are
        # emulated inside core_run(), so the core runs in fewer chunks than there are
        # exits; with a trace every exit leaves core_run().
        a, b, traced = load(sys.argv[2]), load(sys.argv[3]), sys.argv[4] == "traced"
        d, _ = delta(a, b)
        light = sum(EXPECTED_EXITS[k] for k in ("EMUL_MTSPR", "EMUL_MFSPR", "EMUL_WRTEE"))
        total = sum(EXPECTED_EXITS.values())
        chunks = d["TIMEINGUEST"]
        if traced and chunks < total:
            fail(f"with --trace: {chunks} more core_run() chunks, expected at least {total}")
        if not traced and chunks > total - light + 20:
            fail(f"without --trace: {chunks} more core_run() chunks for {total} exits, "
                 f"{light} of them light: the light exits left core_run()")
    elif mode == "range":
        r, itlb, gtlb = load(sys.argv[2]), load(sys.argv[3]), int(sys.argv[4])
        for k, n in EXPECTED_EXITS.items():
            got = (itlb if k == "ITLBREAL" else r)["exits"][k]["count"]
            if got != n:
                fail(f"trace, ops_body PCs: {got} {k} exits, expected {n}")
        for k, e in r["exits"].items():
            if k not in EXPECTED_EXITS and k != "TIMEINGUEST" and e["count"]:
                # Anything else in the body would be an unexplained exit, except host
                # events (SIGNAL) that may land anywhere.
                if k != "SIGNAL":
                    fail(f"trace, ops_body PCs: unexpected {e['count']} {k} exits")
        if gtlb != EXPECTED_EXITS["EMUL_TLBWE"]:
            fail(f"trace, ops_body PCs: {gtlb} guest TLB writes, expected 50")
    elif mode == "same":
        s, t = load(sys.argv[2]), load(sys.argv[3])
        for k in s["exits"]:
            for f in ("count", "min_ns", "max_ns", "sum_ns", "sumsq_ns"):
                if s["exits"][k][f] != t["exits"][k][f]:
                    fail(f"{k} {f}: stats {s['exits'][k][f]}, trace {t['exits'][k][f]}")
        for k in s["interrupts"]:
            if s["interrupts"][k] != t["interrupts"][k]:
                fail(f"IVOR{k}: stats {s['interrupts'][k]}, trace {t['interrupts'][k]}")
        for f in ("fills", "evictions"):
            if s["shadow_tlb"][f] != t["shadow_tlb"][f]:
                fail(f"shadow {f}: stats {s['shadow_tlb'][f]}, trace {t['shadow_tlb'][f]}")
    elif mode == "live":
        first, final = load(sys.argv[2]), load(sys.argv[3])
        if first["exits"]["EMUL_TLBWE"]["count"] != 3:
            fail(f"SIGUSR1 table: {first['exits']['EMUL_TLBWE']['count']} tlbwe, expected "
                 "the 3 of start-up")
        if final["exits"]["EMUL_TLBWE"]["count"] != 0:
            fail("after SIGUSR2 the start-up tlbwe are still counted")
        if final["exits"]["TIMEINGUEST"]["count"] == 0:
            fail("nothing counted after the reset")
    elif mode == "control":
        # Writes the first stats json answer next to the socket, for the "live" check.
        import socket
        sock = socket.socket(socket.AF_UNIX)
        sock.settimeout(10)
        sock.connect(sys.argv[2])
        f = sock.makefile("rw")

        def ask(cmd):
            f.write(cmd + "\n")
            f.flush()
            lines = []
            while True:
                line = f.readline()
                if not line:
                    fail(f"control: connection closed after '{cmd}'")
                line = line.rstrip("\n")
                if line == "ok" or line.startswith("error"):
                    return lines, line
                lines.append(line)

        lines, end = ask("stats json")
        if end != "ok" or len(lines) != 1:
            fail(f"control: stats json gave {lines} {end}")
        with open(sys.argv[2].rsplit("/", 1)[0] + "/ctl-first.json", "w") as out:
            out.write(lines[0] + "\n")
        json.loads(lines[0])
        if ask("reset") != ([], "ok"):
            fail("control: reset did not answer ok")
        lines, end = ask("stats json")
        if end != "ok" or json.loads(lines[0])["exits"]["EMUL_TLBWE"]["count"] != 0:
            fail("control: the reset did not clear the counts")
        lines, end = ask("stats")
        if end != "ok" or not any(l.startswith("total exits") for l in lines):
            fail(f"control: stats gave no table: {lines}")
        if not ask("frobnicate")[1].startswith("error: unknown command"):
            fail("control: an unknown command was not an error")
    else:
        fail(f"unknown mode {mode}")


main()
