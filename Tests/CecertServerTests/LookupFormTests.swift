import CecertCore
import Foundation
import Testing

@Suite("Lookup form and name confirmation")
struct LookupFormTests {
    @Test("empty form renders")
    func emptyForm() throws {
        try ServerHarness.with { harness in
            let page = try harness.get("/v")
            #expect(page.status == 200)
            #expect(page.text.contains("<form method=\"get\" action=\"/v\">"))
            #expect(page.text.contains("name=\"number\" value=\"\""))
            #expect(page.text.contains("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"))
        }
    }

    @Test("number and code look up and pre-fill")
    func numberAndCode() throws {
        try ServerHarness.with { harness in
            let issued = try harness.fixture.issue()
            let typedNumber = issued.number.lowercased().replacingOccurrences(of: "-", with: " ")
            let fullWidthNumber = String(String.UnicodeScalarView(issued.number.unicodeScalars.map {
                Unicode.Scalar($0.value + 0xFEE0)!
            }))
            for number in [issued.number, typedNumber, fullWidthNumber] {
                let target = "/v?number=\(percentEncoded(number))&code=\(percentEncoded(issued.code.lowercased()))"
                let page = try harness.get(target)
                #expect(page.status == 200, "number \(number)")
                #expect(pageStatus(page.text) == "valid", "number \(number)")
                #expect(pageFields(page.text)["number"] == issued.number)
                #expect(page.text.contains("name=\"code\" value=\"\(issued.code.lowercased())\""))
            }
        }
    }

    @Test("number of another record is not found")
    func numberMismatch() throws {
        try ServerHarness.with { harness in
            let first = try harness.fixture.issue()
            let second = try harness.fixture.issue()
            let page = try harness.get("/v?number=\(second.number)&code=\(first.code)")
            #expect(page.status == 404)
            #expect(pageStatus(page.text) == "not_found")
            #expect(!page.text.contains(first.number))
            let api = try harness.get("/api/v1/verify/\(first.code)?number=\(second.number)")
            #expect(api.status == 404)
            #expect(try api.json()["status"] as? String == "not_found")
        }
    }

    @Test("only one of number and code is 400")
    func missingHalf() throws {
        try ServerHarness.with { harness in
            let page = try harness.get("/v?number=\(percentEncoded("32-<b>"))")
            #expect(page.status == 400)
            #expect(page.text.contains("请同时输入证书编号和验证码。"))
            #expect(page.text.contains("value=\"32-&lt;b&gt;\""))
        }
    }

    @Test("matching name shows the full name")
    func nameMatches() throws {
        try ServerHarness.with { harness in
            let issued = try harness.fixture.issue()
            let page = try harness.get("/v/\(issued.code)?name=\(percentEncoded(" 张 三丰 "))")
            #expect(page.text.contains("姓名一致"))
            #expect(pageFields(page.text)["holder_name"] == "张三丰")
            let json = try harness.get("/api/v1/verify/\(issued.code)?name=\(percentEncoded("张三丰"))").json()
            #expect(json["name_match"] as? Bool == true)
            #expect(json["holder_name"] as? String == "张三丰")
            let form = try harness.get("/v?number=\(issued.number)&code=\(issued.code)&name=\(percentEncoded("张三丰"))")
            #expect(form.text.contains("姓名一致"))
        }
    }

    @Test("other name keeps the mask")
    func nameDiffers() throws {
        try ServerHarness.with { harness in
            let issued = try harness.fixture.issue()
            let page = try harness.get("/v/\(issued.code)?name=\(percentEncoded("张三"))")
            #expect(page.text.contains("姓名不一致"))
            #expect(pageFields(page.text)["holder_name"] == "张**")
            #expect(!page.text.contains("张三丰"))
            let json = try harness.get("/api/v1/verify/\(issued.code)?name=%E6%9D%8E%E5%9B%9B").json()
            #expect(json["name_match"] as? Bool == false)
            #expect(json["holder_name"] as? String == "张**")
        }
    }

    @Test("minority name with middle dot variants")
    func middleDotName() throws {
        try ServerHarness.with { harness in
            let issued = try harness.fixture.issue(name: "阿卜杜·买买提")
            let json = try harness.get("/api/v1/verify/\(issued.code)?name=\(percentEncoded("阿卜杜・买买提"))").json()
            #expect(json["name_match"] as? Bool == true)
            let masked = try harness.get("/api/v1/verify/\(issued.code)").json()
            #expect(masked["holder_name"] as? String == "阿卜杜·*")
        }
    }
}
