import CecertCLI
import CecertCore
import CecertServer
import CecertStore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// A phone-style check: rasterise the issued page, decode its QR with zbarimg, and GET that exact URL
/// from the verification server running on 127.0.0.1.
@Suite(.serialized)
struct ScanAndVerifyTests {
    @Test func scannedURLVerifiesOnRunningServer() async throws {
        let workspace = Workspace()
        _ = cecert(["import", try PipelineTests.sampleSubset(workspace, count: 3)] + workspace.commonArguments)
        // The store must exist before the server opens it; the base URL needs the server's port.
        let server = try RunningServer(workspace)
        let port = server.port
        defer { withExtendedLifetime(server) {} }
        let issued = cecert(["issue", "--base-url", "http://127.0.0.1:\(port)"] + workspace.commonArguments)
        #expect(issued.status == 0)

        let numbers = try FileManager.default.contentsOfDirectory(atPath: workspace.certificates)
            .filter { $0.hasSuffix(".pdf") }.sorted()
        #expect(numbers.count == 2)  // the third sample application was returned at final review
        for file in numbers {
            let image = workspace.path + "/\(file).page"
            try run("pdftoppm", ["-r", "150", "-png", "-singlefile", workspace.certificates + "/" + file, image])
            let url = try run("zbarimg", ["--raw", "-q", image + ".png"]).trimmingCharacters(in: .newlines)
            #expect(url.hasPrefix("http://127.0.0.1:\(port)/v/"))

            let (body, response) = try await URLSession.shared.data(from: URL(string: url)!)
            let page = String(decoding: body, as: UTF8.self)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            #expect(page.contains("有效"))
            #expect(page.contains(String(file.dropLast(4))))

            let code = String(url.split(separator: "/").last!)
            let api = URL(string: "http://127.0.0.1:\(port)/api/v1/verify/\(code)")!
            let (json, _) = try await URLSession.shared.data(from: api)
            let object = try JSONSerialization.jsonObject(with: json) as? [String: Any]
            #expect(object?["status"] as? String == "valid")
            #expect(object?["number"] as? String == String(file.dropLast(4)))
        }
    }
}
