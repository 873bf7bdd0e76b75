import CecertCore
import Foundation
import Testing

@Suite("Verification states")
struct VerificationStateTests {
    @Test("valid certificate page and JSON")
    func validCertificate() throws {
        try ServerHarness.with { harness in
            let issued = try harness.fixture.issue()
            let page = try harness.get("/v/\(issued.code)")
            #expect(page.status == 200)
            #expect(pageStatus(page.text) == "valid")
            #expect(page.text.contains("有效"))
            let fields = pageFields(page.text)
            #expect(fields["number"] == issued.number)
            #expect(fields["holder_name"] == "张**")
            #expect(fields["masked_id_number"] == "321202********0001")
            #expect(fields["work_unit"] == "泰州市第一中学")
            #expect(fields["total_hours"] == "348.5")
            #expect(fields["public_hours"] == "120")
            #expect(fields["professional_hours"] == "228.5")
            #expect(fields["issue_date"] == "2024-04-25")
            #expect(fields["issuer"] == "泰州市人力资源和社会保障局")
            #expect(page.text.contains("<tr data-year=\"2019\"><td>2019</td><td>1</td><td>24</td><td>36.5</td><td>60.5</td></tr>"))
            #expect(!page.text.contains("张三丰"))
            #expect(!page.text.contains("<script"))

            let api = try harness.get("/api/v1/verify/\(issued.code)")
            #expect(api.status == 200)
            let json = try api.json()
            #expect(json["status"] as? String == "valid")
            #expect(json["number"] as? String == issued.number)
            #expect(json["holder_name"] as? String == "张**")
            #expect(json["name_match"] == nil)
            let years = try #require(json["years"] as? [[String: Any]])
            #expect(years.count == 5)
            #expect(years.first?["professional_hours"] as? String == "36.5")
            #expect(years.first?["total_hours"] as? String == "60.5")
        }
    }

    @Test("HTML and JSON agree field by field")
    func htmlMatchesJSON() throws {
        try ServerHarness.with { harness in
            let issued = try harness.fixture.issue(workUnit: "泰州市<实验>&\"附属\"小学")
            try harness.fixture.setState(issued.number, "revoked", revokedAt: Date(timeIntervalSince1970: 1_720_000_000),
                                         reason: "error")
            for query in ["", "?name=\(percentEncoded("张三丰"))"] {
                let fields = pageFields(try harness.get("/v/\(issued.code)\(query)").text)
                let json = try harness.get("/api/v1/verify/\(issued.code)\(query)").json()
                let scalarKeys = Set(json.keys).subtracting(["status", "status_label", "message", "years", "name_match",
                                                                     "revocation_category"])
                #expect(Set(fields.keys) == scalarKeys)
                for (key, value) in fields {
                    let jsonValue = json[key].map { "\($0)" }
                    #expect(jsonValue == value, "field \(key)")
                }
            }
            let fields = pageFields(try harness.get("/v/\(issued.code)").text)
            #expect(fields["work_unit"] == "泰州市<实验>&\"附属\"小学")
            #expect(fields["revoked_on"] == "2024-07-03")
            #expect(fields["revocation_reason"] == "信息有误")
        }
    }

    @Test("revoked then reinstated, never stale")
    func revokeAndReinstate() throws {
        try ServerHarness.with { harness in
            let issued = try harness.fixture.issue()
            #expect(try harness.get("/api/v1/verify/\(issued.code)").json()["status"] as? String == "valid")

            try harness.fixture.setState(issued.number, "revoked", revokedAt: Date(timeIntervalSince1970: 1_720_000_000),
                                         reason: "fraud")
            let revoked = try harness.get("/api/v1/verify/\(issued.code)")
            #expect(revoked.status == 200)
            let json = try revoked.json()
            #expect(json["status"] as? String == "revoked")
            #expect(json["revoked_on"] as? String == "2024-07-03")
            #expect(json["revocation_reason"] as? String == "弄虚作假")
            #expect(json["revocation_category"] as? String == "fraud")
            let page = try harness.get("/v/\(issued.code)")
            #expect(pageStatus(page.text) == "revoked")
            #expect(page.text.contains("已撤销"))

            try harness.fixture.setState(issued.number, "valid")
            let reinstated = try harness.get("/api/v1/verify/\(issued.code)").json()
            #expect(reinstated["status"] as? String == "valid")
            #expect(reinstated["revoked_on"] == nil)
            #expect(pageStatus(try harness.get("/v/\(issued.code)").text) == "valid")
        }
    }

