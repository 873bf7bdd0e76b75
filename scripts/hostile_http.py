#!/usr/bin/env python3
"""Hostile HTTP against `cecert serve` on 127.0.0.1: seeded malformed requests over raw sockets.

  python3 scripts/hostile_http.py [--requests N] [--seed N]    (or: scripts/faults.py http)

A 505 (HTTP Version Not Supported) for a request line with an unknown HTTP version counts as correct,
because RFC 9110 section 15.6.6 defines that status for it. Any other 5xx fails the test.

The server runs over the bundled sample's certificates with --no-rate-limit, so requests reach the parser
and the router instead of stopping at 429. The test fails on any 5xx, on a server that stops answering
or exits, and when the resident memory after the run is more than 10% plus 4 MiB above the baseline taken
after a warm-up. It connects only to the 127.0.0.1 port it started the server on, and stops by itself:
each socket has a 5 s timeout and the whole run a 600 s limit.
"""
import argparse
import concurrent.futures
import os
import random
import socket
import sqlite3
import struct
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench"))
import benchlib as bl  # noqa: E402
import verify_load  # noqa: E402

SAMPLE = os.path.join(bl.REPO, "demo/applications.sample.jsonl")
WORKERS = 8
SOCKET_TIMEOUT = 5.0
RUN_LIMIT_SECONDS = 600
MEMORY_SLACK_KIB = 4096
LOG_LEVELS = {"trace", "debug", "info", "notice", "warning", "error", "critical"}


