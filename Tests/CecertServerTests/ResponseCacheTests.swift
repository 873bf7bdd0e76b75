import CecertCore
import CecertStore
import Foundation
import Testing

/// Changes made to the store while the rendered bodies of a certificate are cached.
@Suite("Rendered response cache")
struct ResponseCacheTests {
    /// Requests the page and the JSON of `code` twice each, so that later requests find both bodies cached.
    static func warm(_ harness: ServerHarness, _ code: String, expecting status: String = "valid") throws {
        for _ in 0..<2 {
            #expect(pageStatus(try harness.get("/v/\(code)").text) == status)
            #expect(try harness.get("/api/v1/verify/\(code)").json()["status"] as? String == status)
        }
    }

    static let revokedAt = Date(timeIntervalSince1970: 1_720_000_000)

    @Test("revoke and reinstate with warm cache")
    func revokeAndReinstate() throws {
        try ServerHarness.with { harness in
            let issued = try harness.fixture.issue()
            try Self.warm(harness, issued.code)

            try harness.fixture.store.revoke(number: issued.number, reason: .fraud, comment: "test", actor: "tester",
                                             at: Self.revokedAt)
            for _ in 0..<2 {
                let json = try harness.get("/api/v1/verify/\(issued.code)").json()
                #expect(json["status"] as? String == "revoked")
                #expect(json["revoked_on"] as? String == "2024-07-03")
                #expect(json["revocation_reason"] as? String == "弄虚作假")
                let page = try harness.get("/v/\(issued.code)").text
                #expect(pageStatus(page) == "revoked")
                #expect(pageFields(page)["revoked_on"] == "2024-07-03")
            }

            try harness.fixture.store.reinstate(number: issued.number, actor: "tester")
            let json = try harness.get("/api/v1/verify/\(issued.code)").json()
            #expect(json["status"] as? String == "valid")
            #expect(json["revoked_on"] == nil)
            let page = try harness.get("/v/\(issued.code)").text
            #expect(pageStatus(page) == "valid")
            #expect(pageFields(page)["revoked_on"] == nil)
        }
    }

    @Test("revocation fields edited by another process")
    func revocationFieldsEdited() throws {
        try ServerHarness.with { harness in
            let issued = try harness.fixture.issue()
            try harness.fixture.store.revoke(number: issued.number, reason: .fraud, comment: "test", actor: "tester",
                                             at: Self.revokedAt)
            try Self.warm(harness, issued.code, expecting: "revoked")

            try harness.fixture.runSQLiteShell(
                "UPDATE certificates SET revocation_reason = 'duplicate' WHERE number = '\(issued.number)';")
            let reason = try harness.get("/api/v1/verify/\(issued.code)").json()
            #expect(reason["revocation_reason"] as? String == "重复发放")
            #expect(reason["revocation_category"] as? String == "duplicate")
            #expect(pageFields(try harness.get("/v/\(issued.code)").text)["revocation_reason"] == "重复发放")

            try harness.fixture.runSQLiteShell(
                "UPDATE certificates SET revoked_at = '2024-08-01T10:00:00+08:00' WHERE number = '\(issued.number)';")
            let date = try harness.get("/api/v1/verify/\(issued.code)").json()
            #expect(date["revoked_on"] as? String == "2024-08-01")
            #expect(pageFields(try harness.get("/v/\(issued.code)").text)["revoked_on"] == "2024-08-01")
        }
    }

    @Test("supersession with warm cache")
    func supersession() throws {
        try ServerHarness.with { harness in
            let old = try harness.fixture.issue()
            try Self.warm(harness, old.code)

            let replacement = try harness.fixture.issue()
            try harness.fixture.store.markSuperseded(number: old.number, by: replacement.number)
            let page = try harness.get("/v/\(old.code)").text
            #expect(pageStatus(page) == "superseded")
            #expect(!page.contains(replacement.number))
            let api = try harness.get("/api/v1/verify/\(old.code)")
            #expect(try api.json()["status"] as? String == "superseded")
            #expect(!api.text.contains(replacement.number))
        }
    }

