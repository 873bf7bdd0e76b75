import CecertCore
import Foundation
import Testing
@testable import CecertServer

@Suite("Cached rendering")
struct RenderingTests {
    static let facts = StoreFixture.facts(number: "321200-2024-000001-C", code: "C2V5NB822TDCUKNAJ5RQ",
                                          name: "欧阳<娜娜>", workUnit: "泰州市\"实验\"&小学", maskedID: "321202********0001")
    static let record = CertificateRecord(facts: facts, pdfSHA256: String(repeating: "0", count: 64))
    static let outcomes: [VerificationOutcome] = [
        .valid(record), .revoked(record, at: Date(timeIntervalSince1970: 1_720_000_000), reason: "duplicate"),
        .superseded(record),
    ]

    @Test("cached rendering equals a fresh one")
    func cachedEqualsFresh() {
        let rendering = FactsRendering(facts: Self.facts)
        for outcome in Self.outcomes {
            for nameMatch in [nil, false, true] as [Bool?] {
                let fresh = VerificationView(outcome: outcome, nameMatch: nameMatch)
                let cached = VerificationView(outcome: outcome, nameMatch: nameMatch, rendering: rendering)
                #expect(cached.json == fresh.json, "\(outcome.status) \(String(describing: nameMatch))")
                #expect(HTMLPage.verification(cached, nameFormAction: "/v/x") == HTMLPage.verification(fresh, nameFormAction: "/v/x"))
            }
        }
    }

    @Test("full name only after a match")
    func fullNameOnlyAfterMatch() throws {
        let rendering = FactsRendering(facts: Self.facts)
        let matched = VerificationView(outcome: .valid(Self.record), nameMatch: true, rendering: rendering)
        let masked = VerificationView(outcome: .valid(Self.record), nameMatch: false, rendering: rendering)
        let matchedJSON = try JSONSerialization.jsonObject(with: Data(matched.json.utf8)) as? [String: Any]
        let maskedJSON = try JSONSerialization.jsonObject(with: Data(masked.json.utf8)) as? [String: Any]
        #expect(matchedJSON?["holder_name"] as? String == "欧阳<娜娜>")
        #expect(maskedJSON?["holder_name"] as? String == "欧阳****")
        #expect(HTMLPage.verification(matched, nameFormAction: nil).contains("欧阳&lt;娜娜&gt;"))
        #expect(!HTMLPage.verification(masked, nameFormAction: nil).contains("娜娜"))
    }

    @Test("JSON escapes markup and controls")
    func jsonEscaping() {
        var text = ""
        JSONWriter.appendString("a\"b\\c<d>&e\u{01}\u{2028}中", to: &text)
        #expect(text == "\"a\\\"b\\\\c\\u003cd\\u003e\\u0026e\\u0001\\u2028中\"")
        var plain = ""
        JSONWriter.appendString("泰州市 2024", to: &plain)
        #expect(plain == "\"泰州市 2024\"")
    }
}
