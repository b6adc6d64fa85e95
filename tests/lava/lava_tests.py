# SPDX-License-Identifier: MIT
# lava_tests.py - the LAVA tier: lava-run boots bamboo jobs with hv440 in place of qemu-system-ppc.
"""Usage: lava_tests.py BUILD_DIR [TEST...]

Runs LAVA's dispatcher (Debian's lava-dispatcher, `lava-run`, no server,
offline: images come from file:// URLs) on the job in job-bamboo.yaml with
the device configurations next to this file, and checks the boot action
passed (execute-qemu, login-action at the prompt, the job). Prints
PASS/FAIL/SKIP per test and ends with "N passed, N failed" (then the skips).

Tests:
  native           device configuration naming hv440 with hv440's own options
  qemu_reference   the QEMU device configuration on qemu-system-ppc (the job is right)
  qemu_dictionary  the QEMU device configuration (qemu.jinja2, arch ppc, machine
                   bamboo) with hv440 as the command: needs QEMU's command-line syntax
  literal_cmdline  the command line LAVA generates for that device, run directly on
                   hv440 with only the program name changed, to the shell prompt
The last two are skipped, saying so, while hv440 does not take QEMU's syntax
(-machine ...; issue 19 part 2), and fail once it does and they do not work.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "boot"))
from console import Console, ConsoleError  # noqa: E402

GUEST_PATH = os.path.join(TOP, "tests", "lib", "guest-path.sh")
# The options LAVA's qemu.jinja2 renders for arch: ppc, machine: bamboo, no_kvm: true
# (device-qemu.yaml), then what the job's image_arg entries add.
QEMU_OPTIONS = ["-machine", "bamboo", "-nographic", "-net",
                "nic,model=virtio,macaddr=52:54:00:12:34:58", "-net", "user", "-m", "512",
                "-monitor", "none"]


class Fail(Exception):
    pass


class Skip(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


def guest(what):
    r = subprocess.run([GUEST_PATH, what], stdout=subprocess.PIPE, text=True, timeout=3600)
    if r.returncode != 0 or not r.stdout.strip():
        raise Fail(f"no guest artifact '{what}'")
    return r.stdout.strip()


def literal_argv(program, kernel, initrd):
    return [program, *QEMU_OPTIONS, "-kernel", kernel, "-append", "console=ttyS0",
            "-initrd", initrd]


def needs_lava():
    if not shutil.which("lava-run"):
        raise Skip("lava-dispatcher is not installed (scripts/install-deps.sh lava)")


def needs_qemu_syntax(hv440):
    """Skip while hv440 does not read QEMU's options (today: -machine is read as -m achine)."""
    tmp = tempfile.mkdtemp(prefix="hv440-lava-probe-")
    try:
        r = subprocess.run([hv440, *QEMU_OPTIONS, "--dump-dtb", os.path.join(tmp, "t.dtb")],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=60)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if r.returncode and re.search(r"invalid memory size 'achine'|unknown option '-machine'",
                                  r.stdout):
        raise Skip("hv440 does not take QEMU's command-line syntax yet "
                   f"({r.stdout.strip().splitlines()[0]})")


def lava_run(tmp, device_template, command, name):
    """Run the bamboo job on a device whose boot command is command; the results by case."""
    kernel, initrd = guest("kernel"), guest("initrd")
    with open(os.path.join(HERE, device_template)) as f:
        device = f.read().replace("@HV440@", command)
    with open(os.path.join(HERE, "job-bamboo.yaml")) as f:
        job = f.read().replace("@KERNEL@", kernel).replace("@INITRD@", initrd)
    dpath, jpath = os.path.join(tmp, "device.yaml"), os.path.join(tmp, "job.yaml")
    with open(dpath, "w") as f:
        f.write(device)
    with open(jpath, "w") as f:
        f.write(job)
    job_id = f"hv440-{name}-{os.getpid()}"
    r = subprocess.run(["lava-run", "--job-id", job_id, "--output-dir",
                        os.path.join(tmp, "out"), "--device", dpath, jpath],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=600)
    with open(os.path.join(tmp, "lava.log"), "w") as f:
        f.write(r.stdout)
    results, boot_cmd, errors = {}, None, []
    for line in r.stdout.splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        msg = rec.get("msg")
        if rec.get("lvl") == "results" and isinstance(msg, dict):
            results[msg.get("case")] = msg
        elif rec.get("lvl") in ("error", "exception"):
            errors.append(str(msg)[:200])
        elif isinstance(msg, str) and msg.startswith("Boot command: "):
            boot_cmd = msg[len("Boot command: "):]
    return r.returncode, results, boot_cmd, errors, (kernel, initrd)


