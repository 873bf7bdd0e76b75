import Foundation
import Synchronization

/// The routes as metrics and logs name them; a fixed set, so label values stay bounded.
enum Route: String, Sendable, CaseIterable {
    case verifyPage = "verify_page"
    case verifyAPI = "verify_api"
    case lookupForm = "lookup_form"
    case verifyPDF = "verify_pdf"
    case download
    case keys
    case healthz
    case metrics
    case openAPI = "openapi"
    /// Any path the server does not serve, and requests rejected before routing.
    case other
}

/// Request counters and a latency histogram, exposed in the Prometheus text format.
///
/// Counts are kept in several shards picked by the calling thread, so worker threads rarely contend
/// for one lock; `exposition()` adds the shards up.
final class Metrics: Sendable {
    /// Upper bounds of the latency buckets, in seconds.
    static let latencyBounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

    struct RequestKey: Hashable {
        var route: Route
        var status: Int
    }

    struct Histogram {
        var counts = [Int](repeating: 0, count: Metrics.latencyBounds.count)
        var sum = 0.0
        var count = 0

        /// Counts one observation; a nil bucket is above every bound and shows only in `+Inf`.
        mutating func record(_ seconds: Double, bucket: Int?) {
            if let bucket { counts[bucket] += 1 }
            sum += seconds
            count += 1
        }

        mutating func add(_ other: Histogram) {
            for index in counts.indices { counts[index] += other.counts[index] }
            sum += other.sum
            count += other.count
        }
    }

    struct State {
        var requests: [RequestKey: Int] = [:]
        var latency: [Route: Histogram] = [:]
        var verifications: [String: Int] = [:]
        var rateLimited = 0
    }

    private let shards = (0..<8).map { _ in LockedValue(State()) }

    /// The calling thread's shard. Thread ids are stack addresses on Linux, so the low bits are dropped.
    private var shard: LockedValue<State> {
        shards[Int((UInt(bitPattern: Int(bitPattern: pthread_self())) >> 12) % UInt(shards.count))]
    }

    /// Counts one finished request and its handling time in seconds.
    func recordRequest(route: Route, status: Int, seconds: Double) {
        shard.withLock { state in
            state.requests[RequestKey(route: route, status: status), default: 0] += 1
            let bucket = Metrics.latencyBounds.firstIndex(where: { seconds <= $0 })
            state.latency[route, default: Histogram()].record(seconds, bucket: bucket)
        }
    }

    /// Counts one verification by its result, the API `status` value.
    func recordVerification(_ status: String) {
        shard.withLock { $0.verifications[status, default: 0] += 1 }
    }

    func recordRateLimited() {
        shard.withLock { $0.rateLimited += 1 }
    }

    /// Returns the number of requests counted for a route and status.
    func requestCount(route: Route, status: Int) -> Int {
        snapshot().requests[RequestKey(route: route, status: status)] ?? 0
    }

    /// Adds up every shard.
    private func snapshot() -> State {
        var total = State()
        for shard in shards {
            let part = shard.withLock { $0 }
            total.requests.merge(part.requests, uniquingKeysWith: +)
            total.verifications.merge(part.verifications, uniquingKeysWith: +)
            total.rateLimited += part.rateLimited
            for (route, histogram) in part.latency {
                total.latency[route, default: Histogram()].add(histogram)
            }
        }
        return total
    }

    /// Renders every metric in the Prometheus text exposition format 0.0.4.
    func exposition() -> String {
        let snapshot = snapshot()
        var text = "# HELP cecert_http_requests_total HTTP requests by route and status.\n"
        text += "# TYPE cecert_http_requests_total counter\n"
        let requestKeys = snapshot.requests.keys.sorted { ($0.route.rawValue, $0.status) < ($1.route.rawValue, $1.status) }
        for key in requestKeys {
            text += "cecert_http_requests_total{route=\"\(key.route.rawValue)\",status=\"\(key.status)\"} "
            text += "\(snapshot.requests[key]!)\n"
        }

        text += "# HELP cecert_http_request_duration_seconds Time from the first request byte handled to the response queued.\n"
        text += "# TYPE cecert_http_request_duration_seconds histogram\n"
        for route in Route.allCases {
            guard let histogram = snapshot.latency[route] else { continue }
            var cumulative = 0
            for (index, bound) in Metrics.latencyBounds.enumerated() {
                cumulative += histogram.counts[index]
                text += "cecert_http_request_duration_seconds_bucket{route=\"\(route.rawValue)\",le=\"\(bound)\"} \(cumulative)\n"
            }
            text += "cecert_http_request_duration_seconds_bucket{route=\"\(route.rawValue)\",le=\"+Inf\"} \(histogram.count)\n"
            text += "cecert_http_request_duration_seconds_sum{route=\"\(route.rawValue)\"} \(histogram.sum)\n"
            text += "cecert_http_request_duration_seconds_count{route=\"\(route.rawValue)\"} \(histogram.count)\n"
        }

        text += "# HELP cecert_verifications_total Verifications by result.\n"
        text += "# TYPE cecert_verifications_total counter\n"
        for status in VerificationView.Status.allCases {
            text += "cecert_verifications_total{result=\"\(status.rawValue)\"} \(snapshot.verifications[status.rawValue] ?? 0)\n"
        }

        text += "# HELP cecert_rate_limited_total Requests rejected with 429.\n"
        text += "# TYPE cecert_rate_limited_total counter\n"
        text += "cecert_rate_limited_total \(snapshot.rateLimited)\n"
        return text
    }
}
