import Foundation
import Synchronization

/// A small structured logger shaped like swift-log's `Logger`: levels, a label and dotted metadata keys.
///
/// Each line goes to one sink (standard error by default) as `time level label: message key=value …`.
/// Callers must never put a full ID number, a full name, a verification code, a token or a key
/// into metadata. Log `IDNumber.mask(_:)` of an ID number, or the certificate number, instead.
public struct Logger: Sendable {
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case trace, debug, info, notice, warning, error, critical

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }

        var name: String { String(describing: self) }

        /// Parses a level name such as `info`; returns nil for an unknown name.
        public init?(name: String) {
            guard let level = Level.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
            self = level
        }
    }

    public typealias Metadata = [String: String]

    /// The destination of formatted lines. The default writes to standard error.
    public struct Sink: Sendable {
        let write: @Sendable (String) -> Void

        public init(_ write: @escaping @Sendable (String) -> Void) { self.write = write }

        /// Writes to standard error. A failed write (a full disk, a closed pipe) loses the line and is
        /// counted in `StandardStreams.failedWrites`; it never stops the process.
        public static let standardError = Sink { line in
            StandardStreams.writeLine(line, to: STDERR_FILENO)
        }

    }

    public let label: String
    public var logLevel: Level
    public var metadata: Metadata
    let sink: Sink

    public init(label: String, logLevel: Level = .info, metadata: Metadata = [:], sink: Sink = .standardError) {
        self.label = label
        self.logLevel = logLevel
        self.metadata = metadata
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> String? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(level: Level, _ message: @autoclosure () -> String, metadata extra: @autoclosure () -> Metadata = [:]) {
        guard level >= logLevel else { return }
        var all = metadata
        for (key, value) in extra() { all[key] = value }
        var line = "\(Logger.timestamp()) \(level.name) \(label): \(message())"
        for key in all.keys.sorted() {
            line += " \(key)=\(Logger.quoted(all[key]!))"
        }
        sink.write(line)
    }

    public func trace(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(level: .trace, message(), metadata: metadata())
    }

    public func debug(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(level: .debug, message(), metadata: metadata())
    }

    public func info(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(level: .info, message(), metadata: metadata())
    }

    public func notice(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(level: .notice, message(), metadata: metadata())
    }

    public func warning(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(level: .warning, message(), metadata: metadata())
    }

    public func error(_ message: @autoclosure () -> String, metadata: @autoclosure () -> Metadata = [:]) {
        log(level: .error, message(), metadata: metadata())
    }

    static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    /// Quotes a value that is empty or contains spaces, quotes or `=`, so each line splits unambiguously.
    static func quoted(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline })
        guard needsQuotes else { return value }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
        return "\"\(escaped)\""
    }
}

/// Lines captured by a logger in tests.
public final class LogCapture: Sendable {
    private let storage = Mutex<[String]>([])

    public init() {}

    public var sink: Logger.Sink {
        Logger.Sink { [self] line in self.append(line) }
    }

    func append(_ line: String) { storage.withLock { $0.append(line) } }

    public var lines: [String] { storage.withLock { $0 } }
}

/// Limits a repeated log line to one per key and interval, and counts the lines held back in between.
///
/// The keys are bounded: when `capacity` keys are tracked, all are forgotten, so a flood of distinct keys
/// costs at most one line each.
public final class LogThrottle: Sendable {
    private let state = Mutex<[String: (written: UInt64, heldBack: Int)]>([:])
    private let interval: UInt64
    private let capacity: Int

    /// - Parameters:
    ///   - seconds: the shortest time between two lines for one key.
    ///   - capacity: the number of keys tracked at once.
    public init(seconds: Double, capacity: Int = 1024) {
        interval = UInt64(seconds * 1_000_000_000)
        self.capacity = capacity
    }

    /// Returns the number of lines held back for `key` since its last line when this one should be written,
    /// or nil when it should be held back.
    /// - Parameter now: a monotonic time in nanoseconds; tests pass their own.
    public func admit(_ key: String, now: UInt64 = DispatchTime.now().uptimeNanoseconds) -> Int? {
        state.withLock { entries in
            if let entry = entries[key], now &- entry.written < interval {
                entries[key] = (entry.written, entry.heldBack + 1)
                return nil
            }
            if entries[key] == nil && entries.count >= capacity { entries.removeAll() }
            let heldBack = entries[key]?.heldBack ?? 0
            entries[key] = (now, 0)
            return heldBack
        }
    }
}

/// Writes to the process's standard output and error without trapping when a write fails. Foundation's
/// `FileHandle.write(_:)` stops the process on any error, for example when standard error is a file on a
/// full disk.
public enum StandardStreams {
    private static let failures = Atomic<Int>(0)

    /// Writes `text` and a newline to `descriptor`, and returns false when the write failed.
    @discardableResult
    public static func writeLine(_ text: String, to descriptor: Int32) -> Bool {
        var bytes = Array(text.utf8)
        bytes.append(UInt8(ascii: "\n"))
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else {
                failures.add(1, ordering: .relaxed)
                return false
            }
            written += result
        }
        return true
    }

    /// The number of writes that failed since the process started.
    public static var failedWrites: Int { failures.load(ordering: .relaxed) }
}
