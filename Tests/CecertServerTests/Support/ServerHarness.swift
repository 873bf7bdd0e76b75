import CecertCore
import CecertStore
import Foundation
@testable import CecertServer

/// A running server over a fresh fixture store, bound to 127.0.0.1 on a kernel-chosen port.
final class ServerHarness {
    let fixture: StoreFixture
    let server: VerificationServer
    let logs = LogCapture()
    let port: Int
    static let downloadToken = "test-download-token-7f3a"

    /// Starts a server. Certificates issued on `fixture` afterwards are visible to it at once.
    init(fixture: StoreFixture, logLevel: Logger.Level = .debug,
         configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        self.fixture = fixture
        var configuration = ServerConfiguration(
            port: 0, threadPoolSize: 2, lookupRateLimit: nil, failedLookupRateLimit: nil,
            shutdownGraceSeconds: 2, downloadTokenHashes: [Sodium.sha256Hex(Array(Self.downloadToken.utf8))],
            certificatesDirectory: fixture.pdfFolder.path)
        configure(&configuration)
        let logger = Logger(label: "cecert.server.test", logLevel: logLevel, sink: logs.sink)
        server = try VerificationServer(configuration: configuration, directory: try StoreDirectory(path: fixture.storePath),
                                        logger: logger)
        port = try server.start()
    }

    /// Runs `body` against a new server and fixture, stopping the server and deleting the store
    /// whether `body` returns or throws.
    static func with<T>(logLevel: Logger.Level = .debug, configure: (inout ServerConfiguration) -> Void = { _ in },
                        prepare: (StoreFixture) throws -> Void = { _ in },
                        _ body: (ServerHarness) throws -> T) throws -> T {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try prepare(fixture)
        let harness = try ServerHarness(fixture: fixture, logLevel: logLevel, configure: configure)
        defer { harness.server.stop() }
        return try body(harness)
    }

    /// Sends one request on a new connection.
    func request(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []) throws
        -> TestResponse {
        try TestConnection(port: port).request(method, target, headers: headers + [("Connection", "close")], body: body)
    }

    func get(_ target: String, headers: [(String, String)] = []) throws -> TestResponse {
        try request("GET", target, headers: headers)
    }
}

/// Extracts the `data-field` values of a verification page, with HTML entities decoded.
func pageFields(_ html: String) -> [String: String] {
    var fields: [String: String] = [:]
    let pattern = /<dd data-field="([a-z_]+)">([^<]*)<\/dd>/
    for match in html.matches(of: pattern) {
        fields[String(match.1)] = unescapeHTML(String(match.2))
    }
    return fields
}

func pageStatus(_ html: String) -> String? {
    html.firstMatch(of: /data-status="([a-z_]+)"/).map { String($0.1) }
}

func unescapeHTML(_ text: String) -> String {
    text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
        .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
        .replacingOccurrences(of: "&amp;", with: "&")
}
