import CecertCore
import CecertServer
import Foundation
import Synchronization
import Testing

/// A bounded load loop on 127.0.0.1, run only with `CECERT_BENCH=1` because its figures depend on the machine.
///
/// It issues `CECERT_BENCH_CERTIFICATES` certificates (default 20,000) and requests each once to warm
/// the caches. Then `CECERT_BENCH_CLIENT_THREADS` threads (default 2, as in `wrk -t2 -c64`) keep
/// `CECERT_BENCH_CONNECTIONS` keep-alive connections (default 64) busy for `CECERT_BENCH_SECONDS`
/// (default 5, at most 60). Requests alternate `GET /v/<code>` and `GET /api/v1/verify/<code>` over all codes.
/// The server uses `CECERT_BENCH_THREADS` worker threads (default 4).
@Suite("Throughput", .enabled(if: ProcessInfo.processInfo.environment["CECERT_BENCH"] == "1"))
struct ThroughputTests {
    static func setting(_ name: String, _ fallback: Int) -> Int {
        ProcessInfo.processInfo.environment[name].flatMap(Int.init) ?? fallback
    }

    /// Returns the ids of libmicrohttpd's threads, which it names `MHD-…` on Linux. Call it before
    /// starting client threads, because threads started later can inherit the name.
    static func serverThreadIDs() -> [String] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.filter { task in
            (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8))?.hasPrefix("MHD") == true
        }
    }

    /// Returns the CPU seconds used so far by the given threads.
    static func cpuSeconds(threads: [String]) -> Double {
        var ticks = 0
        for task in threads {
            guard let stat = try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // After the command name come state (field 3) and so on; utime and stime are fields 14 and 15.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            ticks += (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
        }
        return Double(ticks) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    @Test("verify endpoints under load")
    func verifyUnderLoad() throws {
        let certificates = Self.setting("CECERT_BENCH_CERTIFICATES", 20_000)
        let connections = Self.setting("CECERT_BENCH_CONNECTIONS", 64)
        let seconds = Double(min(Self.setting("CECERT_BENCH_SECONDS", 5), 60))
        let threads = Self.setting("CECERT_BENCH_THREADS", 4)
        let clientThreads = Self.setting("CECERT_BENCH_CLIENT_THREADS", 2)

        try ServerHarness.with(logLevel: .info, configure: { $0.threadPoolSize = threads }, prepare: { fixture in
            try fixture.store.connection.withTransaction {
                for _ in 0..<certificates { try fixture.issue(writePDF: false) }
            }
        }) { harness in
            let codes = try harness.fixture.store.connection.query("SELECT verification_code FROM certificates")
                .compactMap { $0.text("verification_code") }
            #expect(codes.count == certificates)
            // One untimed request per certificate, so the timed phase measures the warm path.
            // CECERT_BENCH_WARM=0 skips it, to measure first lookups with their signature checks.
            if Self.setting("CECERT_BENCH_WARM", 1) != 0 {
                let warmUp = try TestConnection(port: harness.port)
                for code in codes {
                    _ = try warmUp.request("GET", "/api/v1/verify/\(code)")
                }
            }
            let serverThreads = Self.serverThreadIDs()
            let cpuBefore = Self.cpuSeconds(threads: serverThreads)
            let results = Mutex<(latencies: [Double], errors: Int)>(([], 0))
            let deadline = Date().addingTimeInterval(seconds)
            let generator = LoadGenerator(port: harness.port, connectionsPerThread: max(1, connections / clientThreads)) {
                connection, sequence in
                let code = codes[(sequence * 7919 + connection * 104_729) % codes.count]
                return (sequence + connection) % 2 == 0 ? "/v/\(code)" : "/api/v1/verify/\(code)"
            }
            let group = DispatchGroup()
            for threadIndex in 0..<clientThreads {
                group.enter()
                Thread.detachNewThread {
                    defer { group.leave() }
                    let result = generator.run(threadIndex: threadIndex, deadline: deadline, maxRequests: 5_000_000)
                    results.withLock {
                        $0.latencies += result.latenciesMilliseconds
                        $0.errors += result.errors
                    }
                }
            }
            #expect(group.wait(timeout: .now() + seconds + 30) == .success)
            let cpuSeconds = Self.cpuSeconds(threads: serverThreads) - cpuBefore
            let (latencies, errors) = results.withLock { $0 }
            let sorted = latencies.sorted()
            let percentile = { (p: Double) in sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
            print("""
                throughput: \(certificates) certificates, \(connections) connections, \(threads) server threads, \
                \(clientThreads) client threads, \(Int(seconds)) s: \(sorted.count) requests, \(Int(Double(sorted.count) / seconds)) requests/s, \
                p50 \(String(format: "%.2f", percentile(0.5))) ms, p99 \(String(format: "%.2f", percentile(0.99))) ms, \
                max \(String(format: "%.2f", sorted.last ?? 0)) ms, \(sorted.filter { $0 > 50 }.count) over 50 ms, errors \(errors), \(serverThreads.count) server threads \
                used \(String(format: "%.1f", cpuSeconds * 1e6 / Double(max(sorted.count, 1)))) µs per request
                """)
            let metrics = try harness.get("/metrics").text.split(separator: "\n")
                .filter { $0.hasPrefix("cecert_http_request_duration_seconds_bucket{route=\"verify_api\"") }
            print("server-side handling time of verify_api, warm-up included: " + metrics.joined(separator: "; "))
            #expect(errors == 0)
        }
    }
}
