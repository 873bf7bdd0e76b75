"""Verification under load: wrk against `cecert serve` and against nginx serving same-size static files.

Both servers listen on 127.0.0.1 ports chosen here, and both are stopped when the run ends, also on error.
Each wrk run uses 2 threads, 64 connections and 10 s; its Lua script picks a random stored verification
code for every request, and nginx serves one static file per endpoint on the same paths.
"""
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
import urllib.request

import benchlib as bl

THREADS = 2
CONNECTIONS = 64
DURATION_SECONDS = 10
RATE_TARGET = 0.5
P99_TARGET_MS = 10.0
# Used for nginx's files only when cecert's server does not respond, so its real body sizes are unknown.
FALLBACK_SIZES = {"page": 6144, "json": 1024}
ENDPOINTS = (("page", "/v/", "text/html; charset=utf-8"), ("json", "/api/v1/verify/", "application/json"))

WRK_SCRIPT = """
local codes = {}
for line in io.lines("%(codes)s") do codes[#codes + 1] = line end
local prefix = "%(prefix)s"
local threads = 0

function setup(thread)
    threads = threads + 1
    thread:set("seed", threads)
end

function init(args)
    math.randomseed(%(seed)d + seed)
end

function request()
    return wrk.format("GET", prefix .. codes[math.random(#codes)])
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        'WRK {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, "non_2xx": %%d, ' ..
        '"connect": %%d, "read": %%d, "write": %%d, "timeout": %%d}\\n',
        summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
        e.status, e.connect, e.read, e.write, e.timeout))
end
"""


def write_codes(workspace, path, limit=20000):
    """Write up to `limit` valid verification codes from the store, one a line, in a seeded random order."""
    connection = sqlite3.connect(f"file:{workspace.store}?mode=ro", uri=True)
    try:
        codes = [row[0] for row in connection.execute(
            "SELECT verification_code FROM certificates WHERE state = 'valid' ORDER BY number")]
    finally:
        connection.close()
    random.Random(6).shuffle(codes)
    with open(path, "w") as handle:
        handle.write("\n".join(codes[:limit]) + "\n")
    return codes


