internal import CMicroHTTPD
import CecertCore
import CecertStore
import Foundation
import Synchronization

/// The public verification HTTP service on libmicrohttpd: an epoll listener with a worker thread pool.
///
/// Thread safety: `start()`, `stop()` and `port` may be called from any thread. Request handling runs
/// on libmicrohttpd's worker threads. Lifetime: a started server keeps itself alive until `stop()`,
/// because the daemon holds a reference to it. A server that is never stopped is never freed.
public final class VerificationServer: Sendable {
    public let configuration: ServerConfiguration
    let directory: StoreDirectory
    let logger: Logger
    let metrics = Metrics()
    let router: RequestRouter
    let trustedProxies: Set<String>
    private let state = Mutex(State())
    /// Requests between their first handler call and libmicrohttpd's completion callback.
    let inFlight = Atomic<Int>(0)
    let stopping = Atomic<Bool>(false)
    private let requestCounter = Atomic<UInt64>(0)
    /// When libmicrohttpd's last diagnostic was logged and how many came since, so that a client sending
    /// malformed requests cannot flood the log (and block workers on a full stderr pipe).
    private let diagnosticThrottle = Mutex((loggedAt: UInt64(0), suppressed: 0))
    /// A random prefix so request ids from different runs do not collide in the logs.
    let requestIDPrefix = Sodium.hex(Sodium.randomBytes(3))
    /// The C side of diagnostics forwarding. nonisolated(unsafe): written once in `init`, read by the
    /// daemon only between `start()` and `stop()`, and freed in `deinit`, after the daemon has stopped.
    nonisolated(unsafe) private let logSink: UnsafeMutablePointer<CMicroHTTPD_log_sink>

    private struct State {
        var daemon: OpaquePointer?
        var port = 0
        var retainedSelf: Unmanaged<VerificationServer>?
    }

    /// Creates a server over an open store; nothing is bound until `start()`.
    ///
    /// - Throws: `CecertError(.configuration)` when a setting is out of range.
    public init(configuration: ServerConfiguration, directory: StoreDirectory, logger: Logger) throws {
        guard (0...65535).contains(configuration.port) else {
            throw CecertError(.configuration, "port \(configuration.port) is outside 0-65535")
        }
        guard configuration.threadPoolSize >= 1 else {
            throw CecertError(.configuration, "thread pool size must be at least 1, not \(configuration.threadPoolSize)")
        }
        self.configuration = configuration
        self.directory = directory
        self.logger = logger
        self.router = RequestRouter(configuration: configuration, directory: directory, logger: logger,
                                    metrics: metrics)
        self.trustedProxies = Set(configuration.trustedProxies)
        logSink = .allocate(capacity: 1)
        logSink.initialize(to: CMicroHTTPD_log_sink(function: { context, message in
            guard let context, let message else { return }
            let server = Unmanaged<VerificationServer>.fromOpaque(context).takeUnretainedValue()
            server.logDiagnostic(String(cString: message))
        }, context: nil))
        logSink.pointee.context = Unmanaged.passUnretained(self).toOpaque()

        let ignored = configuration.downloadTokenHashes.count - router.tokenHashes.count
        if ignored > 0 {
            logger.warning("Download token digests ignored; each must be 64 hex digits", metadata: ["count": "\(ignored)"])
        }
    }

    deinit {
        logSink.deinitialize(count: 1)
        logSink.deallocate()
    }

    /// The bound port, or 0 before `start()` and after `stop()`.
    public var port: Int { state.withLock { $0.port } }
}

// MARK: - Lifecycle

