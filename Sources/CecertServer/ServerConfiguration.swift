/// A token bucket: `burst` requests at once, refilled at `refillPerSecond` requests per second.
public struct RateLimit: Sendable, Hashable {
    /// The bucket's capacity, which is the number of requests a client may send at once after being idle.
    public var burst: Double
    /// Tokens added per second, which is the sustained request rate per client.
    public var refillPerSecond: Double

    public init(burst: Double, refillPerSecond: Double) {
        self.burst = burst
        self.refillPerSecond = refillPerSecond
    }
}

/// Settings of the public verification server.
public struct ServerConfiguration: Sendable {
    /// The IPv4 address to bind. The default is loopback, so exposing the server takes an explicit choice.
    public var host: String
    /// The TCP port to bind; 0 lets the kernel pick a free port, which `VerificationServer.start()` returns.
    public var port: Int
    /// The number of libmicrohttpd worker threads, each with its own epoll loop.
    public var threadPoolSize: Int
    /// The token bucket for lookups (verify pages, the verify API, the form and PDF checks) per client,
    /// or nil for no limit, which suits benchmarks only.
    public var lookupRateLimit: RateLimit?
    /// The token bucket for failed lookups per client: unknown or malformed codes, a number that does
    /// not match its code, and a name that does not match. It slows down guessing. Nil disables it.
    public var failedLookupRateLimit: RateLimit?
    /// The maximum number of clients whose buckets are kept; beyond it, idle buckets are dropped first.
    public var maxTrackedClients: Int
    /// Peer addresses, compared as exact text, whose `X-Forwarded-For` header names the client.
    /// From any other peer the header is ignored.
    public var trustedProxies: [String]
    /// The maximum length in bytes of the request target (path and query) before 414.
    public var maxURLLength: Int
    /// The memory libmicrohttpd gives each connection for the request line and headers, in bytes.
    /// A request whose head does not fit gets libmicrohttpd's own 414 or 431 rejection.
    public var maxHeaderBytes: Int
    /// The maximum body size in bytes for `POST /api/v1/verify-pdf` before 413.
    public var maxBodyBytes: Int
    /// Seconds of inactivity after which a connection is closed; 0 means never.
    public var connectionTimeoutSeconds: Int
    /// The maximum number of open connections in total.
    public var connectionLimit: Int
    /// The maximum number of open connections from one peer address; 0 means no per-address limit.
    public var perIPConnectionLimit: Int
    /// Seconds `stop()` waits for in-flight requests before closing their connections.
    public var shutdownGraceSeconds: Double
    /// Lower-case hex SHA-256 digests of the bearer tokens that may download certificate PDFs.
    /// Empty means every download request gets 401.
    public var downloadTokenHashes: [String]
    /// The folder holding issued PDFs as `<number>.pdf`, or nil when downloads are not offered (503).
    public var certificatesDirectory: String?
    /// The maximum number of verified records kept in memory with their rendered page and JSON, so repeat
    /// lookups skip the signature check and the rendering. An entry is used only while the stored row is
    /// byte-identical to the one it was built from. Each entry took about 7 KB in a test with 20,003
    /// certificates (`bench/bench.py verify`), so the default cap bounds the cache at an estimated 350 MB.
    public var verifiedRecordCacheSize: Int

    /// Creates a configuration; every parameter has a default suited to a single host behind a proxy.
    public init(host: String = "127.0.0.1", port: Int = 8080, threadPoolSize: Int = 4,
                lookupRateLimit: RateLimit? = RateLimit(burst: 60, refillPerSecond: 1),
                failedLookupRateLimit: RateLimit? = RateLimit(burst: 10, refillPerSecond: 0.1),
                maxTrackedClients: Int = 100_000, trustedProxies: [String] = [], maxURLLength: Int = 2048,
                maxHeaderBytes: Int = 32 * 1024, maxBodyBytes: Int = 2 * 1024 * 1024,
                connectionTimeoutSeconds: Int = 15, connectionLimit: Int = 1000, perIPConnectionLimit: Int = 128,
                shutdownGraceSeconds: Double = 5, downloadTokenHashes: [String] = [],
                certificatesDirectory: String? = nil, verifiedRecordCacheSize: Int = 50_000) {
        self.host = host
        self.port = port
        self.threadPoolSize = threadPoolSize
        self.lookupRateLimit = lookupRateLimit
        self.failedLookupRateLimit = failedLookupRateLimit
        self.maxTrackedClients = maxTrackedClients
        self.trustedProxies = trustedProxies
        self.maxURLLength = maxURLLength
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.connectionTimeoutSeconds = connectionTimeoutSeconds
        self.connectionLimit = connectionLimit
        self.perIPConnectionLimit = perIPConnectionLimit
        self.shutdownGraceSeconds = shutdownGraceSeconds
        self.downloadTokenHashes = downloadTokenHashes
        self.certificatesDirectory = certificatesDirectory
        self.verifiedRecordCacheSize = verifiedRecordCacheSize
    }
}
