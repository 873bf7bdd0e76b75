import CecertCore
import CecertStore
import Foundation

/// Maps a request to a handler and its response. Pure Swift: the C callbacks live in `VerificationServer`.
///
/// Safe to call from any number of libmicrohttpd worker threads at once.
final class RequestRouter: Sendable {
    let configuration: ServerConfiguration
    let directory: StoreDirectory
    let lookup: CertificateLookup
    let logger: Logger
    let metrics: Metrics
    let lookupLimiter: RateLimiter?
    let failureLimiter: RateLimiter?
    /// Decoded `downloadTokenHashes`; entries that are not 64 hex digits are dropped at startup.
    let tokenHashes: [[UInt8]]
    let openAPIDocument: String
    /// Whether any handler reads `HTTPRequest.clientAddress`; only the rate limiters do.
    var usesClientAddress: Bool { lookupLimiter != nil || failureLimiter != nil }

    init(configuration: ServerConfiguration, directory: StoreDirectory, logger: Logger, metrics: Metrics) {
        self.configuration = configuration
        self.directory = directory
        self.logger = logger
        self.metrics = metrics
        self.lookup = CertificateLookup(directory: directory, cacheSize: configuration.verifiedRecordCacheSize)
        self.lookupLimiter = configuration.lookupRateLimit.map {
            RateLimiter(limit: $0, maxClients: configuration.maxTrackedClients)
        }
        self.failureLimiter = configuration.failedLookupRateLimit.map {
            RateLimiter(limit: $0, maxClients: configuration.maxTrackedClients)
        }
        self.tokenHashes = configuration.downloadTokenHashes.compactMap { hex in
            Sodium.bytes(fromHex: hex.lowercased()).flatMap { $0.count == 32 ? $0 : nil }
        }
        self.openAPIDocument = OpenAPIDocument.json
    }

    /// Handles one request. Never throws: an unexpected error becomes a generic 500, detailed in the log.
    func handle(_ request: HTTPRequest) -> (route: Route, response: HTTPResponse) {
        let (route, allowed) = Self.route(for: request.path)
        let method = request.method == "HEAD" ? "GET" : request.method
        guard let route else {
            // An unknown path is 404 for the methods the server uses anywhere, and 405 for any other method.
            if allowed.contains(method) { return (.other, notFound(request)) }
            return (.other, methodNotAllowed(request, allow: "GET, HEAD, POST"))
        }
        guard allowed.contains(method) else {
            let allow = allowed.contains("GET") ? allowed + ["HEAD"] : allowed
            return (route, methodNotAllowed(request, allow: allow.joined(separator: ", ")))
        }
        do {
            return (route, try dispatch(route, request))
        } catch {
            requestLogger(request).error("Request failed unexpectedly", metadata: ["route": route.rawValue,
                                                                                    "error": "\(error)"])
            return (route, internalError(request))
        }
    }

    /// Finds the route for a path and its allowed methods. A nil route is an unknown path.
    static func route(for path: String) -> (Route?, [String]) {
        switch path {
        case "/healthz": return (.healthz, ["GET"])
        case "/metrics": return (.metrics, ["GET"])
        case "/api/v1/openapi.json": return (.openAPI, ["GET"])
        case "/api/v1/keys": return (.keys, ["GET"])
        case "/api/v1/verify-pdf": return (.verifyPDF, ["POST"])
        case "/v", "/v/": return (.lookupForm, ["GET"])
        default: break
        }
        if let code = path.suffix(afterPrefix: "/v/"), code.isPathSegment {
            return (.verifyPage, ["GET"])
        }
        if let code = path.suffix(afterPrefix: "/api/v1/verify/"), code.isPathSegment {
            return (.verifyAPI, ["GET"])
        }
        if let file = path.suffix(afterPrefix: "/api/v1/certificates/"), file.hasSuffix(".pdf"), file.isPathSegment {
            return (.download, ["GET"])
        }
        return (nil, ["GET", "POST"])
    }

