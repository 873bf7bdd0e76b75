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
    }

    struct State {
        var requests: [RequestKey: Int] = [:]
        var latency: [Route: Histogram] = [:]
        var verifications: [String: Int] = [:]
        var rateLimited = 0
    }

    private let state = Mutex(State())

    /// Counts one finished request and its handling time in seconds.
    func recordRequest(route: Route, status: Int, seconds: Double) {
        state.withLock { state in
            state.requests[RequestKey(route: route, status: status), default: 0] += 1
            var histogram = state.latency[route] ?? Histogram()
            if let bucket = Metrics.latencyBounds.firstIndex(where: { seconds <= $0 }) {
                histogram.counts[bucket] += 1
            }
            histogram.sum += seconds
            histogram.count += 1
            state.latency[route] = histogram
        }
    }

    /// Counts one verification by its result, the API `status` value.
    func recordVerification(_ status: String) {
        state.withLock { $0.verifications[status, default: 0] += 1 }
    }

    func recordRateLimited() {
        state.withLock { $0.rateLimited += 1 }
    }

    /// The number of requests counted for a route and status; for tests.
    func requestCount(route: Route, status: Int) -> Int {
        state.withLock { $0.requests[RequestKey(route: route, status: status)] ?? 0 }
    }

    /// The Prometheus text exposition (format 0.0.4) of every metric.
    func exposition() -> String {
        let snapshot = state.withLock { $0 }
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
