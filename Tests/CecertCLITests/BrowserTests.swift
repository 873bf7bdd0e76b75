import CecertCLI
import CecertCore
import CecertServer
import CecertStore
import Foundation
import Testing

/// The verification page as an employer's phone shows it: headless Chromium with a phone-sized window
/// and WeChat's in-app user agent, reading the rendered DOM.
@Suite(.serialized)
struct BrowserTests {
    static let weChatUserAgent = "Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230805.001; wv) AppleWebKit/537.36 "
        + "(KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 "
        + "MMWEBID/2247 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64"

    /// Flags that keep Chromium off every network but the test server's loopback address.
    static let isolationFlags = [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
        "--disable-domain-reliability", "--no-pings", "--metrics-recording-only",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ]

    static func chromium(_ arguments: [String], profile: String) throws -> String {
        try run("chromium", isolationFlags + ["--user-data-dir=\(profile)", "--user-agent=\(weChatUserAgent)",
                                              "--window-size=390,844"] + arguments)
    }

    @Test func phonePageShowsValidCertificate() throws {
        let workspace = Workspace()
        _ = cecert(["import", try PipelineTests.sampleSubset(workspace, count: 1)] + workspace.commonArguments)
        // The store must exist before the server opens it; the base URL needs the server's port.
        let server = try RunningServer(workspace)
        let port = server.port
        defer { withExtendedLifetime(server) {} }
        #expect(cecert(["issue", "--base-url", "http://127.0.0.1:\(port)"] + workspace.commonArguments).status == 0)
        let store = try ReviewStore(path: workspace.store)
        defer { store.close() }
        let number = try #require(try store.allCertificateNumbers().first)
        let code = try #require(try store.certificate(number: number)?.verificationCode)
        let url = "http://127.0.0.1:\(port)/v/\(code)"

        let dom = try Self.chromium(["--dump-dom", url], profile: workspace.path + "/profile")
        #expect(dom.contains("<title>证书查验：有效</title>"))
        #expect(dom.contains(">\(number)</dd>"))
        #expect(dom.contains(">巴特尔·*</dd>"))
        #expect(dom.contains(">321204********0326</dd>"))
        #expect(dom.contains(">泰州市人民医院</dd>"))
        #expect(!dom.contains("巴特尔·其木格"))
        #expect(!dom.contains("<script"))

        let screenshot = workspace.path + "/phone.png"
        _ = try Self.chromium(["--screenshot=\(screenshot)", url], profile: workspace.path + "/profile")
        let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        if let keep = ProcessInfo.processInfo.environment["CECERT_KEEP_SCREENSHOT"] {
            try png.write(to: URL(fileURLWithPath: keep))
        }
    }
}