def check_boot_passed(rc, results, errors, what):
    job = results.get("job", {})
    check(job.get("result") == "pass",
          f"{what}: job {job.get('result')} ({job.get('error_msg')}); errors {errors[:3]}")
    for case in ("execute-qemu", "login-action"):
        check(results.get(case, {}).get("result") == "pass",
              f"{what}: boot action {case}: {results.get(case)}")
    check(rc == 0, f"{what}: lava-run exit status {rc}")


def test_native(hv440, tmp):
    needs_lava()
    rc, results, cmd, errors, _ = lava_run(tmp, "device-native.yaml", hv440, "native")
    check(cmd and cmd.split()[0] == hv440, f"boot command is not hv440: {cmd}")
    check_boot_passed(rc, results, errors, "hv440 (native options)")


def test_qemu_reference(hv440, tmp):
    needs_lava()
    qemu = shutil.which("qemu-system-ppc")
    if not qemu:
        raise Skip("qemu-system-ppc is not installed")
    rc, results, cmd, errors, (k, i) = lava_run(tmp, "device-qemu.yaml", "qemu-system-ppc",
                                                 "qemu")
    check_boot_passed(rc, results, errors, "qemu-system-ppc")
    # The command line LAVA generated is the one literal_cmdline runs (but for the image paths).
    got = re.sub(r"(-kernel|-initrd) \S+/(vmlinux|initramfs\.cpio\.gz)", r"\1 \2", cmd or "")
    want = " ".join(literal_argv(qemu, "vmlinux", "initramfs.cpio.gz")).replace(
        "-append console=ttyS0", '-append "console=ttyS0"')
    check(got == want, f"LAVA's command line changed:\n  {got}\n  expected {want}")


def test_qemu_dictionary(hv440, tmp):
    needs_lava()
    needs_qemu_syntax(hv440)
    rc, results, cmd, errors, _ = lava_run(tmp, "device-qemu.yaml", hv440, "qemu-dict")
    check(cmd and cmd.split()[0] == hv440, f"boot command is not hv440: {cmd}")
    check_boot_passed(rc, results, errors, "hv440 (QEMU's options)")


def test_literal_cmdline(hv440, tmp):
    needs_qemu_syntax(hv440)
    con = Console(literal_argv(hv440, guest("kernel"), guest("initrd")), 300)
    try:
        con.expect(r"^guest: shell ready$", 180)
        con.expect(r"/ # $", 60)
    finally:
        con.close()


TESTS = {
    "native": test_native,
    "qemu_reference": test_qemu_reference,
    "qemu_dictionary": test_qemu_dictionary,
    "literal_cmdline": test_literal_cmdline,
}


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    build = os.path.abspath(sys.argv[1])
    hv440 = os.path.join(build, "hv440")
    if not os.access(hv440, os.X_OK):
        print(f"{hv440} not built", file=sys.stderr)
        return 2
    names = sys.argv[2:] or list(TESTS)
    unknown = [n for n in names if n not in TESTS]
    if unknown:
        print(f"unknown test(s): {' '.join(unknown)}; known: {' '.join(TESTS)}", file=sys.stderr)
        return 2
    logdir = os.path.join(build, "test-logs", "lava")
    passed = failed = skipped = 0
    for name in names:
        tmp = tempfile.mkdtemp(prefix="hv440-lava-")
        t0 = time.monotonic()
        verdict, why = "PASS", ""
        try:
            TESTS[name](hv440, tmp)
        except Skip as e:
            verdict, why = "SKIP", str(e)
        except (Fail, ConsoleError, OSError, subprocess.SubprocessError) as e:
            verdict, why = "FAIL", str(e)
            if os.path.exists(os.path.join(tmp, "lava.log")):
                os.makedirs(logdir, exist_ok=True)
                shutil.copy(os.path.join(tmp, "lava.log"), os.path.join(logdir, name + ".log"))
                why += f" (log: {logdir}/{name}.log)"
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        print(f"{verdict} {name} ({time.monotonic() - t0:.1f} s){': ' + why if why else ''}",
              flush=True)
        passed += verdict == "PASS"
        failed += verdict == "FAIL"
        skipped += verdict == "SKIP"
    print(f"{passed} passed, {failed} failed" + (f" ({skipped} skipped)" if skipped else ""))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
