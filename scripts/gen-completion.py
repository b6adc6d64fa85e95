#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# gen-completion.py - write hv440's bash completion from `hv440 --help`: the options it lists,
# and file names after the options that take a FILE.
# Usage: scripts/gen-completion.py HV440 OUTPUT
import re
import subprocess
import sys


def main():
    binary, out = sys.argv[1], sys.argv[2]
    help_text = subprocess.run([binary, "--help"], check=True, capture_output=True,
                               text=True).stdout
    opts, file_opts = set(), set()
    for line in help_text.split("\n"):
        for m in re.finditer(r"(?:^|[\s,(])(--?[a-zA-Z][\w-]*)(=?\[?)(\s+|=)?([A-Z][A-Z_]*)?", line):
            if not re.match(r"^\s", line) and not line.startswith("Usage") and \
               not line.lstrip().startswith("hv440"):
                continue
            opts.add(m.group(1))
            if m.group(4) and "FILE" in m.group(4):
                file_opts.add(m.group(1))
    subcommands = sorted(set(re.findall(r"hv440 (trace|profile) ", help_text)))
    script = f"""# bash completion for hv440 (generated from `hv440 --help` by scripts/gen-completion.py)
_hv440() {{
	local cur prev
	cur=${{COMP_WORDS[COMP_CWORD]}}
	prev=${{COMP_WORDS[COMP_CWORD-1]}}
	case "$prev" in
	{"|".join(sorted(file_opts)) or "--kernel"})
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	esac
	if [ "$COMP_CWORD" -eq 1 ] && [[ "$cur" != -* ]]; then
		COMPREPLY=($(compgen -W "{" ".join(subcommands)}" -- "$cur") $(compgen -f -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -W "{" ".join(sorted(opts))}" -- "$cur"))
}}
complete -o filenames -F _hv440 hv440
"""
    with open(out, "w") as f:
        f.write(script)


if __name__ == "__main__":
    main()
