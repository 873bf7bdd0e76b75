import CecertCore
import Foundation
import Testing

@testable import CecertRender

/// Throughput and size figures, run only when CECERT_RENDER_BENCH is set, for example:
/// `CECERT_RENDER_BENCH=1000 swift test -c release -Xswiftc -enable-testing --filter RenderBenchmark`.
@Suite struct RenderBenchmark {
    static let count = Int(ProcessInfo.processInfo.environment["CECERT_RENDER_BENCH"] ?? "") ?? 0
    /// A folder to write sample PDFs into, for looking at them or comparing runs in separate processes.
    static let sampleFolder = ProcessInfo.processInfo.environment["CECERT_RENDER_SAMPLES"]

    static let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘")
    static let givenNames = Array("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞燕辉建国文")
    static let units = [
        "泰州市第一中学", "泰州市人民医院", "靖江市城市建设投资集团有限公司", "兴化市农业农村局",
        "泰兴市第三人民医院检验科", "姜堰区教育局教学研究室", "泰州医药高新技术产业开发区管理委员会",
    ]

    /// Makes a varied certificate: names and units change, so each subset contains different glyphs.
    static func facts(_ index: Int) -> CertificateFacts {
        let name = String([
            surnames[index % surnames.count], givenNames[(index * 7) % givenNames.count],
            givenNames[(index * 13 + 5) % givenNames.count],
        ])
        return Fixture.facts(holderName: name, workUnit: units[index % units.count], years: 1 + index % 5)
    }

    @Test(.enabled(if: count > 0)) func throughput() throws {
        let initStart = DispatchTime.now().uptimeNanoseconds
        let renderer = try CertificateRenderer(configuration: Fixture.configuration, logger: Fixture.logger)
        let initSeconds = Double(DispatchTime.now().uptimeNanoseconds - initStart) / 1e9
        print("RENDER-BENCH renderer init \(String(format: "%.3f", initSeconds)) s (font and templates)")
        let inputs = (0..<Self.count).map(Self.facts)
        _ = try renderer.render(inputs[0])
        var total = RenderTimings()
        var bytes = 0
        var largest = 0
        var fontBytes = 0
        let start = DispatchTime.now().uptimeNanoseconds
        let cpuStart = StageClock.now()
        for facts in inputs {
            let pdf = try renderer.render(facts)
            bytes += pdf.count
            largest = max(largest, pdf.count)
            let timings = renderer.lastTimings
            total.layout += timings.layout
            total.subset += timings.subset
            total.fontLoading += timings.fontLoading
            total.drawing += timings.drawing
            total.saving += timings.saving
            fontBytes += timings.fontBytes
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let cpuSeconds = Double(StageClock.now() - cpuStart) / 1e9
        let perCertificate = { (value: UInt64) in String(format: "%.3f ms", Double(value) / 1e6 / Double(Self.count)) }
        print(
            "RENDER-BENCH certificates=\(Self.count) seconds=\(String(format: "%.3f", seconds)) "
                + "rate=\(String(format: "%.1f", Double(Self.count) / seconds))/s wall, "
                + "\(String(format: "%.1f", Double(Self.count) / cpuSeconds))/s on-CPU "
                + "mean_bytes=\(bytes / Self.count) max_bytes=\(largest) mean_subset_font_bytes=\(fontBytes / Self.count)"
        )
        print(
            "RENDER-BENCH per certificate: layout+QR \(perCertificate(total.layout)), subset \(perCertificate(total.subset)), "
                + "libharu font load \(perCertificate(total.fontLoading)), libharu draw \(perCertificate(total.drawing)), "
                + "libharu compress+save \(perCertificate(total.saving))")
        #expect(bytes / Self.count <= 45 * 1024)
    }

    @Test(.enabled(if: sampleFolder != nil)) func writeSamples() throws {
        let renderer = try CertificateRenderer(configuration: Fixture.configuration, logger: Fixture.logger)
        let long = Fixture.facts(
            holderName: "阿卜杜热合曼·买买提明·艾则孜",
            workUnit: String(repeating: "泰州市姜堰区农业农村综合服务中心", count: 4).prefix(60).description,
            years: 5, licence: "32120020200000123X")
        var initial = Fixture.facts(holderName: "张𬌗", years: 1)
        initial.requiredHours = nil
        let samples = ["sample": Fixture.facts(), "long": long, "initial": initial]
        for (name, facts) in samples {
            let url = URL(fileURLWithPath: Self.sampleFolder! + "/\(name).pdf")
            try Data(try renderer.render(facts)).write(to: url)
        }
    }
}
