import CecertCore
import CecertStore
import Foundation
import Testing

/// The QR code must survive what happens to paper and photos: low resolution, greyscale, heavy JPEG.
@Suite(.serialized)
struct QRLegibilityTests {
    @Test(arguments: [
        ["-r", "150", "-gray", "-png"],
        ["-r", "100", "-gray", "-png"],
        ["-r", "150", "-gray", "-jpeg", "-jpegopt", "quality=30"],
        ["-r", "100", "-gray", "-jpeg", "-jpegopt", "quality=30"],
    ])
    func decodesFromDegradedRaster(_ rasterOptions: [String]) throws {
        let workspace = Workspace()
        _ = cecert(["import", try PipelineTests.sampleSubset(workspace, count: 2)] + workspace.commonArguments)
        #expect(cecert(["issue"] + workspace.commonArguments).status == 0)
        let store = try ReviewStore(path: workspace.store)
        defer { store.close() }
        for number in try store.allCertificateNumbers() {
            let stored = try #require(try store.certificate(number: number))
            let url = try CertificateRecord.decode(canonicalJSON: stored.recordJSON).facts.verifyURL
            let image = workspace.path + "/\(number)"
            try run("pdftoppm", rasterOptions + ["-singlefile", workspace.certificates + "/\(number).pdf", image])
            let file = image + (rasterOptions.contains("-jpeg") ? ".jpg" : ".png")
            let scanned = try run("zbarimg", ["--raw", "-q", file]).trimmingCharacters(in: .newlines)
            #expect(scanned == url, "\(rasterOptions.joined(separator: " "))")
        }
    }
}
