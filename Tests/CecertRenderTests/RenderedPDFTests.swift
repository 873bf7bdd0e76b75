import CecertCore
import Foundation
import Testing

@testable import CecertRender

/// Checks of rendered PDFs with poppler, zbar and qpdf.
@Suite struct RenderedPDFTests {
    let renderer: CertificateRenderer

    init() throws {
        renderer = try CertificateRenderer(configuration: Fixture.configuration, logger: Fixture.logger)
    }

    @Test func qrDecodesToVerifyURL() throws {
        let directory = try TemporaryDirectory()
        let facts = Fixture.facts()
        let pdf = try directory.write(try renderer.render(facts), to: "certificate.pdf")

        let raster = try run("pdftoppm", ["-r", "150", "-png", "-singlefile", pdf, directory.path + "/page"])
        #expect(raster.status == 0)
        let decoded = try run("zbarimg", ["--raw", "-q", directory.path + "/page.png"])
        #expect(decoded.status == 0)
        #expect(decoded.text == facts.verifyURL + "\n")
    }

    @Test func textHasFactsButNoFullIDNumber() throws {
        let directory = try TemporaryDirectory()
        let facts = Fixture.facts()
        let pdf = try directory.write(try renderer.render(facts), to: "certificate.pdf")

        let text = try run("pdftotext", ["-raw", pdf, "-"]).text
        #expect(text.contains("姓名 王小明 身份证号 321204********0326"))
        #expect(text.contains("工作单位 泰州市第一中学"))
        #expect(text.contains("证书编号：\(facts.number)"))
        #expect(text.contains("核验码：ABCDEFGHJKLMNPQRSTUV"))
        #expect(text.contains("应修学时 120学时，其中公需科目不少于3门"))
        #expect(text.contains("实修学时 217.5学时（公需科目3门37.5学时，专业科目180学时）"))
        #expect(text.contains("2018 1 12.5 60 72.5"))
        #expect(text.contains("合计 3 37.5 180 217.5"))
        #expect(text.contains("2020年4月15日"))
        #expect(text.contains(Fixture.issuer))
        #expect(!text.contains("19870315"))
        #expect(!text.contains("电子证照标识"))
    }

    @Test func renderingIsByteIdentical() throws {
        let other = try CertificateRenderer(configuration: Fixture.configuration, logger: Fixture.logger)
        let first = try renderer.render(Fixture.facts())
        _ = try renderer.render(Fixture.facts(holderName: "李四", years: 5))
        let again = try renderer.render(Fixture.facts())
        let elsewhere = try other.render(Fixture.facts())

        #expect(first == again)
        #expect(first == elsewhere)
        let latin1 = String(decoding: first, as: Unicode.ASCII.self)
        #expect(!latin1.contains("/CreationDate"))
        #expect(!latin1.contains("/ModDate"))
        #expect(!latin1.contains("/ID"))
    }

    /// Version 2 embeds the font with shared glyphs first and compresses it in parts; the page must read and
    /// look exactly as version 1 does.
    @Test func sharedGlyphVersionPrintsLikeVersionOne() throws {
        let directory = try TemporaryDirectory()
        var pages: [String: (text: String, raster: Data)] = [:]
        for version in ["1", "2"] {
            let facts = Fixture.facts(holderName: "张𬌗", workUnit: "泰州市𬀩海中学", templateVersion: version)
            let pdf = try directory.write(try renderer.render(facts), to: "v\(version).pdf")
            let text = try run("pdftotext", ["-raw", pdf, "-"]).text
            let raster = try run("pdftoppm", ["-r", "72", "-gray", "-singlefile", pdf, directory.path + "/v\(version)"])
            #expect(raster.status == 0)
            let image = try Data(contentsOf: URL(fileURLWithPath: directory.path + "/v\(version).pgm"))
            pages[version] = (text, image)
        }
        #expect(pages["2"]?.text.contains("姓名 张𬌗 身份证号") == true)
        #expect(pages["2"]?.text.contains("工作单位 泰州市𬀩海中学") == true)
        #expect(pages["1"]?.text == pages["2"]?.text)
        #expect(pages["1"]?.raster.count ?? 0 > 100_000)
        #expect(pages["1"]?.raster == pages["2"]?.raster)
    }

    /// The FontFile2 stream that cecert compresses itself decodes to a TrueType file of /Length1 bytes.
    @Test func sharedGlyphFontProgramDecodes() throws {
        let directory = try TemporaryDirectory()
        let bytes = try renderer.render(Fixture.facts(holderName: "欧阳𬌗"))
        let pdf = try directory.write(bytes, to: "certificate.pdf")
        let raw = String(decoding: bytes, as: Unicode.ASCII.self)
        let object = try #require(raw.firstMatch(of: /\/FontFile2 (\d+) 0 R/)?.1)
        let length = try #require(raw.firstMatch(of: /\/Length1 (\d+)\n/)?.1)
        #expect(raw.contains("/Length1 \(length)\n/Length2 0\n/Length3 0\n/Filter [ /FlateDecode ]\n"))

        let decoded = try run("qpdf", ["--show-object=\(object)", "--filtered-stream-data", pdf])
        #expect(decoded.status == 0)
        #expect(decoded.standardOutput.count == Int(length))
        #expect(Array(decoded.standardOutput.prefix(6)) == [0, 1, 0, 0, 0, 10])
    }

