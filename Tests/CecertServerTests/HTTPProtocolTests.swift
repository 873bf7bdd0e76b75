import CecertCore
import Foundation
import Testing

@Suite("HTTP protocol handling")
struct HTTPProtocolTests {
    static let policy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'"

    @Test("security headers on every response")
    func securityHeaders() throws {
        try ServerHarness.with { harness in
            let issued = try harness.fixture.issue()
            let targets = ["/v/\(issued.code)", "/v", "/api/v1/verify/\(issued.code)", "/healthz", "/metrics",
                           "/api/v1/keys", "/api/v1/openapi.json", "/nothing-here", "/v/BAD"]
            for target in targets {
                let response = try harness.get(target)
                #expect(response.headers["cache-control"] == "no-store", "\(target)")
                #expect(response.headers["x-content-type-options"] == "nosniff", "\(target)")
                #expect(response.headers["referrer-policy"] == "no-referrer", "\(target)")
                #expect(response.headers["x-request-id"]?.isEmpty == false, "\(target)")
                if response.headers["content-type"]?.hasPrefix("text/html") == true {
                    #expect(response.headers["content-security-policy"] == Self.policy, "\(target)")
                    #expect(response.headers["content-type"] == "text/html; charset=utf-8")
                }
            }
        }
    }

    @Test("unsupported methods get 405 with Allow")
    func methodNotAllowed() throws {
        try ServerHarness.with { harness in
            let issued = try harness.fixture.issue()
            let put = try harness.request("PUT", "/v/\(issued.code)")
            #expect(put.status == 405)
            #expect(put.headers["allow"] == "GET, HEAD")
            let delete = try harness.request("DELETE", "/api/v1/verify-pdf")
            #expect(delete.status == 405)
            #expect(delete.headers["allow"] == "POST")
            let getPDF = try harness.get("/api/v1/verify-pdf")
            #expect(getPDF.status == 405)
            #expect(getPDF.headers["allow"] == "POST")
            let unknown = try harness.request("PATCH", "/nowhere")
            #expect(unknown.status == 405)
            #expect(unknown.headers["allow"] == "GET, HEAD, POST")
            let options = try harness.request("OPTIONS", "/api/v1/verify/\(issued.code)")
            #expect(options.status == 405)
            #expect(options.headers["allow"] == "GET, HEAD")
        }
    }

    @Test("unknown paths get 404")
    func unknownPaths() throws {
        try ServerHarness.with { harness in
            for target in ["/", "/index.html", "/v/a/b", "/api/v1/verify/", "/api/v2/keys", "/api/v1/certificates/x"] {
                #expect(try harness.get(target).status == 404, "\(target)")
            }
            let api = try harness.get("/api/v1/nothing")
            #expect(try api.json()["error"] as? String == "not_found")
        }
    }

    @Test("HEAD sends headers only")
    func headRequest() throws {
        try ServerHarness.with { harness in
            let issued = try harness.fixture.issue()
            let get = try harness.get("/v/\(issued.code)")
            let head = try harness.request("HEAD", "/v/\(issued.code)")
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            #expect(head.headers["content-length"] == String(get.body.count))
        }
    }

    @Test("over-long URL gets 414")
    func uriTooLong() throws {
        try ServerHarness.with { harness in
            let long = try harness.get("/v/" + String(repeating: "A", count: 3000))
            #expect(long.status == 414)
            #expect(try long.json()["error"] as? String == "uri_too_long")
            let query = try harness.get("/v?code=" + String(repeating: "B", count: 2100))
            #expect(query.status == 414)
            // Beyond the connection's memory, libmicrohttpd rejects the request line itself.
            let huge = try harness.get("/v/" + String(repeating: "A", count: 40_000))
            #expect(huge.status == 414)
        }
    }

    @Test("oversized headers are rejected")
    func headersTooLarge() throws {
        try ServerHarness.with { harness in
            let response = try harness.get("/healthz", headers: [("X-Padding", String(repeating: "p", count: 40_000))])
            #expect(response.status == 431)
        }
    }

