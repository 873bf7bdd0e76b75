import CecertCore
import Foundation

/// A parsed HTTP/1.1 response.
struct TestResponse {
    var status: Int
    /// Header values by lower-cased name; a repeated header keeps its last value.
    var headers: [String: String]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw CecertError(.invalidInput, "response body is not a JSON object: \(text.prefix(200))")
        }
        return object
    }
}

/// A blocking HTTP/1.1 client over one TCP connection to 127.0.0.1, with 5-second socket timeouts.
///
/// It exists so tests control every byte: odd methods, over-long targets, huge headers and keep-alive.
final class TestConnection {
    /// The socket, or -1 once closed. A failed `init` closes it here, and `deinit`, which still runs
    /// for a class whose `init` throws after setting every property, must not close the number again.
    private var socketDescriptor: Int32
    private var buffer: [UInt8] = []
    private var scratch = [UInt8](repeating: 0, count: 65536)

    init(port: Int) throws {
        socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw CecertError(.io, "socket() failed: errno \(errno)") }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(socketDescriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socketDescriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port)).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(socketDescriptor)
            socketDescriptor = -1
            throw CecertError(.io, "connect to 127.0.0.1:\(port) failed: errno \(errno)")
        }
    }

    deinit {
        if socketDescriptor >= 0 { close(socketDescriptor) }
    }

    /// Writes raw bytes; returns false when the peer has closed the connection.
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(socketDescriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    /// Sends one request and reads its response. `Host` and `Content-Length` are added.
    func request(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []) throws
        -> TestResponse {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        write(Array(head.utf8) + body)
        return try readResponse(bodyExpected: method != "HEAD")
    }

    /// Reads one response, using Content-Length or chunked framing, or reading until close.
    func readResponse(bodyExpected: Bool = true) throws -> TestResponse {
        let headerEnd = try readUntil(Array("\r\n\r\n".utf8))
        let headText = String(decoding: buffer[..<headerEnd], as: UTF8.self)
        buffer.removeFirst(headerEnd + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw CecertError(.invalidInput, "bad status line in \(headText.prefix(100))")
        }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        guard bodyExpected else { return TestResponse(status: status, headers: headers, body: []) }

        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            return TestResponse(status: status, headers: headers, body: try readChunked())
        }
        if let length = headers["content-length"].flatMap(Int.init) {
            try fill(atLeast: length)
            let body = Array(buffer[..<length])
            buffer.removeFirst(length)
            return TestResponse(status: status, headers: headers, body: body)
        }
        while try receive() {}
        let body = buffer
        buffer = []
        return TestResponse(status: status, headers: headers, body: body)
    }

    private func readChunked() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let lineEnd = try readUntil(Array("\r\n".utf8))
            let sizeText = String(decoding: buffer[..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            buffer.removeFirst(lineEnd + 2)
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                throw CecertError(.invalidInput, "bad chunk size \(sizeText)")
            }
            try fill(atLeast: size + 2)
            body += buffer[..<size]
            buffer.removeFirst(size + 2)
            if size == 0 { return body }
        }
    }

    private func readUntil(_ marker: [UInt8]) throws -> Int {
        var searchFrom = 0
        while true {
            if buffer.count >= marker.count {
                for index in searchFrom...(buffer.count - marker.count) where buffer[index..<(index + marker.count)].elementsEqual(marker) {
                    return index
                }
                searchFrom = buffer.count - marker.count + 1
            }
            guard try receive() else { throw CecertError(.io, "connection closed before the response head ended") }
        }
    }

    private func fill(atLeast count: Int) throws {
        while buffer.count < count {
            guard try receive() else { throw CecertError(.io, "connection closed after \(buffer.count) of \(count) bytes") }
        }
    }

    /// Reads once; returns false at end of stream.
    private func receive() throws -> Bool {
        let count = scratch.withUnsafeMutableBytes { recv(socketDescriptor, $0.baseAddress, $0.count, 0) }
        if count < 0 {
            if errno == ECONNRESET { return false }
            throw CecertError(.io, "recv failed or timed out: errno \(errno)")
        }
        if count == 0 { return false }
        buffer += scratch[..<count]
        return true
    }
}

/// Percent-encodes a path segment or query value: everything but unreserved ASCII.
func percentEncoded(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn:
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? text
}
