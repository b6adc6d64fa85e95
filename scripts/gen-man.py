#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# gen-man.py - write hv440(1) (roff) from `hv440 --help`, so the man page says what the binary does.
# Usage: scripts/gen-man.py HV440 OUTPUT
import re
import subprocess
import sys


def roff(text):
    """Escape text for roff: backslashes, and a leading dot or quote."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text[:1] in (".", "'") else text


def main():
    binary, out = sys.argv[1], sys.argv[2]
    help_text = subprocess.run([binary, "--help"], check=True, capture_output=True,
                               text=True).stdout
    version = subprocess.run([binary, "--version"], check=True, capture_output=True,
                             text=True).stdout.strip()
    lines = help_text.rstrip("\n").split("\n")
    usage, i = [], 0
    while i < len(lines) and lines[i].strip():
        usage.append(re.sub(r"^(Usage:)?\s*", "", lines[i]))
        i += 1
    summary = usage.pop() if usage and not usage[-1].startswith("hv440") else ""
    page = [f'.TH HV440 1 "" "{roff(version)}" "User Commands"',
            ".SH NAME", "hv440 \\- " + roff(summary or "a hypervisor for PowerPC 440 guests"),
            ".SH SYNOPSIS"]
    for u in usage:
        page += [".nf", roff(u), ".fi"]
    in_para = False
    for line in lines[i:]:
        if not line.strip():
            in_para = False
            continue
        if re.match(r"^\S.*:$", line):                        # a section heading
            page.append(".SH " + roff(line[:-1].upper()))
            in_para = False
            continue
        elif 2 <= len(line) - len(line.lstrip()) <= 6:       # an option or an entry
            m = re.match(r"^ +(\S.*?)(?: {2,}(\S.*))?$", line)
            in_para = False
            page += [".TP", "\\fB" + roff(m.group(1)) + "\\fR"]
            if m.group(2):
                page.append(roff(m.group(2)))
        elif not line.startswith(" "):                         # a paragraph
            page += ([] if in_para else [".PP"]) + [roff(line.strip())]
            in_para = True
            continue
        else:                                                  # continuation text
            page.append(roff(line.strip()))
    page += [".SH SEE ALSO", "The project's README.md and docs/ (design, devices, gdb, measuring,",
             "paravirt, sandbox, jit, interpreter, fuzzing)."]
    with open(out, "w") as f:
        f.write("\n".join(page) + "\n")


if __name__ == "__main__":
    main()