    private func dispatch(_ route: Route, _ request: HTTPRequest) throws -> HTTPResponse {
        switch route {
        case .verifyPage: try verifyPage(request)
        case .verifyAPI: try verifyAPI(request)
        case .lookupForm: try lookupForm(request)
        case .verifyPDF: try verifyPDF(request)
        case .download: try download(request)
        case .keys: try keys()
        case .healthz: healthz(request)
        case .metrics: .text(200, metrics.exposition(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        case .openAPI: .json(200, openAPIDocument)
        case .other: notFound(request)
        }
    }

    /// Returns the server logger with the request id in its metadata.
    func requestLogger(_ request: HTTPRequest) -> Logger {
        var logger = logger
        logger[metadataKey: "request.id"] = request.requestID
        return logger
    }

    static func isAPI(_ path: String) -> Bool { path.hasPrefix("/api/") }
}

// MARK: - Rate limiting

extension RequestRouter {
    /// Takes a lookup token for the client, or returns the 429 to send. A client that has used up its
    /// failed-lookup bucket is refused every lookup until that bucket refills.
    func admitLookup(_ request: HTTPRequest) -> HTTPResponse? {
        if let failureLimiter, case let .limited(retryAfter) = failureLimiter.check(request.clientAddress) {
            return tooManyRequests(request, retryAfter: retryAfter)
        }
        if let lookupLimiter, case let .limited(retryAfter) = lookupLimiter.take(request.clientAddress) {
            return tooManyRequests(request, retryAfter: retryAfter)
        }
        return nil
    }

    /// Counts a failed lookup against the client's failed-lookup bucket.
    func recordFailedLookup(_ request: HTTPRequest) {
        _ = failureLimiter?.take(request.clientAddress)
    }

    func tooManyRequests(_ request: HTTPRequest, retryAfter: Int) -> HTTPResponse {
        metrics.recordRateLimited()
        requestLogger(request).debug("Request rate limited", metadata: ["retry_after": String(retryAfter)])
        let header = [(name: "Retry-After", value: String(retryAfter))]
        if Self.isAPI(request.path) {
            return .apiError(429, "rate_limited", "too many requests; retry after \(retryAfter) seconds",
                             headers: header)
        }
        var response = HTTPResponse.html(429, HTMLPage.error(title: "查询过于频繁",
                                                             message: "请稍后再试（约\(retryAfter)秒后）。"))
        response.headers += header
        return response
    }
}

// MARK: - Errors

extension RequestRouter {
    func notFound(_ request: HTTPRequest) -> HTTPResponse {
        if Self.isAPI(request.path) { return .apiError(404, "not_found", "no such resource") }
        return .html(404, HTMLPage.error(title: "页面不存在", message: "请检查网址，或从证书上的二维码进入查验页面。"))
    }

    func methodNotAllowed(_ request: HTTPRequest, allow: String) -> HTTPResponse {
        let header = [(name: "Allow", value: allow)]
        if Self.isAPI(request.path) {
            return .apiError(405, "method_not_allowed", "allowed methods: \(allow)", headers: header)
        }
        var response = HTTPResponse.html(405, HTMLPage.error(title: "不支持的请求方法", message: "允许的方法：\(allow)"))
        response.headers += header
        return response
    }

    func internalError(_ request: HTTPRequest) -> HTTPResponse {
        if Self.isAPI(request.path) { return .apiError(500, "internal_error", "internal error; try again later") }
        return .html(500, HTMLPage.error(title: "服务暂时不可用", message: "请稍后再试。"))
    }

    func healthz(_ request: HTTPRequest) -> HTTPResponse {
        do {
            _ = try directory.withStore { try $0.connection.queryRow("SELECT 1 AS one") }
            return .json(200, "{\"status\":\"ok\"}")
        } catch {
            requestLogger(request).error("Health check failed to read the store", metadata: ["error": "\(error)"])
            return .json(503, "{\"status\":\"unavailable\"}")
        }
    }
}

extension String {
    /// Returns the rest of the string after `prefix`, or nil when it does not start with `prefix`.
    func suffix(afterPrefix prefix: String) -> Substring? {
        hasPrefix(prefix) ? dropFirst(prefix.count) : nil
    }
}

extension Substring {
    /// True for a non-empty path segment, which has no `/`. It compares UTF-8 bytes, because Foundation's
    /// `contains(_:)` for strings, which the plain call would pick, searches with locale support.
    var isPathSegment: Bool {
        !isEmpty && !utf8.contains(UInt8(ascii: "/"))
    }
}