class Generator:
    """Seeded hostile requests; each call returns (kind, bytes to send, delivery mode)."""

    def __init__(self, seed, codes, numbers):
        self.random = random.Random(seed)
        self.codes = codes
        self.numbers = numbers

    def code(self):
        return self.random.choice(self.codes)

    def target(self):
        r = self.random
        code = self.code()
        choices = [
            f"/v/{code}", f"/api/v1/verify/{code}", f"/v/{code.lower()}", f"/v/{code[:-1]}", f"/v/{code}{code}",
            f"/v/{code}/", f"/v//{code}", "/v/", "/v", "/", "/healthz", "/metrics", "/api/v1/keys",
            "/api/v1/openapi.json", "/api/v1/verify/", "/api/v1/verify-pdf", "/nonexistent",
            f"/api/v1/certificates/{r.choice(self.numbers)}.pdf",
            "/v/../../../../etc/passwd", "/v/..%2f..%2f..%2fetc%2fpasswd", "/api/v1/certificates/..%2F..%2Fcecert.sqlite.pdf",
            "/api/v1/certificates/../../cecert.sqlite", "/api/v1/certificates/%2e%2e%2fkeys.pdf",
            "/api/v1/certificates/....//....//etc/passwd.pdf", "/%2e%2e/%2e%2e/etc/passwd", "/v/%00", f"/v/{code}%00.pdf",
            "/v/%c0%ae%c0%ae/%c0%afetc", "/v/%ff%fe%fd", "/v/%", "/v/%zz", "/v/%2", "/v/%252e%252e%252f",
            f"/v/{code}?x=" + "%" * 50, f"/v/{code}?" + "&".join(f"a{i}=b" for i in range(200)),
            f"/v/{code}#frag", "*", "http://127.0.0.1/v/" + code, "//" * 300, "/v/" + "A" * r.choice([21, 100, 2047, 2100, 9000]),
            "/" + "a/" * r.randint(1, 1500), "/v/\u00e9\u4e2d".encode().decode("latin-1"),
        ]
        path = r.choice(choices)
        if r.random() < 0.15:
            path = path.encode("latin-1", "replace")
            return path + bytes(r.randrange(128, 256) for _ in range(r.randint(1, 8)))
        return path.encode("latin-1", "replace")

    def request(self):
        r = self.random
        kind = r.choices(["valid", "path", "method", "version", "headers", "huge_header", "many_headers", "utf8_header",
                          "line_endings", "nul", "garbage", "body", "slow", "early_close", "reset", "pipeline"],
                         weights=[10, 25, 6, 6, 6, 4, 3, 5, 4, 3, 5, 6, 2, 7, 4, 4])[0]
        target = self.target() if kind != "valid" else f"/{r.choice(['v', 'api/v1/verify'])}/{self.code()}".encode()
        method = b"GET"
        version = b"HTTP/1.1"
        headers = [b"Host: 127.0.0.1", b"User-Agent: cecert-hostile/1", b"Connection: close"]
        body = b""
        delivery = "normal"
        if kind == "method":
            method = r.choice([b"POST", b"PUT", b"DELETE", b"OPTIONS", b"TRACE", b"CONNECT", b"get", b"G E T", b"",
                               b"PROPFIND", b"X" * 300, b"HEAD"])
        elif kind == "version":
            version = r.choice([b"HTTP/1.0", b"HTTP/0.9", b"HTTP/2.0", b"HTTP/9.9", b"HTTP/1.1.1", b"HTTX/1.1", b"",
                                b"HTTP/1." + b"1" * 100])
        elif kind == "headers":
            headers = r.choice([[], [b"Host:"], [b"Host: a", b"Host: b"], [b": empty-name"], [b"NoColon"],
                                [b"Host: 127.0.0.1", b" folded-continuation"], [b"Content-Length: -1"],
                                [b"Content-Length: 99999999999999999999"], [b"Transfer-Encoding: chunked"],
                                [b"Host: 127.0.0.1", b"X-Forwarded-For: 1.2.3.4, ::1, garbage"],
                                [b"Host: 127.0.0.1", b"Authorization: Bearer " + b"x" * 500],
                                [b"Host: 127.0.0.1", b"Range: bytes=0-1,2-3,-1"]])
        elif kind == "huge_header":
            headers.append(b"X-Huge: " + b"h" * r.choice([8000, 33000, 70000, 300000]))
        elif kind == "many_headers":
            headers += [f"X-H{i}: {i}".encode() for i in range(r.choice([100, 1000, 5000]))]
        elif kind == "utf8_header":
            headers.append(b"X-Name: " + r.choice([b"\xff\xfe", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe4\xb8", "张三".encode()]))
        elif kind == "nul":
            target = target + b"\x00" + target
        elif kind == "body":
            method = b"POST"
            target = r.choice([b"/api/v1/verify-pdf", target])
            size = r.choice([0, 10, 5000, 300000])
            body = r.choice([b"%PDF-1.4\n", b"", b"\xff" * 10]) + bytes(r.randrange(256) for _ in range(min(size, 2000)))
            body += b"x" * max(0, size - len(body))
            declared = r.choice([len(body), len(body) + 100, max(0, len(body) - 5), 3 * 1024 * 1024])
            headers.append(f"Content-Length: {declared}".encode())
            headers.append(b"Content-Type: " + r.choice([b"application/pdf", b"multipart/form-data; boundary=x", b"text/plain"]))
        elif kind == "slow":
            delivery = "slow"
        elif kind == "early_close":
            delivery = "early_close"
        elif kind == "reset":
            delivery = "reset"
        elif kind == "pipeline":
            headers = [b"Host: 127.0.0.1"]
            delivery = "pipeline"
        ending = b"\r\n"
        if kind == "line_endings":
            ending = r.choice([b"\n", b"\r", b"\n\r", b"\r\r\n"])
        data = method + b" " + target + b" " + version + ending + b"".join(h + ending for h in headers) + ending + body
        if kind == "garbage":
            data = bytes(r.randrange(256) for _ in range(r.randint(1, 3000)))
        if delivery == "pipeline":
            data = data * r.randint(2, 20)
        return kind, data, delivery


def send(port, data, delivery, rng):
    """Send one request; return the status codes read back (possibly none)."""
    with socket.create_connection(("127.0.0.1", port), timeout=SOCKET_TIMEOUT) as connection:
        if delivery == "reset":
            connection.sendall(data[: max(1, len(data) // 2)])
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return []
        if delivery == "early_close":
            connection.sendall(data[: rng.randint(0, len(data))])
            return []
        if delivery == "slow":
            # A slow sender: a few bytes every 50 ms for at most about 3 s, then whatever is left at once.
            position = 0
            deadline = time.monotonic() + 3
            while position < len(data) and time.monotonic() < deadline:
                connection.sendall(data[position:position + 3])
                position += 3
                time.sleep(0.05)
            connection.sendall(data[position:])
        else:
            try:
                connection.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server may close early on an oversized request; read what it sent
        try:
            connection.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        received = b""
        try:
            while len(received) < 4_000_000:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                received += chunk
        except (ConnectionResetError, socket.timeout):
            pass
    statuses = []
    for line in received.split(b"\r\n"):
        if line.startswith(b"HTTP/1.") and len(line) >= 12 and line[9:12].isdigit():
            statuses.append(int(line[9:12]))
    return statuses


def sample_store(root):
    workspace = bl.Workspace(os.path.join(root, "store"))
    workspace.run("import", SAMPLE)
    workspace.run("issue")
    connection = sqlite3.connect(f"file:{workspace.store}?mode=ro", uri=True)
    try:
        rows = connection.execute("SELECT verification_code, number FROM certificates").fetchall()
    finally:
        connection.close()
    return workspace, [row[0] for row in rows], [row[1] for row in rows]


def answer_delay(port, path, limit):
    """Seconds until GET `path` returns 200, polling with 5 s timeouts, or None after `limit` seconds."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        try:
            if verify_load.fetch(port, path)[0] == 200:
                return time.monotonic() - started
        except OSError:
            time.sleep(0.5)
    return None


def warm(port, codes):
    for code in codes:
        for prefix in ("/v/", "/api/v1/verify/"):
            try:
                status, _ = verify_load.fetch(port, prefix + code)
            except OSError as error:
                raise RuntimeError(f"warm-up GET {prefix}{code} failed: {error}")
            if status != 200:
                raise RuntimeError(f"warm-up GET {prefix}{code} returned {status}")


def run(root, seed, requests):
    os.makedirs(root, exist_ok=True)
    workspace, codes, numbers = sample_store(root)
    port = bl.free_port()
    bl.log(f"http: {requests:,} hostile requests, seed {seed}, against cecert serve --no-rate-limit on 127.0.0.1:{port}")
    with verify_load.CecertServer(workspace, port, os.path.join(root, "serve.log")) as server:
        problem = server.wait_ready("/healthz")
        if problem:
            raise RuntimeError(f"cecert serve {problem}")
        pid = server.process.pid
        warm(port, codes)
        warm(port, codes)
        baseline = bl.resident_kib(pid)

        generator = Generator(seed, codes, numbers)
        plans = [generator.request() for _ in range(requests)]
        counts, failures, lock = {}, [], threading.Lock()
        started = time.monotonic()

        def one(index):
            kind, data, delivery = plans[index]
            if time.monotonic() - started > RUN_LIMIT_SECONDS:
                return
            try:
                statuses = send(port, data, delivery, random.Random(seed + index))
            except ConnectionRefusedError:
                with lock:
                    failures.append(f"request {index} ({kind}): connection refused; the server may have crashed")
                return
            except OSError as error:
                statuses = [f"socket {type(error).__name__}"]
            with lock:
                for status in statuses or ["no response"]:
                    counts[(kind, status)] = counts.get((kind, status), 0) + 1
                    if isinstance(status, int) and status >= 500 and not (status == 505 and kind == "version"):
                        failures.append(f"request {index} ({kind}) got {status}: {data[:120]!r}")

        with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
            list(pool.map(one, range(requests)))
        elapsed = time.monotonic() - started
        alive = server.process.poll() is None
        recovery = answer_delay(port, "/v/" + codes[0], limit=60) if alive else None
        if recovery is None and alive:
            failures.append("the server stopped answering: GET /v/<code> failed for 60 s after the run")
        elif alive:
            bl.log(f"http: the first valid GET after the run was answered {recovery:.1f} s after the run ended")
            time.sleep(2)
            warm(port, codes)
        after = bl.resident_kib(pid) if alive else 0

    log_levels = {}
    for line in server.log_text().splitlines():
        parts = line.split(" ", 2)
        level = parts[1] if len(parts) > 2 and parts[1] in LOG_LEVELS else "(other)"
        log_levels[level] = log_levels.get(level, 0) + 1
    bl.log(f"http: server log lines by level: {dict(sorted(log_levels.items()))}")
    summary = {}
    for (kind, status), count in counts.items():
        summary.setdefault(str(status), 0)
        summary[str(status)] += count
    bl.log(f"http: {elapsed:.1f} s; responses by status: {dict(sorted(summary.items()))}")
    versions = sum(count for (kind, status), count in counts.items() if kind == "version" and status == 505)
    if versions:
        bl.log(f"http: {versions} responses were 505 to an unknown HTTP version, which is the correct status")
    bl.log(f"http: server RSS baseline {baseline / 1024:.1f} MiB, after {after / 1024:.1f} MiB")
    problems = []
    if not alive:
        problems.append(f"the server exited with {server.process.returncode}")
    if elapsed > RUN_LIMIT_SECONDS:
        problems.append(f"the run hit its {RUN_LIMIT_SECONDS} s limit before sending every request")
    if failures:
        problems.append(f"{len(failures)} failures, e.g. {failures[:3]}")
    if alive and after > baseline * 1.1 + MEMORY_SLACK_KIB:
        problems.append(f"memory did not return to baseline: {baseline} KiB before, {after} KiB after")
    if problems:
        raise RuntimeError("; ".join(problems))
    bl.log("http: PASS, no crash, no 5xx, memory back to baseline")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=20201)
    arguments = parser.parse_args()
    root = tempfile.mkdtemp(prefix="cecert-hostile-")
    try:
        run(root, arguments.seed, arguments.requests)
    except RuntimeError as error:
        sys.exit(f"http: FAIL: {error}")


if __name__ == "__main__":
    main()
