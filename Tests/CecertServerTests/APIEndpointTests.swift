import CecertCore
import CecertServer
import Foundation
import Testing

@Suite("API endpoints")
struct APIEndpointTests {
    @Test("verify-pdf matches an issued file")
    func pdfMatches() throws {
        try ServerHarness.with { harness in
            let issued = try harness.fixture.issue()
            let response = try harness.request("POST", "/api/v1/verify-pdf", headers: [("Content-Type", "application/pdf")],
                                               body: issued.pdf)
            #expect(response.status == 200)
            let json = try response.json()
            #expect(json["issued"] as? Bool == true)
            #expect(json["sha256"] as? String == Sodium.sha256Hex(issued.pdf))
            let certificates = try #require(json["certificates"] as? [[String: Any]])
            #expect(certificates.count == 1)
            #expect(certificates.first?["number"] as? String == issued.number)
            #expect(certificates.first?["status"] as? String == "valid")

            try harness.fixture.setState(issued.number, "revoked", revokedAt: Date(), reason: "error")
            let revoked = try harness.request("POST", "/api/v1/verify-pdf", body: issued.pdf).json()
            #expect((revoked["certificates"] as? [[String: Any]])?.first?["status"] as? String == "revoked")
        }
    }

    @Test("verify-pdf rejects other files")
    func pdfDiffers() throws {
        try ServerHarness.with { harness in
            let issued = try harness.fixture.issue()
            var edited = issued.pdf
            edited[edited.count - 2] ^= 0x01
            let json = try harness.request("POST", "/api/v1/verify-pdf", body: edited).json()
            #expect(json["issued"] as? Bool == false)
            #expect(json["message"] as? String == "not an issued file")
            #expect((json["certificates"] as? [Any])?.isEmpty == true)
            let empty = try harness.request("POST", "/api/v1/verify-pdf")
            #expect(empty.status == 400)
        }
    }

    @Test("bearer download serves and records a print")
    func downloadSucceeds() throws {
        try ServerHarness.with { harness in
            let issued = try harness.fixture.issue()
            let response = try harness.get("/api/v1/certificates/\(issued.number).pdf",
                                           headers: [("Authorization", "Bearer \(ServerHarness.downloadToken)")])
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "application/pdf")
            #expect(response.body == issued.pdf)
            #expect(try harness.fixture.store.printCount(number: issued.number) == 1)
            let prints = try harness.fixture.store.connection.query("SELECT channel FROM prints WHERE number = ?",
                                                                    [.text(issued.number)])
            #expect(prints.map { $0.text("channel") } == ["api"])
        }
    }

    @Test("download without a valid token is 401")
    func downloadUnauthorized() throws {
        try ServerHarness.with { harness in
            let issued = try harness.fixture.issue()
            let target = "/api/v1/certificates/\(issued.number).pdf"
            for headers in [[], [("Authorization", "Bearer wrong-token")], [("Authorization", "Basic dXNlcjpwdw==")],
                            [("Authorization", "Bearer ")]] {
                let response = try harness.get(target, headers: headers)
                #expect(response.status == 401)
                #expect(response.headers["www-authenticate"] == "Bearer realm=\"cecert\"")
            }
            #expect(try harness.fixture.store.printCount(number: issued.number) == 0)
        }
    }

    @Test("download refuses revoked, missing and altered files")
    func downloadRefusals() throws {
        try ServerHarness.with { harness in
            let auth = [("Authorization", "Bearer \(ServerHarness.downloadToken)")]
            let revoked = try harness.fixture.issue()
            try harness.fixture.setState(revoked.number, "revoked", revokedAt: Date(), reason: "error")
            #expect(try harness.get("/api/v1/certificates/\(revoked.number).pdf", headers: auth).status == 410)

            let missing = try harness.fixture.issue(writePDF: false)
            #expect(try harness.get("/api/v1/certificates/\(missing.number).pdf", headers: auth).status == 503)

            let altered = try harness.fixture.issue()
            try Data("%PDF-1.7 altered".utf8).write(to: harness.fixture.pdfFolder.appendingPathComponent("\(altered.number).pdf"))
            let response = try harness.get("/api/v1/certificates/\(altered.number).pdf", headers: auth)
            #expect(response.status == 503)
            #expect(!response.text.contains("altered"))
            #expect(harness.logs.lines.contains { $0.contains("Issued PDF file differs") && $0.contains(altered.number) })

            let unknown = CertificateNumber(area: "321200", year: 2024, serial: 999).description
            #expect(try harness.get("/api/v1/certificates/\(unknown).pdf", headers: auth).status == 404)
            for number in [revoked.number, missing.number, altered.number] {
                #expect(try harness.fixture.store.printCount(number: number) == 0)
            }
        }
    }

    @Test("keys list the registered key")
    func keys() throws {
        try ServerHarness.with { harness in
            let json = try harness.get("/api/v1/keys").json()
            let keys = try #require(json["keys"] as? [[String: Any]])
            #expect(keys.count == 1)
            #expect(keys.first?["key_id"] as? String == harness.fixture.key.keyID)
            #expect(keys.first?["public_key_hex"] as? String == Sodium.hex(harness.fixture.key.publicKey))
            #expect(keys.first?["public_key"] as? String == Data(harness.fixture.key.publicKey).base64EncodedString())
            #expect(keys.first?["retired_at"] is NSNull)
        }
    }

    @Test("healthz reports ok")
    func healthz() throws {
        try ServerHarness.with { harness in
            let response = try harness.get("/healthz")
            #expect(response.status == 200)
            #expect(response.text == "{\"status\":\"ok\"}")
        }
    }

    @Test("metrics counters move")
    func metrics() throws {
        try ServerHarness.with { harness in
            let issued = try harness.fixture.issue()
            let before = try harness.get("/metrics").text
            #expect(before.contains("cecert_verifications_total{result=\"valid\"} 0"))
            _ = try harness.get("/api/v1/verify/\(issued.code)")
            _ = try harness.get("/api/v1/verify/\(issued.code)")
            _ = try harness.get("/v/\(VerificationCode.generate())")
            let after = try harness.get("/metrics")
            #expect(after.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
            #expect(after.text.contains("cecert_http_requests_total{route=\"verify_api\",status=\"200\"} 2\n"))
            #expect(after.text.contains("cecert_http_requests_total{route=\"verify_page\",status=\"404\"} 1\n"))
            #expect(after.text.contains("cecert_http_requests_total{route=\"metrics\",status=\"200\"} 1\n"))
            #expect(after.text.contains("cecert_verifications_total{result=\"valid\"} 2\n"))
            #expect(after.text.contains("cecert_verifications_total{result=\"not_found\"} 1\n"))
            #expect(after.text.contains("cecert_http_request_duration_seconds_count{route=\"verify_api\"} 2\n"))
            #expect(after.text.contains("cecert_http_request_duration_seconds_bucket{route=\"verify_api\",le=\"+Inf\"} 2\n"))
        }
    }
}

