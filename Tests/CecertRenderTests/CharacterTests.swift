import CecertCore
import Foundation
import Testing

@testable import CecertRender

/// Characters above U+FFFF and characters the font lacks.
@Suite struct CharacterTests {
    let renderer: CertificateRenderer

    init() throws {
        renderer = try CertificateRenderer(configuration: Fixture.configuration, logger: Fixture.logger)
    }

    /// Dark pixels (below mid-grey) in a region of page 1 at 150 dpi, given in points from the top-left corner.
    func darkPixels(
        _ pdf: String, x: Double, y: Double, width: Double, height: Double,
        directory: borrowing TemporaryDirectory
    ) throws -> Int {
        let scale = 150.0 / 72
        let output = directory.path + "/crop-\(UUID().uuidString)"
        let crop = try run(
            "pdftoppm",
            [
                "-r", "150", "-gray", "-singlefile",
                "-x", "\(Int(x * scale))", "-y", "\(Int(y * scale))",
                "-W", "\(Int(width * scale))", "-H", "\(Int(height * scale))", pdf, output,
            ])
        #expect(crop.status == 0)
        let image = try [UInt8](Data(contentsOf: URL(fileURLWithPath: output + ".pgm")))
        // A binary PGM: "P5", width, height and maximum value separated by white space, then one byte per pixel.
        var fields = 0
        var index = 0
        while fields < 4 && index < image.count {
            while index < image.count, !(image[index] == 0x0A || image[index] == 0x20) { index += 1 }
            fields += 1
            index += 1
        }
        return image[index...].filter { $0 < 128 }.count
    }

    @Test func characterAboveBMPIsDrawnAndExtracted() throws {
        let directory = try TemporaryDirectory()
        let plain = try directory.write(try renderer.render(Fixture.facts(holderName: "张")), to: "plain.pdf")
        let astral = try directory.write(try renderer.render(Fixture.facts(holderName: "张𬌗")), to: "astral.pdf")

        // The name cell's text starts at x 145 pt, between y 152 and 176 pt. At 10.5 pt the second character
        // starts near x 155.5 pt, so the region from x 157 pt contains none of the first.
        let region = (x: 157.0, y: 152.0, width: 40.0, height: 24.0)
        let blank = try darkPixels(
            plain, x: region.x, y: region.y, width: region.width, height: region.height,
            directory: directory)
        let drawn = try darkPixels(
            astral, x: region.x, y: region.y, width: region.width, height: region.height,
            directory: directory)
        #expect(blank == 0)
        #expect(drawn > 60)

        let text = try run("pdftotext", ["-raw", astral, "-"]).text
        #expect(text.contains("姓名 张𬌗 身份证号"))
        #expect(text.contains("经审验，张𬌗同志"))
    }

    @Test func privateUseMaximumIsRejected() throws {
        let facts = Fixture.facts(holderName: "张\u{10FFFD}")
        #expect(throws: CecertError(.unsupportedCharacter, "")) { try renderer.checkPrintable(facts) }
        do {
            _ = try renderer.render(facts)
            Issue.record("render accepted U+10FFFD")
        } catch let error as CecertError {
            #expect(error.code == .unsupportedCharacter)
            #expect(error.message == "holder_name: \u{10FFFD} U+10FFFD is not in the font")
        }
    }

    @Test func extensionBCharacterMissingFromFontIsRejected() throws {
        let font = try TrueTypeFont(path: Fixture.configuration.fontPath)
        let missing = (0x20000...0x2A6DF).lazy.compactMap(Unicode.Scalar.init).first { font.glyph(for: $0) == nil }
        let scalar = try #require(missing)
        var facts = Fixture.facts()
        facts.workUnit = "泰州市\(Character(scalar))研究所"

        do {
            try renderer.checkPrintable(facts)
            Issue.record("checkPrintable accepted U+\(String(scalar.value, radix: 16, uppercase: true))")
        } catch let error as CecertError {
            let hex = String(scalar.value, radix: 16, uppercase: true)
            #expect(error.message == "work_unit: \(Character(scalar)) U+\(hex) is not in the font")
        }
    }

    @Test func supportedExtensionBCharacterPasses() throws {
        try renderer.checkPrintable(Fixture.facts(holderName: "张𬌗"))
    }

    @Test func controlCharacterIsRejected() throws {
        do {
            try renderer.checkPrintable(Fixture.facts(workUnit: "泰州\u{0007}中学"))
            Issue.record("checkPrintable accepted U+0007")
        } catch let error as CecertError {
            #expect(error.message == "work_unit: control character U+0007 cannot be printed")
        }
    }

    @Test func fontParsesFormat12Cmap() throws {
        let font = try TrueTypeFont(path: Fixture.configuration.fontPath)
        #expect(font.numberOfGlyphs == 29145)
        #expect(font.glyph(for: "\u{2C317}") != nil)
        #expect(font.glyph(for: "\u{00B7}") != nil)
        #expect(font.glyph(for: "\u{10FFFD}") == nil)
        #expect(font.postScriptName == "LXGWWenKai-Regular")
    }
}
