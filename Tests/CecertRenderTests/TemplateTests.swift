import CecertCore
import Foundation
import Testing

@testable import CecertRender

/// Template loading and validation.
@Suite struct TemplateTests {
    /// Copies the shipped template into a temporary folder after applying `edit` to its text.
    func rejection(_ edit: (String) -> String) throws -> (message: String, path: String) {
        let directory = try TemporaryDirectory()
        let original = try String(contentsOfFile: Fixture.root + "/templates/certificate-v1.json", encoding: .utf8)
        let path = directory.path + "/certificate-v1.json"
        try edit(original).write(toFile: path, atomically: true, encoding: .utf8)
        let configuration = RenderConfiguration(
            fontPath: Fixture.configuration.fontPath,
            templatesDirectory: directory.path)
        do {
            _ = try CertificateRenderer(configuration: configuration, logger: Fixture.logger)
            Issue.record("the edited template was accepted")
            return ("", path)
        } catch let error as CecertError {
            #expect(error.code == .configuration)
            return (error.message, path)
        }
    }

    @Test func shippedTemplateLoads() throws {
        let renderer = try CertificateRenderer(configuration: Fixture.configuration, logger: Fixture.logger)
        #expect(renderer.currentTemplateVersion == "2")
        let first = try TemplateLoader.load(path: Fixture.root + "/templates/certificate-v1.json")
        #expect(first.elements.count == 16)
        #expect(first.pageWidth == 595.276)
        #expect(first.sharedScalars() == nil)
        let second = try TemplateLoader.load(path: Fixture.root + "/templates/certificate-v2.json")
        #expect(second.elements.map(\.id) == first.elements.map(\.id))
        let shared = try #require(second.sharedScalars())
        #expect(shared == shared.sorted())
        for character in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ年月日继续教育学时审验合格证明核验码扫码电子证照标识" {
            #expect(shared.contains(character.unicodeScalars.first!.value), "\(character)")
        }
        #expect(!shared.contains("王".unicodeScalars.first!.value))
        #expect(!shared.contains("{".unicodeScalars.first!.value))
        #expect(second.sharedFields == ["issuer"])
        let withIssuer = try #require(second.sharedScalars(values: ["issuer": "王办", "holder_name": "李"]))
        #expect(withIssuer.contains("王".unicodeScalars.first!.value))
        #expect(!withIssuer.contains("李".unicodeScalars.first!.value))
    }

    @Test func sharedFieldMustBePlaceholder() throws {
        let result = try rejection {
            $0.replacingOccurrences(
                of: "\"version\": \"1\",",
                with: "\"version\": \"1\", \"sharedCharacters\": \"年\", \"sharedFields\": [\"issuer_name\"],")
        }
        #expect(result.message.hasSuffix("'sharedFields' names {issuer_name}, which is not a placeholder"))
    }

    @Test func sharedCharacterMissingFromFontIsRejected() throws {
        let result = try rejection {
            $0.replacingOccurrences(of: "\"version\": \"1\",", with: "\"version\": \"1\", \"sharedCharacters\": \"年\u{E000}\",")
        }
        #expect(result.message.contains("sharedCharacters"))
        #expect(result.message.contains("U+E000 is not in the font"))
    }

    @Test func unknownPlaceholderIsRejected() throws {
        let result = try rejection {
            $0.replacingOccurrences(of: "\"text\": \"{issuer}\"", with: "\"text\": \"{issuer_name}\"")
        }
        #expect(
            result.message
                == "template \(result.path): element 'issuer': unknown placeholder {issuer_name} in text '{issuer_name}'"
        )
    }

    @Test func overlappingElementsAreRejected() throws {
        let result = try rejection {
            $0.replacingOccurrences(of: "\"box\": [250, 726, 285.276, 18]", with: "\"box\": [250, 716, 285.276, 18]")
        }
        #expect(result.message == "template \(result.path): element 'issuer': the box overlaps element 'issue-date'")
    }

    @Test func unknownFieldIsRejected() throws {
        let result = try rejection { $0.replacingOccurrences(of: "\"quietZone\": 4", with: "\"quietzone\": 4") }
        #expect(result.message == "template \(result.path): element 'qr': unknown field 'quietzone'")
    }

    @Test func narrowQuietZoneIsRejected() throws {
        let result = try rejection { $0.replacingOccurrences(of: "\"quietZone\": 4", with: "\"quietZone\": 2") }
        #expect(
            result.message == "template \(result.path): element 'qr': 'quietZone' must be a whole number from 4 to 10")
    }

    @Test func qrNearPageEdgeIsRejected() throws {
        let result = try rejection {
            $0.replacingOccurrences(of: "\"box\": [60, 668, 100, 100]", with: "\"box\": [20, 668, 100, 100]")
        }
        #expect(
            result.message
                == "template \(result.path): element 'qr': a QR box must be at least 10 mm from every page edge")
    }

    @Test func gridColumnMismatchIsRejected() throws {
        let result = try rejection {
            $0.replacingOccurrences(of: "[80, 157.638, 80, 157.638]", with: "[80, 150, 80, 157.638]")
        }
        #expect(
            result.message
                == "template \(result.path): element 'info': column widths add up to 467.638 pt but the box is 475.276 pt wide"
        )
    }

    @Test func sealWithoutSpecimenMarkIsRejected() throws {
        let result = try rejection { $0.replacingOccurrences(of: "\"label\": \"样章\"", with: "\"label\": \"公章\"") }
        #expect(
            result.message.hasPrefix(
                "template \(result.path): element 'seal': a seal placeholder's label must contain 样章"))
    }

    @Test func invalidJSONIsRejected() throws {
        let result = try rejection { $0 + "}" }
        #expect(result.message.hasPrefix("template \(result.path): is not valid JSON"))
    }

    @Test func versionMismatchIsRejected() throws {
        let result = try rejection { $0.replacingOccurrences(of: "\"version\": \"1\"", with: "\"version\": \"2\"") }
        #expect(result.message == "template \(result.path): 'version' is 2 but the file name says 1")
    }

    @Test func missingFontIsNamed() throws {
        let configuration = RenderConfiguration(
            fontPath: "/nonexistent/font.ttf", templatesDirectory: Fixture.root + "/templates")
        #expect(throws: CecertError(.configuration, "")) {
            try CertificateRenderer(configuration: configuration, logger: Fixture.logger)
        }
        do {
            _ = try CertificateRenderer(configuration: configuration, logger: Fixture.logger)
        } catch let error as CecertError {
            #expect(error.message == "font file /nonexistent/font.ttf is missing or unreadable")
        }
    }

    @Test func corruptFontIsNamed() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(Array("not a font at all, just text".utf8), to: "broken.ttf")
        do {
            _ = try TrueTypeFont(path: path)
            Issue.record("a text file was accepted as a font")
        } catch let error as CecertError {
            #expect(error.message == "font file \(path) is not a TrueType font (sfnt version 6e6f7420)")
        }
    }

    @Test func unknownTemplateVersionIsRejected() throws {
        let renderer = try CertificateRenderer(configuration: Fixture.configuration, logger: Fixture.logger)
        var facts = Fixture.facts()
        facts.templateVersion = "9"
        do {
            _ = try renderer.render(facts)
            Issue.record("template version 9 was accepted")
        } catch let error as CecertError {
            #expect(error.code == .configuration)
            #expect(error.message == "template version 9 is not installed (installed: 1, 2)")
        }
    }

    @Test func placeholderScanning() {
        #expect(Template.placeholders(in: "证书编号：{number}") == ["number"])
        #expect(Template.placeholders(in: "{a}{b} c") == ["a", "b"])
        #expect(Template.placeholders(in: "broken {a") == nil)
        #expect(Template.placeholders(in: "broken a}") == nil)
    }

    /// A 1 × 1 PNG, small enough to keep in the test.
    static let pixelPNG = Data(
        base64Encoded:
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==")!

    static let imageElement = """
        "elements": [
            { "id": "logo", "type": "image", "box": [36, 40, 16, 16], "path": "pixel.png" },
        """

    @Test func imageElementIsDrawn() throws {
        let directory = try TemporaryDirectory()
        let original = try String(contentsOfFile: Fixture.root + "/templates/certificate-v1.json", encoding: .utf8)
        let edited = original.replacingOccurrences(of: "\"elements\": [", with: Self.imageElement)
        try edited.write(toFile: directory.path + "/certificate-v1.json", atomically: true, encoding: .utf8)
        _ = try directory.write(Array(Self.pixelPNG), to: "pixel.png")
        let configuration = RenderConfiguration(
            fontPath: Fixture.configuration.fontPath, templatesDirectory: directory.path)
        let renderer = try CertificateRenderer(configuration: configuration, logger: Fixture.logger)
        let pdf = try directory.write(try renderer.render(Fixture.facts(templateVersion: "1")), to: "certificate.pdf")

        let images = try run("pdfimages", ["-list", pdf]).text.split(separator: "\n").dropFirst(2)
        // The PNG has an alpha channel, which libharu writes as a soft mask beside the image.
        #expect(images.count == 2)
        let rows = images.map { $0.split(separator: " ").map(String.init) }
        #expect(rows.first.map { Array($0[2...4]) } == ["image", "1", "1"])
        #expect(rows.last.map { Array($0[2...4]) } == ["smask", "1", "1"])
    }

    @Test func missingImageIsRejected() throws {
        let result = try rejection { $0.replacingOccurrences(of: "\"elements\": [", with: Self.imageElement) }
        let folder = (result.path as NSString).deletingLastPathComponent
        #expect(
            result.message
                == "template \(result.path): element 'logo': image file \(folder)/pixel.png is missing or unreadable")
    }
}
