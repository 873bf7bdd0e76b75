#!/usr/bin/env python3
"""Fault tests for cecert: kill -9 during issuance, two issuers at once, a full disk, broken start-up files
and hostile HTTP.

  python3 scripts/faults.py [crash] [concurrent] [nospace] [startup] [http] [--fast] [--seed N]

With no test named, all run. --fast makes the crash test 3 kills over the 300-application sample and skips
nospace (it mounts a tmpfs) and http, so `make test` stays short. Exit status 0 only when every test run passes.
Every process started here is bounded by a timeout, and the HTTP test talks only to 127.0.0.1.
"""
import argparse
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench"))
import benchlib as bl  # noqa: E402

SAMPLE = os.path.join(bl.REPO, "demo/applications.sample.jsonl")
# 2,300 applications in the sample's shape give about 2,000 certificates (261 of every 300 are approved).
CRASH_GROUP_SIZE = 10
CRASH_RECORDS = 2300


class Failure(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Failure(message)


def eligible_applications(workspace):
    connection = sqlite3.connect(f"file:{workspace.store}?mode=ro", uri=True)
    try:
        return [row[0] for row in connection.execute("SELECT id FROM applications WHERE state = 'final_approved'")]
    finally:
        connection.close()


def certificate_count(workspace):
    connection = sqlite3.connect(f"file:{workspace.store}?mode=ro", uri=True)
    try:
        return connection.execute("SELECT COUNT(*) FROM certificates").fetchone()[0]
    finally:
        connection.close()


def expect_consistent(workspace, expected):
    problems = bl.check_store(workspace, expected)
    expect(not problems, "store inconsistent: " + "; ".join(problems[:5]))


# MARK: - Crash during issuance

def crash(root, fast, rng):
    kills = 3 if fast else 20
    # Small groups and short delays keep all 20 kills inside the batch: at about 600 certificates a second,
    # the default groups and up to 0.3 s per attempt let the batch finish before the 15th kill.
    workspace = bl.Workspace(root, issue_group_size=CRASH_GROUP_SIZE)
    records = SAMPLE if fast else bl.make_input(CRASH_RECORDS, os.path.join(root, "apps.jsonl"))
    workspace.run("import", records)
    expected = eligible_applications(workspace)
    bl.log(f"crash: {len(expected):,} eligible applications, {kills} kill -9 at random moments, then a clean run")

    killed = 0
    for attempt in range(kills):
        # The kill comes after 0 to 2 more committed groups (the issuer prints one progress line per
        # group) plus a random 0 to 0.1 s, so it lands in start-up, rendering, a commit or a rename.
        groups = rng.randint(0, 2)
        delay = rng.uniform(0, 0.1)
        process = subprocess.Popen(workspace.command("issue"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   text=True)
        watchdog = threading.Timer(120, process.kill)
        watchdog.start()
        seen = 0
        while seen < groups:
            line = process.stderr.readline()
            if not line:
                break
            seen += line.startswith("progress: ")
        time.sleep(delay)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed += 1
        process.wait(timeout=60)
        watchdog.cancel()
        process.stderr.close()
        problems = bl.published_files_match(workspace)
        expect(not problems, f"after kill {attempt + 1}: " + "; ".join(problems[:5]))
        bl.log(f"  kill {attempt + 1} after {seen} groups + {delay:.2f} s: "
               f"{'killed' if process.returncode < 0 else f'exited {process.returncode} first'}, "
               f"{certificate_count(workspace):,} certificates committed")
    expect(killed == kills, f"only {killed} of {kills} issuers were still running when their kill came")

    final = workspace.run("issue", timeout=900)
    expect(final.returncode == 0, f"the clean run exited with {final.returncode}: {final.stderr[-500:]}")
    expect_consistent(workspace, expected)
    again = workspace.run("issue")
    expect("issued 0 certificates" in again.stdout, f"a second clean run issued more: {again.stdout.strip()}")
    bl.log(f"crash: PASS, {killed} processes killed; {len(expected):,} certificates, each file matches its hash")


# MARK: - Two issuers at once

def concurrent(root, fast, rng):
    # A batch longer than SQLite's 10 s busy timeout matters, because the second issuer then waits longer
    # than SQLite alone would let it.
    inputs = [SAMPLE] if fast else [SAMPLE, SAMPLE, bl.make_input(CRASH_RECORDS, os.path.join(root, "apps.jsonl"))]
    rounds = len(inputs)
    for round_number, records in enumerate(inputs):
        workspace = bl.Workspace(os.path.join(root, f"round{round_number}"))
        workspace.run("import", records)
        workspace.run("keys", "generate")  # so the two issuers do not both create a first key
        expected = eligible_applications(workspace)
        processes = [subprocess.Popen(workspace.command("issue"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True) for _ in range(2)]
        outputs = [process.communicate(timeout=600) for process in processes]
        for index, (process, (stdout, stderr)) in enumerate(zip(processes, outputs)):
            expect(process.returncode == 0, f"issuer {index + 1} exited with {process.returncode}: {stderr[-500:]}")
        expect_consistent(workspace, expected)
        summary = ", ".join(stdout.strip().split(";")[0] for stdout, _ in outputs)
        bl.log(f"concurrent round {round_number + 1} ({len(expected):,} eligible): {summary}")
    bl.log(f"concurrent: PASS, {rounds} rounds, no duplicate number or application, both issuers exited 0")


# MARK: - No space left

def nospace(root, fast, rng):
    for variant in ("certificates folder", "store and certificates folder"):
        mount_point = os.path.join(root, "small-" + variant.split()[0])
        os.makedirs(mount_point)
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mount_point],
                                 capture_output=True, text=True)
        if mounted.returncode != 0:
            raise Failure(f"cannot mount a 2 MiB tmpfs ({mounted.stderr.strip()}); run as root or skip nospace")
        try:
            nospace_variant(root, mount_point, variant)
        finally:
            subprocess.run(["umount", mount_point], check=False)


def nospace_variant(root, mount_point, variant):
    name = variant.split()[0]
    workspace = bl.Workspace(os.path.join(root, "ws-" + name))
    workspace.out = os.path.join(mount_point, "certificates")
    if variant.startswith("store"):
        workspace.store = os.path.join(mount_point, "cecert.sqlite")
    workspace.run("import", SAMPLE)
    expected = eligible_applications(workspace)

    full = workspace.run("issue", check=False, timeout=600)
    message = full.stderr.strip().splitlines()[-1] if full.stderr.strip() else ""
    bl.log(f"nospace ({variant} on a 2 MiB tmpfs): exit {full.returncode}, last message: {message}")
    expect(full.returncode == 1, f"issuing into a full {variant} exited with {full.returncode}, not 1")
    expect("No space left on device" in full.stderr or "disk is full" in full.stderr,
           "the error does not say that the disk is full")
    problems = bl.published_files_match(workspace)
    expect(not problems, "after the full disk: " + "; ".join(problems[:5]))
    committed = certificate_count(workspace)

    subprocess.run(["mount", "-o", "remount,size=64m", mount_point], check=True)
    rerun = workspace.run("issue", timeout=600)
    expect(rerun.returncode == 0, f"the rerun after freeing space exited with {rerun.returncode}: {rerun.stderr[-500:]}")
    expect_consistent(workspace, expected)
    bl.log(f"nospace ({variant}): PASS, {committed} certificates committed before the error, "
           f"{len(expected)} after the rerun")


# MARK: - Broken start-up files

def startup(root, fast, rng):
    base = bl.Workspace(os.path.join(root, "base"))
    base.run("import", SAMPLE)
    base.run("keys", "generate")
    key_name = [name for name in os.listdir(base.keys) if name.endswith(".key")][0]
    font = os.path.join(bl.REPO, "fonts/LXGWWenKai-Regular.ttf")
    with open(font, "rb") as handle:
        font_head = handle.read(65536)

    def case(label, prepare, named):
        workspace_root = os.path.join(root, label.replace(" ", "-"))
        shutil.copytree(base.root, workspace_root)
        workspace = bl.Workspace(workspace_root)
        shutil.copytree(os.path.join(bl.REPO, "templates"), os.path.join(workspace_root, "templates"))
        workspace.config = bl.config_file(workspace_root, templates_directory=os.path.join(workspace_root, "templates"))
        path = prepare(workspace)
        result = workspace.run("issue", check=False, timeout=120)
        message = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "(no message)"
        bl.log(f"  {label}: exit {result.returncode}: {message}")
        expect(result.returncode == 1, f"{label}: exit status {result.returncode}, not 1")
        expect(path in message if named else True, f"{label}: the error does not name {path}")
        expect(certificate_count(workspace) == 0, f"{label}: certificates were issued anyway")

    def config_with(**settings):
        def prepare(workspace):
            workspace.config = bl.config_file(workspace.root, **{
                "templates_directory": os.path.join(workspace.root, "templates"), **settings})
            return next(iter(settings.values()))
        return prepare

    def write_file(relative, data):
        def prepare(workspace):
            path = os.path.join(workspace.root, relative)
            with open(path, "wb") as handle:
                handle.write(data)
            return path
        return prepare

    def rewrite_config_font(data):
        def prepare(workspace):
            path = os.path.join(workspace.root, "font.ttf")
            with open(path, "wb") as handle:
                handle.write(data)
            workspace.config = bl.config_file(workspace.root, font_path=path,
                                              templates_directory=os.path.join(workspace.root, "templates"))
            return path
        return prepare

    def remove(relative):
        def prepare(workspace):
            path = os.path.join(workspace.root, relative)
            os.remove(path)
            return path
        return prepare

    template = "templates/certificate-v1.json"
    cases = [
        ("font missing", config_with(font_path="/nonexistent/cecert-font.ttf")),
        ("font not a font", rewrite_config_font(b"not a font\n" * 100)),
        ("font truncated", rewrite_config_font(font_head)),
        ("font empty", rewrite_config_font(b"")),
        ("template folder missing", config_with(templates_directory="/nonexistent/cecert-templates")),
        ("template not JSON", write_file(template, b"{\"elements\": [")),
        ("template empty", write_file(template, b"")),
        ("template wrong shape", write_file(template, b"[1, 2, 3]")),
        ("key file missing", remove("keys/" + key_name)),
        ("key file corrupt", write_file("keys/" + key_name, b"zz" * 32 + b"\n")),
        ("key file of another key", write_file("keys/" + key_name, b"11" * 32 + b"\n")),
    ]
    failures = []
    for label, prepare in cases:
        try:
            case(label, prepare, named=True)
        except Failure as failure:
            failures.append(str(failure))
    expect(not failures, "; ".join(failures))
    bl.log(f"startup: PASS, {len(cases)} broken files each stopped issue with exit 1 and a message naming the file")


# MARK: - Hostile HTTP

def http(root, fast, rng):
    import hostile_http
    hostile_http.run(root, seed=rng.randrange(1 << 30), requests=10000)


TESTS = {"crash": crash, "concurrent": concurrent, "nospace": nospace, "startup": startup, "http": http}
FAST_SKIPS = {"nospace", "http"}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tests", nargs="*", help=", ".join(TESTS) + " (default: all)")
    parser.add_argument("--fast", action="store_true", help="short variants for `make test`; skips nospace and http")
    parser.add_argument("--seed", type=int, default=20201, help="seed for kill times and hostile requests")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    arguments = parser.parse_args()
    unknown = set(arguments.tests) - set(TESTS)
    if unknown:
        parser.error(f"unknown test {', '.join(sorted(unknown))}; choose from {', '.join(TESTS)}")
    names = arguments.tests or [name for name in TESTS if not (arguments.fast and name in FAST_SKIPS)]
    if not os.access(bl.CECERT, os.X_OK):
        sys.exit(f"error: {bl.CECERT} is missing; build it first or set CECERT")

    work = tempfile.mkdtemp(prefix="cecert-faults-")
    bl.log(f"cecert binary {bl.CECERT}; work folder {work}; seed {arguments.seed}; {bl.machine_line()}")
    failed = []
    for name in names:
        started = time.monotonic()
        os.makedirs(os.path.join(work, name))
        try:
            TESTS[name](os.path.join(work, name), arguments.fast, random.Random(f"{arguments.seed}-{name}"))
        except (Failure, RuntimeError, subprocess.SubprocessError) as error:
            bl.log(f"{name}: FAIL: {error}")
            failed.append(name)
        bl.log(f"{name}: {time.monotonic() - started:.1f} s")
    if not arguments.keep:
        shutil.rmtree(work, ignore_errors=True)
    bl.log("faults: all passed" if not failed else f"faults: FAILED {', '.join(failed)}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