    @Test("edited record with warm cache is tampered")
    func editedRecord() throws {
        try ServerHarness.with { harness in
            let issued = try harness.fixture.issue()
            try Self.warm(harness, issued.code)

            try harness.fixture.runSQLiteShell("""
                UPDATE certificates SET record_json = CAST(replace(CAST(record_json AS TEXT), '"total_hours":"348.5"', \
                '"total_hours":"480"') AS BLOB) WHERE number = '\(issued.number)';
                """)
            // Twice each, because a tampered record must never be served from the cache either.
            for _ in 0..<2 {
                let json = try harness.get("/api/v1/verify/\(issued.code)").json()
                #expect(json["status"] as? String == "tampered")
                #expect(json["total_hours"] == nil)
                let page = try harness.get("/v/\(issued.code)").text
                #expect(pageStatus(page) == "tampered")
                #expect(!page.contains("480"))
            }
            let errors = harness.logs.lines.filter { $0.contains(" error ") && $0.contains("cert.number=\(issued.number)") }
            #expect(errors.count == 4)

            // Restoring the signed bytes makes the certificate valid again.
            let original = try #require(try harness.fixture.store.certificate(number: issued.number))
            let restored = String(decoding: original.recordJSON, as: UTF8.self)
                .replacingOccurrences(of: "\"total_hours\":\"480\"", with: "\"total_hours\":\"348.5\"")
            try harness.fixture.store.connection.run("UPDATE certificates SET record_json = ? WHERE number = ?",
                                                     [.blob(Array(restored.utf8)), .text(issued.number)])
            #expect(try harness.get("/api/v1/verify/\(issued.code)").json()["status"] as? String == "valid")
        }
    }

    @Test("edited signature with warm cache is tampered")
    func editedSignature() throws {
        try ServerHarness.with { harness in
            let issued = try harness.fixture.issue()
            try Self.warm(harness, issued.code)

            try harness.fixture.runSQLiteShell(
                "UPDATE certificates SET signature = zeroblob(64) WHERE number = '\(issued.number)';")
            #expect(try harness.get("/api/v1/verify/\(issued.code)").json()["status"] as? String == "tampered")
            #expect(pageStatus(try harness.get("/v/\(issued.code)").text) == "tampered")
        }
    }

    @Test("record copied into another row is tampered")
    func copiedRecord() throws {
        try ServerHarness.with { harness in
            let first = try harness.fixture.issue()
            let second = try harness.fixture.issue()
            try Self.warm(harness, first.code)
            try Self.warm(harness, second.code)

            // A validly signed record in the wrong row: its number and code are not the row's.
            try harness.fixture.runSQLiteShell("""
                UPDATE certificates SET (record_json, signature) = (SELECT record_json, signature FROM certificates \
                WHERE number = '\(first.number)') WHERE number = '\(second.number)';
                """)
            let json = try harness.get("/api/v1/verify/\(second.code)").json()
            #expect(json["status"] as? String == "tampered")
            #expect(json["number"] as? String == second.number)
            #expect(pageStatus(try harness.get("/v/\(second.code)").text) == "tampered")
            #expect(try harness.get("/api/v1/verify/\(first.code)").json()["status"] as? String == "valid")
        }
    }

    @Test("cache hits are counted in metrics")
    func hitsCounted() throws {
        try ServerHarness.with { harness in
            let issued = try harness.fixture.issue()
            try Self.warm(harness, issued.code)
            _ = try harness.get("/api/v1/verify/\(issued.code)")
            let metrics = try harness.get("/metrics").text
            #expect(metrics.contains("cecert_verifications_total{result=\"valid\"} 5\n"))
            #expect(metrics.contains("cecert_http_requests_total{route=\"verify_api\",status=\"200\"} 3\n"))
            #expect(metrics.contains("cecert_http_requests_total{route=\"verify_page\",status=\"200\"} 2\n"))
        }
    }

    @Test("name and number queries bypass cached bodies")
    func queriesBypassCache() throws {
        try ServerHarness.with { harness in
            let issued = try harness.fixture.issue()
            try Self.warm(harness, issued.code)

            let matched = try harness.get("/api/v1/verify/\(issued.code)?name=\(percentEncoded("张三丰"))").json()
            #expect(matched["holder_name"] as? String == "张三丰")
            #expect(matched["name_match"] as? Bool == true)
            let page = try harness.get("/v/\(issued.code)?name=\(percentEncoded("张三丰"))").text
            #expect(pageFields(page)["holder_name"] == "张三丰")
            let wrongNumber = try harness.get("/api/v1/verify/\(issued.code)?number=321200-2024-999999-X")
            #expect(wrongNumber.status == 404)
            // The cached bodies still show the masked name afterwards.
            #expect(try harness.get("/api/v1/verify/\(issued.code)").json()["holder_name"] as? String == "张**")
            #expect(pageFields(try harness.get("/v/\(issued.code)").text)["holder_name"] == "张**")
        }
    }
}
