import CecertCore
import Foundation

/// A wrk-style load loop: each thread keeps several keep-alive connections to 127.0.0.1 busy with
/// `poll`, one request in flight per connection. Bounded by a deadline and a request count.
struct LoadGenerator {
    var port: Int
    var connectionsPerThread: Int
    /// Returns the request target for the n-th request of a connection.
    var target: @Sendable (_ connection: Int, _ sequence: Int) -> String

    struct Result {
        var latenciesMilliseconds: [Double] = []
        var errors = 0
    }

    /// Runs one thread's share until `deadline` or `maxRequests`, whichever comes first.
    func run(threadIndex: Int, deadline: Date, maxRequests: Int) -> Result {
        var result = Result()
        var sockets: [Int32] = []
        defer { for socket in sockets { close(socket) } }
        for _ in 0..<connectionsPerThread {
            guard let socket = Self.connect(port: port) else {
                result.errors += 1
                return result
            }
            sockets.append(socket)
        }

        var buffers = [[UInt8]](repeating: [], count: sockets.count)
        var sentAt = [UInt64](repeating: 0, count: sockets.count)
        var sequence = [Int](repeating: 0, count: sockets.count)
        var scratch = [UInt8](repeating: 0, count: 65536)
        var pollSet = sockets.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }

        func send(_ index: Int) -> Bool {
            let path = target(threadIndex * connectionsPerThread + index, sequence[index])
            let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
            sentAt[index] = DispatchTime.now().uptimeNanoseconds
            return request.withUnsafeBytes { Glibc.send(sockets[index], $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                == request.count
        }

        for index in sockets.indices where !send(index) { result.errors += 1 }
        var total = 0
        while Date() < deadline, total < maxRequests {
            let ready = poll(&pollSet, nfds_t(pollSet.count), 100)
            guard ready > 0 else { continue }
            for index in pollSet.indices where pollSet[index].revents != 0 {
                pollSet[index].revents = 0
                let count = scratch.withUnsafeMutableBytes { recv(sockets[index], $0.baseAddress, $0.count, 0) }
                guard count > 0 else {
                    result.errors += 1
                    return result
                }
                buffers[index] += scratch[..<count]
                while let (length, status) = Self.completeResponse(buffers[index]) {
                    buffers[index].removeFirst(length)
                    let elapsed = DispatchTime.now().uptimeNanoseconds - sentAt[index]
                    result.latenciesMilliseconds.append(Double(elapsed) / 1e6)
                    if status != 200 { result.errors += 1 }
                    total += 1
                    sequence[index] += 1
                    if !send(index) { result.errors += 1 }
                }
            }
        }
        return result
    }

    static func connect(port: Int) -> Int32? {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port)).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(socket)
            return nil
        }
        return socket
    }

    static let contentLengthName = Array("\r\nContent-Length: ".utf8)

    /// Reads the Content-Length value from a response head, spelled as libmicrohttpd writes it.
    static func contentLength(_ head: ArraySlice<UInt8>) -> Int? {
        let name = contentLengthName
        var start = head.startIndex
        while start + name.count <= head.endIndex {
            if head[start..<(start + name.count)].elementsEqual(name) {
                var value = 0
                var index = start + name.count
                while index < head.endIndex, head[index] >= 0x30, head[index] <= 0x39 {
                    value = value * 10 + Int(head[index] - 0x30)
                    index += 1
                }
                return value
            }
            start += 1
        }
        return nil
    }

    /// Returns the byte length and status of the first complete response in `buffer`, or nil when it
    /// is incomplete. Only Content-Length framing is handled, which is all libmicrohttpd sends here.
    static func completeResponse(_ buffer: [UInt8]) -> (length: Int, status: Int)? {
        guard buffer.count >= 16 else { return nil }
        var headerEnd: Int?
        var index = 3
        while index < buffer.count {
            if buffer[index] == 0x0A, buffer[index - 1] == 0x0D, buffer[index - 2] == 0x0A, buffer[index - 3] == 0x0D {
                headerEnd = index + 1
                break
            }
            index += 1
        }
        guard let headerEnd else { return nil }
        guard let bodyLength = contentLength(buffer[..<headerEnd]) else { return nil }
        guard buffer.count >= headerEnd + bodyLength else { return nil }
        let status = Int(String(decoding: buffer[9..<12], as: UTF8.self)) ?? 0
        return (headerEnd + bodyLength, status)
    }
}
