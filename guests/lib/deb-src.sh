#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# deb-src.sh - make `apt-get source` work by giving each of the machine's own Debian apt entries
# a deb-src twin. No archive host is named here: the URIs are the ones apt already uses.
#
# Usage: guests/lib/deb-src.sh PACKAGE   (does nothing when `apt-get source PACKAGE` already resolves)
# Only entries for this release's suites (VERSION_CODENAME, -updates, -security) are twinned, so a
# third-party repository without sources never breaks `apt-get update`.
set -euo pipefail
pkg=${1:?usage: $0 PACKAGE}
apt-get source --print-uris "$pkg" > /dev/null 2>&1 && exit 0

# shellcheck source=/dev/null
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$codename" ] || { echo "deb-src: no VERSION_CODENAME in /etc/os-release" >&2; exit 1; }
out=/etc/apt/sources.list.d/hv440-deb-src.sources
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

twins=$(
	# deb822 files: each stanza whose Types has `deb` and whose suites are this release's.
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && [ "$f" != "$out" ] || continue
		awk -v rel="$codename" '
			function flush() {
				if (n && deb && ours && !disabled) {
					for (i = 1; i <= n; i++)
						print (lines[i] ~ /^Types:/ ? "Types: deb-src" : lines[i])
					print ""
				}
				n = 0; deb = 0; ours = 0; disabled = 0
			}
			/^[ \t]*$/ { flush(); next }
			/^#/ { next }
			{ lines[++n] = $0 }
			/^Types:/ && $0 ~ /(^|[ \t])deb([ \t]|$)/ { deb = 1 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == rel || index($i, rel "-") == 1) ours = 1 }
			/^Enabled:[ \t]*no/ { disabled = 1 }
			END { flush() }' "$f"
	done
	# One-line sources.list entries: `deb [opts] URI SUITE COMPONENTS...`.
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk -v rel="$codename" '
			$1 == "deb" {
				i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
				suite = $(i + 1)
				if (suite == rel || index(suite, rel "-") == 1) { $1 = "deb-src"; print "#1 " $0 }
			}' "$f"
	done
)
[ -n "$twins" ] || { echo "deb-src: no Debian $codename entry in the apt sources to twin" >&2; exit 1; }
echo "deb-src: adding deb-src twins of the machine's $codename apt entries ($out)" >&2
# One-line entries cannot share a deb822 file: they go to a .list beside it.
{ grep -v '^#1 ' <<<"$twins" || true; } | "${sudo_cmd[@]}" tee "$out" > /dev/null
if grep -q '^#1 ' <<<"$twins"; then
	grep '^#1 ' <<<"$twins" | sed 's/^#1 //' | "${sudo_cmd[@]}" tee "${out%.sources}.list" > /dev/null
fi
"${sudo_cmd[@]}" apt-get update -qq
apt-get source --print-uris "$pkg" > /dev/null 2>&1 ||
	{ echo "deb-src: apt-get source $pkg still fails after adding deb-src entries" >&2; exit 1; }
