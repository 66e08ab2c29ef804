#!/usr/bin/env python3
"""TEST DOUBLE of the debug-probe command-line tools (pyOCD >= 0.14 and OpenOCD), used ONLY by
the tinynas tests (tests/firmware/bench_probe_double_test.cpp). It is not a probe driver and is
never installed or used by tinynas itself.

It accepts the same command lines that firmware/pyocd_probe.cpp and firmware/openocd_probe.cpp
run against a real probe, and carries them out on QEMU instead of a board, so the host's whole
flash -> run -> poll -> read path runs end to end without hardware:

  pyocd json --probes                       one fake probe (none with TINYNAS_PROBE_DOUBLE_NO_PROBE=1)
  pyocd json --targets                      cortex_m, cortex_m4_double, cortex_m7_double
  pyocd flash -t T -u UID fw.elf            remembers the ELF (stops a running QEMU)
  pyocd reset -t T -u UID                   starts QEMU on the ELF in the background ("the board runs")
  pyocd commander ... -c "savemem A N F"    reads N bytes of guest RAM at A into F (QEMU monitor pmemsave)
  openocd -f CFG [-c "adapter serial S"] -c init -c exit             adapter present (exit 0)
  openocd -f CFG -c "program fw.elf verify reset exit"                flash + start QEMU
  openocd -f CFG -c init -c "dump_image F A N" -c exit               read guest RAM

Invoked as `pyocd` or `openocd` (by the file name: the tests link this script under both names).
State (ELF path, QEMU pid, monitor socket) lives in $TINYNAS_PROBE_DOUBLE_DIR. The QEMU machine is
mps2-an500 (Cortex-M7) for targets naming f7/h7/m7, else mps2-an386 (Cortex-M4); the firmware must
be linked for that machine's memory map (Flash at 0, RAM at 0x20000000) with clock_family "none".
QEMU is started under `timeout 120`, so a forgotten one ends on its own.
TINYNAS_PROBE_DOUBLE_TWO_PROBES=1 lists two probes; TINYNAS_PROBE_DOUBLE_VANISH_AFTER=N makes the
probe disappear after N memory reads (QEMU stopped, reads fail as pyOCD / OpenOCD do)."""
import json
import os
import signal
import socket
import subprocess
import sys
import time

STATE = os.environ.get("TINYNAS_PROBE_DOUBLE_DIR", "")
NO_PROBE = os.environ.get("TINYNAS_PROBE_DOUBLE_NO_PROBE", "") == "1"
# Two probes listed (for "several probes and no --probe").
TWO_PROBES = os.environ.get("TINYNAS_PROBE_DOUBLE_TWO_PROBES", "") == "1"
# After this many memory reads the probe "is unplugged": QEMU stops and every later call fails.
VANISH_AFTER = int(os.environ.get("TINYNAS_PROBE_DOUBLE_VANISH_AFTER", "0") or "0")
UID = "QEMU-PROBE-DOUBLE-0001"


def state(name):
    if not STATE:
        sys.stderr.write("probe double: TINYNAS_PROBE_DOUBLE_DIR is not set\n")
        sys.exit(2)
    os.makedirs(STATE, exist_ok=True)
    return os.path.join(STATE, name)


def stop_qemu():
    try:
        with open(state("qemu.pid")) as f:
            pid = int(f.read())
        os.killpg(pid, signal.SIGKILL)
    except (OSError, ValueError):
        pass
    for name in ("qemu.pid", "monitor.sock"):
        try:
            os.remove(state(name))
        except OSError:
            pass


def machine_for(target):
    t = (target or "").lower()
    return "mps2-an500" if any(k in t for k in ("f7", "h7", "m7")) else "mps2-an386"


