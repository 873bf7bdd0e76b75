import CecertCore
import Foundation
import Testing
@testable import CecertRender

@Suite struct SmokeTests {
    @Test func renderSample() throws {
        let renderer = try CertificateRenderer(configuration: Fixture.configuration, logger: Fixture.logger)
        let bytes = try renderer.render(Fixture.facts(holderName: "张𬌗", years: 5, licence: "32120020200000123X"))
        try Data(bytes).write(to: URL(fileURLWithPath: "/tmp/render-smoke.pdf"))
        print("bytes", bytes.count, renderer.lastTimings)
    }
}