    @Test("superseded hides the new number")
    func superseded() throws {
        try ServerHarness.with { harness in
            let old = try harness.fixture.issue()
            try harness.fixture.setState(old.number, "superseded")
            let replacement = try harness.fixture.issue()
            try harness.fixture.store.connection.run("UPDATE certificates SET superseded_by = ? WHERE number = ?",
                                                     [.text(replacement.number), .text(old.number)])
            let page = try harness.get("/v/\(old.code)")
            #expect(page.status == 200)
            #expect(pageStatus(page.text) == "superseded")
            #expect(page.text.contains("已被更正"))
            #expect(!page.text.contains(replacement.number))
            let api = try harness.get("/api/v1/verify/\(old.code)")
            #expect(try api.json()["status"] as? String == "superseded")
            #expect(!api.text.contains(replacement.number))
        }
    }

    @Test("unknown code is 404 with one body")
    func unknownCode() throws {
        try ServerHarness.with { harness in
            try harness.fixture.issue()
            let first = try harness.get("/v/\(VerificationCode.generate())")
            let second = try harness.get("/v/\(VerificationCode.generate())")
            #expect(first.status == 404)
            #expect(pageStatus(first.text) == "not_found")
            #expect(first.text == second.text)
            let api = try harness.get("/api/v1/verify/\(VerificationCode.generate())")
            #expect(api.status == 404)
            #expect(try api.json()["status"] as? String == "not_found")
            #expect(try api.json()["number"] == nil)
        }
    }

    @Test("malformed code is 404 with one body")
    func malformedCode() throws {
        try ServerHarness.with { harness in
            let first = try harness.get("/v/ABC")
            let second = try harness.get("/v/\(percentEncoded("<img src=x onerror=alert(1)>"))")
            #expect(first.status == 404)
            #expect(pageStatus(first.text) == "malformed")
            #expect(first.text == second.text)
            #expect(!second.text.contains("<img"))
            let api = try harness.get("/api/v1/verify/0000000000000000000O")
            #expect(api.status == 404)
            #expect(try api.json()["status"] as? String == "malformed")
        }
    }

    @Test("record edited with sqlite3 shows as tampered")
    func tamperedRecord() throws {
        try ServerHarness.with { harness in
            let issued = try harness.fixture.issue()
            // The first lookup fills the verified-record cache, which must not hide the edit.
            #expect(try harness.get("/api/v1/verify/\(issued.code)").json()["status"] as? String == "valid")
            try harness.fixture.runSQLiteShell("""
                UPDATE certificates SET record_json = CAST(replace(CAST(record_json AS TEXT), '"total_hours":"348.5"', \
                '"total_hours":"480"') AS BLOB) WHERE number = '\(issued.number)';
                """)
            let api = try harness.get("/api/v1/verify/\(issued.code)")
            #expect(api.status == 200)
            let json = try api.json()
            #expect(json["status"] as? String == "tampered")
            #expect(json["number"] as? String == issued.number)
            #expect(json["total_hours"] == nil)
            let page = try harness.get("/v/\(issued.code)")
            #expect(pageStatus(page.text) == "tampered")
            #expect(!page.text.contains("480"))
            let errors = harness.logs.lines.filter { $0.contains(" error ") && $0.contains("cert.number=\(issued.number)") }
            #expect(errors.count == 2)
            #expect(errors.allSatisfy { $0.contains("request.id=") })
        }
    }

    @Test("every typed code variant reaches the record")
    func typedCodeVariants() throws {
        try ServerHarness.with { harness in
            let issued = try harness.fixture.issue()
            let code = issued.code
            let chunks = stride(from: 0, to: 20, by: 5).map { offset in
                String(code.dropFirst(offset).prefix(5))
            }
            let fullWidth = String(String.UnicodeScalarView(code.unicodeScalars.map { Unicode.Scalar($0.value + 0xFEE0)! }))
            let variants = [
                code, code.lowercased(), chunks.joined(separator: " "), chunks.joined(separator: "-"),
                chunks.joined(separator: "－"), chunks.joined(separator: "\u{3000}"), fullWidth, " \(code.lowercased()) ",
                chunks.joined(separator: "—"),
            ]
            for variant in variants {
                let json = try harness.get("/api/v1/verify/\(percentEncoded(variant))").json()
                #expect(json["status"] as? String == "valid", "variant \(variant)")
                #expect(json["number"] as? String == issued.number, "variant \(variant)")
                let page = try harness.get("/v/\(percentEncoded(variant))")
                #expect(pageFields(page.text)["number"] == issued.number, "variant \(variant)")
            }
        }
    }
}
