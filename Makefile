# SPDX-License-Identifier: MIT
# Thin wrapper over Meson: `make run` boots the default guest, `make check` runs every test tier.
BUILD ?= build
CC ?= gcc

.PHONY: all deps test-deps run run-net check check-unit check-isa check-boot check-asan check-fuzz fuzz-long bench clean

all: $(BUILD)/hv440

deps:
	@scripts/install-deps.sh build

test-deps:
	@scripts/install-deps.sh test

$(BUILD)/build.ninja: | deps
	meson setup $(BUILD)

$(BUILD)/hv440: deps $(BUILD)/build.ninja FORCE
	ninja -C $(BUILD)

# Running needs only the build's packages; the guest comes from ../shared/guests or its recipe.
run: $(BUILD)/hv440
	$(BUILD)/hv440 --kernel "$$(tests/lib/guest-path.sh kernel)" --initrd "$$(tests/lib/guest-path.sh initrd)" --append "console=ttyS0"

# The same guest with a disk ($(BUILD)/root.img, ext4, made once by scripts/make-disk.sh) and user
# networking; in the guest: mount /dev/vda /mnt; udhcpc; httpd -h /mnt/www, then on the host
# curl http://127.0.0.1:8080/
run-net: $(BUILD)/hv440
	@[ -e $(BUILD)/root.img ] || scripts/make-disk.sh $(BUILD)/root.img
	$(BUILD)/hv440 --kernel "$$(tests/lib/guest-path.sh kernel)" --initrd "$$(tests/lib/guest-path.sh initrd)" --append "console=ttyS0" \
		--disk $(BUILD)/root.img --net user,hostfwd=tcp:127.0.0.1:8080-:80

check: test-deps $(BUILD)/hv440
	tests/run.sh $(BUILD)

# The same tests under AddressSanitizer and UndefinedBehaviorSanitizer (CI runs this too).
check-asan: test-deps
	@scripts/install-deps.sh build
	[ -f build-asan/build.ninja ] || CC=clang meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
	ninja -C build-asan
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 tests/run.sh build-asan

# libFuzzer harnesses (tests/fuzz, docs/fuzzing.md), 20 s each over the kept corpus; CI runs this too.
check-fuzz: test-deps
	@scripts/install-deps.sh build
	[ -f build-fuzz/build.ninja ] || CC=clang meson setup build-fuzz -Db_sanitize=address,undefined -Db_lundef=false -Dfuzz=true
	ninja -C build-fuzz
	tests/fuzz/run.sh build-fuzz 20

# Every harness for an hour (FUZZ_SECONDS) over the kept corpus; reports executions, coverage and
# crashes, then merges the new inputs that add coverage into tests/fuzz/corpus/ (commit them).
FUZZ_SECONDS ?= 3600
fuzz-long: test-deps
	@scripts/install-deps.sh build
	[ -f build-fuzz/build.ninja ] || CC=clang meson setup build-fuzz -Db_sanitize=address,undefined -Db_lundef=false -Dfuzz=true
	ninja -C build-fuzz
	tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS) --merge

# hv440 against qemu-system-ppc -M bamboo, side by side (bench/run.py, parts.py, latency.py --help);
# not a test.
bench: $(BUILD)/hv440
	@scripts/install-deps.sh bench
	bench/run.py --build $(BUILD)
	bench/parts.py --build $(BUILD)
	bench/latency.py --build $(BUILD) --plot $(BUILD)/latency.png

clean:
	rm -rf $(BUILD) build-asan build-fuzz

FORCE:
