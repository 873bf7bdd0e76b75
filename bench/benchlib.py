"""Helpers shared by the benchmark and the fault tests: running cecert, reading /usr/bin/time, checking a store.

Every program these helpers start talks only to 127.0.0.1 and is bounded by a timeout.
"""
import collections
import hashlib
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEER = os.environ.get("PEER_DIR", "/work/shared/bench/peer-reportlab")
CECERT = os.environ.get("CECERT", os.path.join(REPO, ".build/release/cecert"))


def log(message):
    print(message, flush=True)


def load_average():
    """Return the 1-, 5- and 15-minute load averages from /proc/loadavg."""
    with open("/proc/loadavg") as handle:
        return " ".join(handle.read().split()[:3])


def machine_line():
    cpus = os.cpu_count()
    with open("/proc/meminfo") as handle:
        total_kib = int(handle.readline().split()[1])
    return f"{cpus} CPUs, {total_kib / 1048576:.1f} GiB RAM, load average {load_average()}"


def make_input(count, path):
    """Write `count` applications in the sample's shape with the peer's generator, so both programs read the same records."""
    subprocess.run([sys.executable, os.path.join(PEER, "make_input.py"), "--count", str(count), "-o", path],
                   check=True, stdout=subprocess.DEVNULL)
    return path


def config_file(directory, **extra):
    """Write a cecert configuration for the repository's font and templates plus `extra` keys, and return its path."""
    settings = {"font_path": os.path.join(REPO, "fonts/LXGWWenKai-Regular.ttf"),
                "templates_directory": os.path.join(REPO, "templates")}
    settings.update(extra)
    path = os.path.join(directory, "config.json")
    with open(path, "w") as handle:
        json.dump(settings, handle)
    return path


class Workspace:
    """One store, certificates folder, keys folder and configuration under `root`."""

    def __init__(self, root, **config):
        os.makedirs(root, exist_ok=True)
        self.root = root
        self.store = os.path.join(root, "cecert.sqlite")
        self.out = os.path.join(root, "certificates")
        self.keys = os.path.join(root, "keys")
        self.config = config_file(root, **config)

    def arguments(self):
        return ["--store", self.store, "--out", self.out, "--keys", self.keys, "--config", self.config]

    def command(self, name, *extra):
        return [CECERT, name, *extra, *self.arguments()]

    def run(self, name, *extra, timeout=600, check=True):
        result = subprocess.run(self.command(name, *extra), capture_output=True, text=True, timeout=timeout)
        if check and result.returncode not in (0, 3):
            raise RuntimeError(f"cecert {name} exited with {result.returncode}: {result.stderr[-2000:]}")
        return result


class TimedRun:
    """The figures `/usr/bin/time -v` prints for one process."""

    def __init__(self, returncode, stdout, stderr, seconds, cpu_seconds, peak_rss_kib):
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.seconds = seconds
        self.cpu_seconds = cpu_seconds
        self.peak_rss_kib = peak_rss_kib


def run_timed(command, timeout=1800, cwd=None):
    """Run `command` under `/usr/bin/time -v` and return its wall time and peak RSS."""
    result = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True, timeout=timeout, cwd=cwd)
    elapsed = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", result.stderr)
    user = re.search(r"User time \(seconds\): (\S+)", result.stderr)
    system = re.search(r"System time \(seconds\): (\S+)", result.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    if not elapsed or not rss or not user or not system:
        raise RuntimeError(f"/usr/bin/time printed no figures for {command[0]}: {result.stderr[-2000:]}")
    seconds = 0.0
    for part in elapsed.group(1).split(":"):
        seconds = seconds * 60 + float(part)
    cpu_seconds = float(user.group(1)) + float(system.group(1))
    return TimedRun(result.returncode, result.stdout, result.stderr, seconds, cpu_seconds, int(rss.group(1)))


def log_times(stderr, message):
    """The timestamps, in seconds since the epoch, of every cecert log line carrying `message`."""
    times = []
    for line in stderr.splitlines():
        if message in line:
            stamp = line.split(" ", 1)[0]
            times.append(time.mktime(time.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S")) + float("0" + stamp[19:-1]))
    return times


def pdf_sizes(directory):
    return [os.path.getsize(os.path.join(directory, name)) for name in os.listdir(directory) if name.endswith(".pdf")]


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_http(url, timeout):
    """Poll `url` (a 127.0.0.1 URL) until it answers with any status, or return False after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            time.sleep(0.1)
    return False


def resident_kib(pid):
    """The current resident set size of process `pid` in KiB (VmRSS)."""
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def check_store(workspace, expected_applications=None):
    """Check the store and certificates folder after issuance, and return a list of problems (empty when consistent).

    Checks: each application has at most one current certificate, serials run 1..n per (area, year) with no
    gap, every recorded certificate has a file whose SHA-256 is the stored pdf_sha256, no PDF exists without
    a record, and no temporary file is left. With `expected_applications`, the set of certified applications
    must equal it.
    """
    problems = []
    connection = sqlite3.connect(f"file:{workspace.store}?mode=ro", uri=True)
    try:
        rows = connection.execute("SELECT number, application_id, area, year, serial, pdf_sha256, state "
                                  "FROM certificates").fetchall()
    finally:
        connection.close()
    current = [row for row in rows if row[6] != "superseded"]
    applications = [row[1] for row in current]
    duplicates = {application for application, count in collections.Counter(applications).items() if count > 1}
    if duplicates:
        problems.append(f"{len(duplicates)} applications have more than one certificate, e.g. {sorted(duplicates)[:3]}")
    if expected_applications is not None and set(applications) != set(expected_applications):
        missing = set(expected_applications) - set(applications)
        extra = set(applications) - set(expected_applications)
        problems.append(f"certified applications differ from the expected set: {len(missing)} missing, {len(extra)} extra")
    if len({row[0] for row in rows}) != len(rows):
        problems.append("certificate numbers are not unique")
    serials = {}
    for row in rows:
        serials.setdefault((row[2], row[3]), []).append(row[4])
    for (area, year), values in sorted(serials.items()):
        if sorted(values) != list(range(1, len(values) + 1)):
            problems.append(f"serials of {area}-{year} are not 1..{len(values)} without gaps or repeats")
    names = set(os.listdir(workspace.out)) if os.path.isdir(workspace.out) else set()
    for number, _, _, _, _, digest, state in rows:
        name = number + ".pdf"
        if state == "superseded":
            continue
        if name not in names:
            problems.append(f"certificate {number} has no file")
        elif sha256_file(os.path.join(workspace.out, name)) != digest:
            problems.append(f"file of certificate {number} does not match its stored SHA-256")
    recorded = {row[0] + ".pdf" for row in rows}
    orphans = sorted(n for n in names if n.endswith(".pdf") and not n.startswith(".") and n not in recorded)
    if orphans:
        problems.append(f"{len(orphans)} PDF files have no certificate record, e.g. {orphans[:3]}")
    temporaries = sorted(n for n in names if n.startswith("."))
    if temporaries:
        problems.append(f"{len(temporaries)} temporary files are left, e.g. {temporaries[:3]}")
    return problems


def published_files_match(workspace):
    """After a crash and before any rerun: every file under a final name must be a committed, complete PDF.

    Returns a list of problems. Temporaries and committed certificates without a file are allowed here,
    because the next run removes or writes them again.
    """
    problems = []
    connection = sqlite3.connect(f"file:{workspace.store}?mode=ro", uri=True)
    try:
        digests = dict(connection.execute("SELECT number || '.pdf', pdf_sha256 FROM certificates").fetchall())
    finally:
        connection.close()
    if not os.path.isdir(workspace.out):
        return problems
    for name in os.listdir(workspace.out):
        if not name.endswith(".pdf") or name.startswith("."):
            continue
        if name not in digests:
            problems.append(f"{name} is published but has no committed record")
        elif sha256_file(os.path.join(workspace.out, name)) != digests[name]:
            problems.append(f"{name} is published but does not match its stored SHA-256")
    return problems
