#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# longest-functions.py - the N longest C function definitions under the given directories.
# Usage: scripts/longest-functions.py [-n N] [DIR...]   (default: 10 longest under src/)
# A brace counter, not a parser: a definition is a line at column 0 that is not a
# preprocessor line, ends with ')' (or '{'), and is followed by a '{' at column 0
# (kernel style, as hv440 is written). Lines are counted from that line to its '}'.
import os
import re
import sys


def functions(path):
    with open(path, encoding='utf-8', errors='replace') as f:
        lines = f.read().split('\n')
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r'^[A-Za-z_][^;#=]*?\b([A-Za-z_]\w*)\s*\(', line)
        if m and not line.startswith(('typedef', 'struct', 'enum', 'union')) or \
                (m and line.startswith(('struct', 'enum', 'union')) and line.rstrip().endswith(')')):
            # the opening brace: the first '{' at column 0 within a few lines
            j = i
            while j < len(lines) and j < i + 8 and not lines[j].startswith('{') and \
                    not lines[j].rstrip().endswith(';'):
                j += 1
            if j < len(lines) and lines[j].startswith('{'):
                k = j + 1
                while k < len(lines) and not lines[k].startswith('}'):
                    k += 1
                yield m.group(1), i + 1, k - i + 1
                i = k
        i += 1


def main():
    args = sys.argv[1:]
    n = 10
    if len(args) >= 2 and args[0] == '-n':
        n = int(args[1])
        args = args[2:]
    dirs = args or ['src']
    found = []
    for d in dirs:
        for root, _, files in os.walk(d):
            for name in files:
                if name.endswith('.c'):
                    path = os.path.join(root, name)
                    for fn, line, length in functions(path):
                        found.append((length, path, line, fn))
    found.sort(key=lambda t: (-t[0], t[1], t[2]))
    for length, path, line, fn in found[:n]:
        print(f'{length:5d}  {fn}  {path}:{line}')


if __name__ == '__main__':
    main()
