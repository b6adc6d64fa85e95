#!/bin/sh
# Timer wake-up latency (bench/latency.py): `latency` as cyclictest -m -p 80 -i 1000 -l N would run
# it. lat_loops=N, lat_interval=US and lat_prio=P on the kernel command line change the defaults.
loops=10000 interval=1000 prio=80
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	lat_loops=*) loops=${arg#lat_loops=} ;;
	lat_interval=*) interval=${arg#lat_interval=} ;;
	lat_prio=*) prio=${arg#lat_prio=} ;;
	esac
done
latency -m -p "$prio" -i "$interval" -l "$loops" -H 10000