extension VerificationServer {
    /// Binds exactly `host:port` and starts serving.
    ///
    /// - Returns: The bound port, which is the kernel's choice when the configured port is 0.
    /// - Throws: `CecertError(.configuration)` for a host that is not an IPv4 address, and
    ///   `CecertError(.server)` when the server is already running or libmicrohttpd cannot start.
    @discardableResult
    public func start() throws -> Int {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(configuration.port)).bigEndian
        guard inet_pton(AF_INET, configuration.host, &address.sin_addr) == 1 else {
            throw CecertError(.configuration, "host \(configuration.host) is not an IPv4 address such as 127.0.0.1")
        }
        let options = CMicroHTTPD_daemon_options(
            thread_pool_size: UInt32(configuration.threadPoolSize),
            connection_limit: UInt32(configuration.connectionLimit),
            per_ip_connection_limit: UInt32(configuration.perIPConnectionLimit),
            connection_timeout_seconds: UInt32(configuration.connectionTimeoutSeconds),
            connection_memory_limit: configuration.maxHeaderBytes,
            listen_backlog: 1024)

        return try state.withLock { state in
            guard state.daemon == nil else { throw CecertError(.server, "server is already running on port \(state.port)") }
            let retained = Unmanaged.passRetained(self)
            let context = retained.toOpaque()
            guard let daemon = CMicroHTTPD_start_daemon(&address, options, VerificationServer.accessHandler, context,
                                                        VerificationServer.completedHandler, context,
                                                        VerificationServer.uriLogger, context, logSink) else {
                retained.release()
                throw CecertError(.server, "cannot start the HTTP server on \(configuration.host):\(configuration.port); "
                                  + "the port may be in use")
            }
            state.daemon = daemon
            state.retainedSelf = retained
            state.port = Int(CMicroHTTPD_bound_port(daemon))
            stopping.store(false, ordering: .relaxed)
            logger.info("Verification server started", metadata: [
                "address": "\(configuration.host):\(state.port)", "threads": "\(configuration.threadPoolSize)",
            ])
            return state.port
        }
    }

    /// Stops gracefully: stops accepting connections, waits up to `shutdownGraceSeconds` for in-flight
    /// requests, stops the daemon and closes the store's pooled connections. A second call does nothing.
    public func stop() {
        let running = state.withLock { state -> (OpaquePointer, Unmanaged<VerificationServer>?)? in
            guard let daemon = state.daemon else { return nil }
            defer {
                state.daemon = nil
                state.retainedSelf = nil
                state.port = 0
            }
            return (daemon, state.retainedSelf)
        }
        guard let (daemon, retained) = running else { return }

        stopping.store(true, ordering: .relaxed)
        let listener = MHD_quiesce_daemon(daemon)
        if listener >= 0 { close(listener) }
        let deadline = Date().addingTimeInterval(configuration.shutdownGraceSeconds)
        while inFlight.load(ordering: .relaxed) > 0, Date() < deadline {
            usleep(5_000)
        }
        let unfinished = inFlight.load(ordering: .relaxed)
        MHD_stop_daemon(daemon)
        directory.close()
        logger.info("Verification server stopped", metadata: ["requests.unfinished": "\(unfinished)"])
        retained?.release()
    }

    func nextRequestID() -> String {
        let number = requestCounter.wrappingAdd(1, ordering: .relaxed).newValue
        return requestIDPrefix + "-" + String(number, radix: 16)
    }
}

// MARK: - Diagnostics

extension VerificationServer {
    /// The shortest gap, in nanoseconds, between two logged libmicrohttpd diagnostics.
    static let diagnosticInterval: UInt64 = 10_000_000_000

    /// Logs a libmicrohttpd diagnostic at most once per interval, with the number held back since.
    /// Most describe a client's malformed request. The others are logged in full at debug level.
    func logDiagnostic(_ message: String) {
        let now = DispatchTime.now().uptimeNanoseconds
        let suppressed: Int? = diagnosticThrottle.withLock { throttle in
            guard throttle.loggedAt == 0 || now - throttle.loggedAt >= Self.diagnosticInterval else {
                throttle.suppressed += 1
                return nil
            }
            let count = throttle.suppressed
            throttle = (now, 0)
            return count
        }
        if let suppressed {
            logger.notice("libmicrohttpd reported a problem", metadata: ["mhd.message": message,
                                                                          "mhd.suppressed": "\(suppressed)"])
        } else {
            logger.debug("libmicrohttpd reported a problem", metadata: ["mhd.message": message])
        }
    }
}