    @Test("body over the limit gets 413")
    func payloadTooLarge() throws {
        try ServerHarness.with { harness in
            let connection = try TestConnection(port: harness.port)
            let head = "POST /api/v1/verify-pdf HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(2 * 1024 * 1024 + 1)\r\n\r\n"
            connection.write(Array(head.utf8))
            let response = try connection.readResponse()
            #expect(response.status == 413)
            #expect(try response.json()["error"] as? String == "payload_too_large")
        }
    }

    @Test("chunked body over the limit gets 413")
    func chunkedPayloadTooLarge() throws {
        try ServerHarness.with(configure: { $0.maxBodyBytes = 1000 }) { harness in
            let connection = try TestConnection(port: harness.port)
            var request = "POST /api/v1/verify-pdf HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
            request += "Connection: close\r\n\r\n"
            for _ in 0..<3 {
                request += "200\r\n" + String(repeating: "x", count: 0x200) + "\r\n"
            }
            request += "0\r\n\r\n"
            connection.write(Array(request.utf8))
            let response = try connection.readResponse()
            #expect(response.status == 413)
        }
    }

    @Test("keep-alive serves several requests")
    func keepAlive() throws {
        try ServerHarness.with { harness in
            let issued = try harness.fixture.issue()
            let connection = try TestConnection(port: harness.port)
            for _ in 0..<5 {
                let response = try connection.request("GET", "/api/v1/verify/\(issued.code)")
                #expect(response.status == 200)
                #expect(try response.json()["status"] as? String == "valid")
            }
        }
    }

    @Test("start and stop logs name the bound address")
    func lifecycleLogs() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let harness = try ServerHarness(fixture: fixture)
        #expect(harness.server.port == harness.port)
        harness.server.stop()
        harness.server.stop()
        #expect(harness.server.port == 0)
        let lines = harness.logs.lines
        #expect(lines.contains { $0.contains("Verification server started") && $0.contains("address=127.0.0.1:\(harness.port)") })
        #expect(lines.filter { $0.contains("Verification server stopped") }.count == 1)
        #expect(throws: (any Error).self) { try TestConnection(port: harness.port).request("GET", "/healthz") }
    }

    @Test("stop finishes an in-flight request")
    func gracefulStop() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let issued = try fixture.issue()
        let harness = try ServerHarness(fixture: fixture)
        let stopped = DispatchSemaphore(value: 0)
        defer {
            harness.server.stop()
        }

        // Half a body makes the request in flight: its handler has started and waits for the rest.
        let connection = try TestConnection(port: harness.port)
        let head = "POST /api/v1/verify-pdf HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(issued.pdf.count)\r\n\r\n"
        connection.write(Array(head.utf8) + issued.pdf.prefix(10))
        Thread.sleep(forTimeInterval: 0.2)
        let server = harness.server
        Thread.detachNewThread {
            server.stop()
            stopped.signal()
        }
        Thread.sleep(forTimeInterval: 0.3)
        #expect(stopped.wait(timeout: .now()) == .timedOut)
        #expect(throws: (any Error).self) { try TestConnection(port: harness.port) }

        connection.write(Array(issued.pdf.dropFirst(10)))
        let response = try connection.readResponse()
        #expect(response.status == 200)
        #expect(try response.json()["issued"] as? Bool == true)
        #expect(response.headers["connection"]?.lowercased() == "close")
        #expect(stopped.wait(timeout: .now() + 5) == .success)
        #expect(harness.logs.lines.contains { $0.contains("Verification server stopped") && $0.contains("requests.unfinished=0") })
    }

    @Test("logs carry no code or full name")
    func logsArePrivate() throws {
        try ServerHarness.with { harness in
            let issued = try harness.fixture.issue()
            _ = try harness.get("/v/\(issued.code)?name=\(percentEncoded("张三丰"))")
            _ = try harness.get("/api/v1/verify/\(issued.code)")
            let lines = harness.logs.lines
            #expect(lines.contains { $0.contains("cert.number=\(issued.number)") })
            #expect(!lines.contains { $0.contains(issued.code) })
            #expect(!lines.contains { $0.contains("张三丰") })
        }
    }
}
