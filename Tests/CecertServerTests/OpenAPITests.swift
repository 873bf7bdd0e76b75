import CecertCore
import Foundation
import Testing

@Suite("OpenAPI document")
struct OpenAPITests {
    static let servedPaths: Set<String> = [
        "/v", "/v/{code}", "/api/v1/verify/{code}", "/api/v1/verify-pdf", "/api/v1/certificates/{number}.pdf",
        "/api/v1/keys", "/healthz", "/metrics", "/api/v1/openapi.json",
    ]

    func schema(_ document: [String: Any], _ name: String) throws -> (required: Set<String>, properties: Set<String>) {
        let components = try #require(document["components"] as? [String: Any])
        let schemas = try #require(components["schemas"] as? [String: Any])
        let schema = try #require(schemas[name] as? [String: Any])
        let required = Set(schema["required"] as? [String] ?? [])
        let properties = Set((schema["properties"] as? [String: Any] ?? [:]).keys)
        return (required, properties)
    }

    /// Checks that a live body has every required field and no undocumented one.
    func expectConforms(_ body: [String: Any], to schema: (required: Set<String>, properties: Set<String>),
                        _ context: String) {
        let keys = Set(body.keys)
        #expect(schema.required.isSubset(of: keys), "\(context): missing \(schema.required.subtracting(keys))")
        #expect(keys.isSubset(of: schema.properties), "\(context): undocumented \(keys.subtracting(schema.properties))")
    }

    @Test("document parses and lists served paths")
    func listsPaths() throws {
        try ServerHarness.with { harness in
            let response = try harness.get("/api/v1/openapi.json")
            #expect(response.status == 200)
            let document = try response.json()
            #expect(document["openapi"] as? String == "3.0.3")
            let paths = try #require(document["paths"] as? [String: Any])
            #expect(Set(paths.keys) == Self.servedPaths)
        }
    }

    @Test("live responses have the documented fields")
    func responsesConform() throws {
        try ServerHarness.with { harness in
            let document = try harness.get("/api/v1/openapi.json").json()
            let verification = try schema(document, "Verification")
            let valid = try harness.fixture.issue()
            let revoked = try harness.fixture.issue()
            try harness.fixture.setState(revoked.number, "revoked", revokedAt: Date(), reason: "error")
            let tampered = try harness.fixture.issue()
            try harness.fixture.store.connection.run("UPDATE certificates SET signature = zeroblob(64) WHERE number = ?",
                                                     [.text(tampered.number)])
            let targets = [
                "/api/v1/verify/\(valid.code)", "/api/v1/verify/\(valid.code)?name=%E5%BC%A0",
                "/api/v1/verify/\(revoked.code)", "/api/v1/verify/\(tampered.code)",
                "/api/v1/verify/\(VerificationCode.generate())", "/api/v1/verify/bad",
            ]
            for target in targets {
                expectConforms(try harness.get(target).json(), to: verification, target)
            }
            let year = try schema(document, "Year")
            let years = try harness.get(targets[0]).json()["years"] as? [[String: Any]] ?? []
            #expect(years.count == 5)
            for row in years { expectConforms(row, to: year, "year row") }

            let pdf = try harness.request("POST", "/api/v1/verify-pdf", body: valid.pdf).json()
            expectConforms(pdf, to: try schema(document, "PDFCheck"), "verify-pdf")
            expectConforms(try harness.get("/api/v1/keys").json(), to: try schema(document, "Keys"), "keys")
            expectConforms(try harness.get("/healthz").json(), to: try schema(document, "Health"), "healthz")
            let error = try schema(document, "Error")
            expectConforms(try harness.get("/api/v1/certificates/\(valid.number).pdf").json(), to: error, "401")
            expectConforms(try harness.get("/api/v1/nothing").json(), to: error, "404")
        }
    }
}