    @Test func qpdfCheckPasses() throws {
        let directory = try TemporaryDirectory()
        let pdf = try directory.write(try renderer.render(Fixture.facts(holderName: "张𬌗", years: 5)), to: "c.pdf")

        let check = try run("qpdf", ["--check", pdf])
        #expect(check.status == 0)
        #expect(check.text.contains("No syntax or stream encoding errors found"))
    }

    @Test func fontIsEmbeddedSubset() throws {
        let directory = try TemporaryDirectory()
        let pdf = try directory.write(try renderer.render(Fixture.facts()), to: "certificate.pdf")

        let lines = try run("pdffonts", [pdf]).text.split(separator: "\n").dropFirst(2)
        #expect(lines.count == 1)
        let columns = lines.first?.split(separator: " ", omittingEmptySubsequences: true).map(String.init) ?? []
        #expect(columns.first == "HPDFAA+LXGWWenKai-Regular")
        #expect(columns.first?.wholeMatch(of: /[A-Z]{6}\+LXGWWenKai-Regular/) != nil)
        #expect(Array(columns.dropFirst(1).prefix(5)) == ["CID", "TrueType", "Identity-H", "yes", "yes"])
        #expect(columns.count == 9)
        #expect(columns.dropFirst(6).first == "yes")
    }

    @Test func metadataAndPageSize() throws {
        let directory = try TemporaryDirectory()
        let facts = Fixture.facts()
        let pdf = try directory.write(try renderer.render(facts), to: "certificate.pdf")

        let info = try run("pdfinfo", [pdf]).text
        #expect(info.contains("Title:           继续教育学时审验合格证明 \(facts.number)\n"))
        #expect(info.contains("Author:          \(Fixture.issuer)\n"))
        #expect(info.contains("Subject:         \(facts.verifyURL)\n"))
        #expect(info.contains("Pages:           1\n"))
        #expect(info.contains("Page size:       595.276 x 841.89 pts (A4)\n"))
    }

    @Test func longNameAndUnitStayOnOnePage() throws {
        let directory = try TemporaryDirectory()
        let name = "阿卜杜热合曼·买买提明·艾则孜"
        let unit = "泰州市姜堰区张甸镇人民政府农业农村综合服务中心畜牧兽医站动物疫病预防控制与检疫监督管理办公室第二分部综合业务科室驻场组处"
        #expect(unit.count == 60)
        let facts = Fixture.facts(holderName: name, workUnit: unit, years: 5, licence: "32120020200000123X")
        let pdf = try directory.write(try renderer.render(facts), to: "certificate.pdf")

        #expect(try run("pdfinfo", [pdf]).text.contains("Pages:           1\n"))
        let text = try run("pdftotext", ["-raw", pdf, "-"]).text
        #expect(text.contains("姓名 \(name) 身份证号"))
        #expect(text.replacingOccurrences(of: "\n", with: "").contains(unit))
        #expect(text.contains("2021 1 12.5 60 72.5"))
        #expect(text.contains("合计 5 62.5 300 362.5"))
        #expect(text.contains("电子证照标识：32120020200000123X"))
    }

    @Test func initialAppointmentShowsPublicCourseRule() throws {
        let directory = try TemporaryDirectory()
        var facts = Fixture.facts()
        facts.requiredHours = nil
        facts.declaration = "初定中级"
        let pdf = try directory.write(try renderer.render(facts), to: "certificate.pdf")

        let text = try run("pdftotext", ["-raw", pdf, "-"]).text.replacingOccurrences(of: "\n", with: "")
        #expect(text.contains("应修学时 每年至少1门公需科目"))
        #expect(text.contains("继续教育应每年至少修1门公需科目，实修217.5学时"))
    }

    @Test func otherDeclarationShowsYearlyNorm() throws {
        let directory = try TemporaryDirectory()
        var facts = Fixture.facts(years: 2)
        facts.declaration = "其他"
        facts.requiredHours = Hours(144)
        facts.requiredPublicCourses = 0
        let pdf = try directory.write(try renderer.render(facts), to: "certificate.pdf")

        let text = try run("pdftotext", ["-raw", pdf, "-"]).text.replacingOccurrences(of: "\n", with: "")
        #expect(text.contains("应修学时 144学时（每年不少于72学时）"))
        #expect(!text.contains("不少于0门"))
    }
}