@Suite("Rate limiting")
struct RateLimitTests {
    @Test("lookup limit reached and recovered")
    func lookupLimit() throws {
        try ServerHarness.with(configure: { $0.lookupRateLimit = RateLimit(burst: 3, refillPerSecond: 1) }) { harness in
            let issued = try harness.fixture.issue()
            for _ in 0..<3 {
                #expect(try harness.get("/api/v1/verify/\(issued.code)").status == 200)
            }
            let limited = try harness.get("/api/v1/verify/\(issued.code)")
            #expect(limited.status == 429)
            #expect(limited.headers["retry-after"] == "1")
            #expect(try limited.json()["error"] as? String == "rate_limited")
            let page = try harness.get("/v/\(issued.code)")
            #expect(page.status == 429)
            #expect(page.headers["retry-after"] == "1")
            #expect(try harness.get("/healthz").status == 200)

            Thread.sleep(forTimeInterval: 1.2)
            #expect(try harness.get("/api/v1/verify/\(issued.code)").status == 200)
            #expect(try harness.get("/metrics").text.contains("cecert_rate_limited_total 2\n"))
        }
    }

    @Test("failed lookups block further lookups")
    func failedLookupLimit() throws {
        try ServerHarness.with(configure: {
            $0.failedLookupRateLimit = RateLimit(burst: 2, refillPerSecond: 0.5)
        }) { harness in
            let issued = try harness.fixture.issue()
            #expect(try harness.get("/api/v1/verify/\(VerificationCode.generate())").status == 404)
            #expect(try harness.get("/api/v1/verify/\(issued.code)?name=\(percentEncoded("李四"))").status == 200)
            let blocked = try harness.get("/api/v1/verify/\(issued.code)")
            #expect(blocked.status == 429)
            #expect(blocked.headers["retry-after"] == "2")
            Thread.sleep(forTimeInterval: 2.2)
            #expect(try harness.get("/api/v1/verify/\(issued.code)").status == 200)
        }
    }

    @Test("forwarded address only from a trusted proxy")
    func forwardedFor() throws {
        try ServerHarness.with(configure: {
            $0.lookupRateLimit = RateLimit(burst: 1, refillPerSecond: 0.01)
            $0.trustedProxies = ["127.0.0.1"]
        }) { harness in
            let issued = try harness.fixture.issue()
            let target = "/api/v1/verify/\(issued.code)"
            #expect(try harness.get(target, headers: [("X-Forwarded-For", "203.0.113.7")]).status == 200)
            #expect(try harness.get(target, headers: [("X-Forwarded-For", "203.0.113.7")]).status == 429)
            // A client-supplied first hop is ignored: the proxy appended the real address last.
            #expect(try harness.get(target, headers: [("X-Forwarded-For", "203.0.113.7, 198.51.100.9")]).status == 200)
            #expect(try harness.get(target).status == 200)
            #expect(try harness.get(target).status == 429)
        }
        try ServerHarness.with(configure: { $0.lookupRateLimit = RateLimit(burst: 1, refillPerSecond: 0.01) }) { harness in
            let issued = try harness.fixture.issue()
            let target = "/api/v1/verify/\(issued.code)"
            #expect(try harness.get(target, headers: [("X-Forwarded-For", "203.0.113.7")]).status == 200)
            #expect(try harness.get(target, headers: [("X-Forwarded-For", "203.0.113.8")]).status == 429)
        }
    }
}
