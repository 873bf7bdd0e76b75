/// An error from cecert: a stable code that tests and callers match on, and a message for people.
///
/// Two errors are equal when their codes are equal, whatever their messages are.
public struct CecertError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable {
        case invalidInput = "invalid input"
        case ruleNotMet = "rule not met"
        case unsupportedCharacter = "unsupported character"
        case notFound = "not found"
        case conflict = "conflict"
        case storage = "storage error"
        case rendering = "rendering error"
        case configuration = "configuration error"
        case io = "I/O error"
        case crypto = "crypto error"
        case server = "server error"
        case revoked = "revoked"
        case workflow = "workflow error"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    public static func == (lhs: CecertError, rhs: CecertError) -> Bool { lhs.code == rhs.code }
}
