#!/bin/sh
# cpu.sh's parts and fork.sh, each timed alone, every command reading and writing files in /tmp
# (no pipelines), as bench/parts.py runs them natively and under qemu-user too.
now() { cut -d' ' -f1 /proc/uptime; }
part() {	# part NAME: time the commands that follow on stdin, print the last output line
	t0=$(now)
	sh -e
	t1=$(now)
	echo "part $1: $(awk "BEGIN { print $t1 - $t0 }") s"
}
cd /tmp
part md5 <<'P'
seq 1 200000 > a
md5sum < a
P
part gzip <<'P'
seq 1 60000 > b
gzip -6 < b > c
gzip -d < c > d
sha256sum < d
P
part awk <<'P'
awk 'BEGIN { s = 0; for (i = 1; i <= 200000; i++) s += sqrt(i) * 1.5; printf "%.4f\n", s }'
P
part fork <<'P'
i=0
while [ $i -lt 400 ]; do /bin/true; i=$((i + 1)); done
echo "forked $i"
P
rm -f a b c d