def start_qemu(elf, target):
    stop_qemu()
    sock = state("monitor.sock")
    argv = ["timeout", "120", "qemu-system-arm", "-M", machine_for(target), "-display", "none",
            "-serial", "null", "-monitor", "unix:%s,server,nowait" % sock, "-icount", "shift=0",
            "-kernel", elf]
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    with open(state("qemu.pid"), "w") as f:
        f.write(str(proc.pid))
    for _ in range(100):
        if os.path.exists(sock):
            return
        time.sleep(0.02)
    sys.stderr.write("probe double: QEMU did not open its monitor socket\n")
    sys.exit(1)


def monitor(command):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(state("monitor.sock"))

    def until_prompt():
        data = b""
        while not data.endswith(b"(qemu) "):
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        return data

    until_prompt()
    s.sendall(command.encode() + b"\n")
    out = until_prompt()
    s.close()
    return out.decode(errors="replace")


def read_memory(address, length, path):
    if VANISH_AFTER > 0:
        try:
            with open(state("reads")) as f:
                reads = int(f.read())
        except (OSError, ValueError):
            reads = 0
        with open(state("reads"), "w") as f:
            f.write(str(reads + 1))
        if reads >= VANISH_AFTER:
            stop_qemu()
            sys.stderr.write("Error: probe disconnected (test double: unplugged after %d reads)\n"
                             % VANISH_AFTER)
            sys.exit(1)
    if not os.path.exists(state("monitor.sock")):
        sys.stderr.write("probe double: the target is not running (flash and reset first)\n")
        sys.exit(1)
    out = monitor("pmemsave %d %d \"%s\"" % (int(address, 0), int(length, 0), os.path.abspath(path)))
    if not os.path.exists(path):
        sys.stderr.write("probe double: pmemsave failed: %s\n" % out[-300:])
        sys.exit(1)


def option(args, name):
    return args[args.index(name) + 1] if name in args else ""


def pyocd(args):
    if args[:2] == ["json", "--probes"]:
        boards = [] if NO_PROBE else [{"unique_id": UID, "board_name": "probe test double (QEMU)",
                                       "target": "cortex_m", "info": "test double",
                                       "vendor_name": "tinynas tests", "product_name": "QEMU"}]
        if TWO_PROBES:
            boards.append(dict(boards[0], unique_id="QEMU-PROBE-DOUBLE-0002"))
        print(json.dumps({"pyocd_version": "test-double", "status": 0, "boards": boards}))
        return 0
    if args[:2] == ["json", "--targets"]:
        names = ["cortex_m", "cortex_m4_double", "cortex_m7_double"]
        print(json.dumps({"pyocd_version": "test-double", "status": 0,
                          "targets": [{"name": n, "part_number": n} for n in names]}))
        return 0
    if NO_PROBE:
        print("No connected debug probes")
        return 3
    if args and args[0] == "flash":
        with open(state("elf"), "w") as f:
            f.write(os.path.abspath(args[-1]))
        with open(state("target"), "w") as f:
            f.write(option(args, "-t"))
        stop_qemu()
        return 0
    if args and args[0] == "reset":
        with open(state("elf")) as f:
            elf = f.read()
        start_qemu(elf, option(args, "-t"))
        return 0
    if args and args[0] == "commander":
        for i, a in enumerate(args):
            if a == "-c":
                words = args[i + 1].split()
                if words[0] == "savemem":
                    read_memory(words[1], words[2], words[3])
        return 0
    sys.stderr.write("probe double: unsupported pyocd command line: %s\n" % " ".join(args))
    return 2


def openocd(args):
    commands = [args[i + 1] for i, a in enumerate(args) if a == "-c"]
    if NO_PROBE:
        sys.stderr.write("Error: open failed\n")
        return 1
    for c in commands:
        words = c.split()
        if words[0] == "program":
            start_qemu(os.path.abspath(words[1]), option(args, "-f"))
        elif words[0] == "dump_image":
            read_memory(words[2], words[3], words[1])
    sys.stderr.write("Info : probe test double (QEMU) adapter\n")
    return 0


if __name__ == "__main__":
    tool = os.path.basename(sys.argv[0])
    if tool.startswith("openocd"):
        sys.exit(openocd(sys.argv[1:]))
    sys.exit(pyocd(sys.argv[1:]))