def run_wrk(port, prefix, codes_path, script_path, seed):
    with open(script_path, "w") as handle:
        handle.write(WRK_SCRIPT % {"codes": codes_path, "prefix": prefix, "seed": seed})
    command = ["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{DURATION_SECONDS}s", "--timeout", "2s",
               "-s", script_path, f"http://127.0.0.1:{port}"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=DURATION_SECONDS + 30)
    lines = [line for line in result.stdout.splitlines() if line.startswith("WRK ")]
    if result.returncode != 0 or not lines:
        raise RuntimeError(f"wrk exited with {result.returncode}: {result.stderr[-1000:]}{result.stdout[-1000:]}")
    figures = json.loads(lines[-1][4:])
    figures["rate"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


class Nginx:
    """nginx with a private prefix, configuration and pid file under `root`, serving one file per endpoint."""

    def __init__(self, root, port, sizes):
        self.root = root
        self.port = port
        os.makedirs(os.path.join(root, "www"), exist_ok=True)
        os.makedirs(os.path.join(root, "temp"), exist_ok=True)
        for directory in (root, os.path.join(root, "www")):
            os.chmod(directory, 0o755)  # nginx workers run as nobody when started by root
        for name, size in sizes.items():
            with open(os.path.join(root, "www", name), "wb") as handle:
                handle.write(b"x" * size)
        temp = os.path.join(root, "temp")
        locations = "\n".join(
            f"location {prefix} {{ default_type \"{content_type}\"; try_files /{name} =404; }}"
            for name, prefix, content_type in ENDPOINTS)
        config = f"""
daemon off;
worker_processes auto;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root}/www;
        {locations}
    }}
}}
"""
        self.config = os.path.join(root, "nginx.conf")
        with open(self.config, "w") as handle:
            handle.write(config)
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(["nginx", "-p", self.root, "-c", self.config],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if not bl.wait_for_http(f"http://127.0.0.1:{self.port}/v/probe", 10):
            self.__exit__(None, None, None)
            raise RuntimeError(f"nginx did not answer on 127.0.0.1:{self.port}; see {self.root}/error.log")
        return self

    def __exit__(self, *exception):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful stop of master and workers
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class CecertServer:
    """`cecert serve` on 127.0.0.1:`port` with rate limits off; stopped with SIGTERM (SIGKILL after 10 s).

    Its output goes to `log_path`, never to a pipe: the server writes log lines from its worker threads,
    so a pipe nobody reads fills after 64 KiB and every worker blocks.
    """

    def __init__(self, workspace, port, log_path, extra=("--no-rate-limit",)):
        self.command = workspace.command("serve", "--listen", f"127.0.0.1:{port}", *extra)
        self.port = port
        self.log_path = log_path
        self.process = None

    def __enter__(self):
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(self.command, stdout=self.log, stderr=subprocess.STDOUT)
        return self

    def log_text(self):
        with open(self.log_path, errors="replace") as handle:
            return handle.read()

    def wait_ready(self, path, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return f"exited with {self.process.returncode}: {self.log_text()[-1000:]}"
            if bl.wait_for_http(f"http://127.0.0.1:{self.port}{path}", 0.5):
                return None
        return f"did not answer on 127.0.0.1:{self.port} within {timeout} s"

    def __exit__(self, *exception):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def fetch(port, path):
    """GET a 127.0.0.1 path and return (status, body bytes)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def run(workspace, root):
    os.makedirs(root, exist_ok=True)
    bl.log("\n== Verification: wrk -t2 -c64 -d10s, random stored codes, cecert serve vs nginx static ==")
    bl.log(f"before: {bl.machine_line()}")
    bl.log("cecert serve runs with --no-rate-limit so its per-client rate limits do not throttle wrk.")
    bl.log("wrk, the server and nginx share the same CPUs, so both figures are lower than on separate hosts.")
    codes_path = os.path.join(root, "codes.txt")
    codes = write_codes(workspace, codes_path)
    bl.log(f"store {workspace.store}: {len(codes):,} valid certificates")

    results = {}
    sizes = dict(FALLBACK_SIZES)
    server_port = bl.free_port()
    with CecertServer(workspace, server_port, os.path.join(root, "serve.log")) as server:
        problem = server.wait_ready("/api/v1/verify/" + codes[0])
        if problem:
            bl.log(f"SKIPPED cecert runs: `{' '.join(server.command[1:4])} ...` {problem}")
        else:
            for name, prefix, _ in ENDPOINTS:
                status, body = fetch(server_port, prefix + codes[0])
                sizes[name] = len(body)
                bl.log(f"GET {prefix}<code>: status {status}, {len(body):,} bytes")
            for index, (name, prefix, _) in enumerate(ENDPOINTS):
                results[("cecert", name)] = run_wrk(server_port, prefix, codes_path,
                                                    os.path.join(root, f"cecert-{name}.lua"), seed=index)
                bl.log(f"after cecert {prefix}: load average {bl.load_average()}")
    if sizes == FALLBACK_SIZES:
        bl.log(f"NOTE: nginx files use assumed sizes {sizes}, not the server's real body sizes")

    nginx_port = bl.free_port()
    # Its own folder under /tmp, opened to all: nginx workers started by root run as nobody, and the
    # benchmark's work folder is private.
    nginx_root = tempfile.mkdtemp(prefix="cecert-bench-nginx-")
    os.chmod(nginx_root, 0o755)
    with Nginx(nginx_root, nginx_port, sizes):
        for name, prefix, _ in ENDPOINTS:
            status, body = fetch(nginx_port, prefix + codes[0])
            if status != 200 or len(body) != sizes[name]:
                raise RuntimeError(f"nginx answered GET {prefix}<code> with {status} and {len(body)} bytes, "
                                   f"not 200 and {sizes[name]}; see {nginx_root}/error.log")
        for index, (name, prefix, _) in enumerate(ENDPOINTS):
            results[("nginx", name)] = run_wrk(nginx_port, prefix, codes_path,
                                               os.path.join(root, f"nginx-{name}.lua"), seed=index)
            bl.log(f"after nginx {prefix}: load average {bl.load_average()}")
    shutil.rmtree(nginx_root, ignore_errors=True)
    report(results, sizes)
    return results


def report(results, sizes):
    rows = [("server", "path", "body B", "requests/s", "p50 ms", "p99 ms", "non-2xx", "socket errors")]
    for (server, name), figures in results.items():
        prefix = dict((n, p) for n, p, _ in ENDPOINTS)[name]
        errors = figures["connect"] + figures["read"] + figures["write"] + figures["timeout"]
        rows.append((server, prefix + "<code>", str(sizes[name]), f"{figures['rate']:.0f}",
                     f"{figures['p50_us'] / 1000:.2f}", f"{figures['p99_us'] / 1000:.2f}", str(figures["non_2xx"]),
                     str(errors)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        bl.log("  ".join(cell.rjust(width) for cell, width in zip(row, widths)))
    for name, prefix, _ in ENDPOINTS:
        ours, ceiling = results.get(("cecert", name)), results.get(("nginx", name))
        if not ours or not ceiling:
            bl.log(f"{prefix}<code>: no ratio, because the cecert run did not happen")
            continue
        rate_ratio = ours["rate"] / ceiling["rate"]
        p99 = ours["p99_us"] / 1000
        bl.log(f"{prefix}<code>: cecert / nginx requests/s {rate_ratio:.2f} (target >= {RATE_TARGET}: "
               f"{'meets target' if rate_ratio >= RATE_TARGET else 'MISSES target'}); p99 {p99:.2f} ms "
               f"(target < {P99_TARGET_MS:.0f} ms: {'meets target' if p99 < P99_TARGET_MS else 'MISSES target'})")
