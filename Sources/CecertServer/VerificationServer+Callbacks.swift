internal import CMicroHTTPD
import CecertCore
import Foundation

/// Per-request state, created by the URI log callback and released by the completion callback.
///
/// libmicrohttpd calls back for one connection on one thread at a time, so no lock is needed.
final class RequestContext {
    let id: String
    /// The request target as received, before decoding, in bytes.
    let rawTargetLength: Int
    let hasQuery: Bool
    let startNanoseconds = DispatchTime.now().uptimeNanoseconds
    var started = false
    var responded = false
    /// Set for a request whose framing cannot be trusted, so nothing after it on the connection is read.
    var closeConnection = false
    var body: [UInt8] = []
    var bodyTooLarge = false

    init(id: String, rawTarget: UnsafePointer<CChar>) {
        self.id = id
        let length = strlen(rawTarget)
        rawTargetLength = length
        hasQuery = memchr(rawTarget, Int32(UInt8(ascii: "?")), length) != nil
    }
}

// MARK: - C callbacks

extension VerificationServer {
    /// Creates the request's context; its return value becomes the access handler's `*con_cls`.
    static let uriLogger: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, OpaquePointer?)
        -> UnsafeMutableRawPointer? = { serverPointer, uri, _ in
            guard let serverPointer, let uri else { return nil }
            let server = Unmanaged<VerificationServer>.fromOpaque(serverPointer).takeUnretainedValue()
            let context = RequestContext(id: server.nextRequestID(), rawTarget: uri)
            return Unmanaged.passRetained(context).toOpaque()
        }

    static let accessHandler: MHD_AccessHandlerCallback = { serverPointer, connection, url, method, _, data, size, state in
        guard let serverPointer, let connection, let state, let contextPointer = state.pointee else { return .NO }
        let server = Unmanaged<VerificationServer>.fromOpaque(serverPointer).takeUnretainedValue()
        let context = Unmanaged<RequestContext>.fromOpaque(contextPointer).takeUnretainedValue()
        return server.handleCallback(connection: connection, url: url, method: method, data: data, size: size,
                                     context: context)
    }

    /// Releases the `ResponseBody` of a response that libmicrohttpd has freed.
    static let releaseBody: MHD_ContentReaderFreeCallback = { body in
        guard let body else { return }
        Unmanaged<ResponseBody>.fromOpaque(body).release()
    }

    static let completedHandler: MHD_RequestCompletedCallback = { serverPointer, _, state, _ in
        guard let serverPointer, let state, let contextPointer = state.pointee else { return }
        let server = Unmanaged<VerificationServer>.fromOpaque(serverPointer).takeUnretainedValue()
        let context = Unmanaged<RequestContext>.fromOpaque(contextPointer)
        if context.takeUnretainedValue().started {
            server.inFlight.subtract(1, ordering: .relaxed)
        }
        context.release()
        state.pointee = nil
    }
}

// MARK: - Request handling

extension VerificationServer {
    func handleCallback(connection: OpaquePointer, url: UnsafePointer<CChar>?, method: UnsafePointer<CChar>?,
                        data: UnsafePointer<CChar>?, size: UnsafeMutablePointer<Int>?,
                        context: RequestContext) -> MHD_Result {
        let methodName = method.map { String(cString: $0) } ?? ""
        if !context.started {
            context.started = true
            inFlight.add(1, ordering: .relaxed)
            if context.rawTargetLength > configuration.maxURLLength {
                return respond(connection, context, route: .other, tooLong(414, "uri_too_long", "the URL is too long"))
            }
            // Responding before the second call would make libmicrohttpd 0.9.75 close the connection,
            // so only rejections respond early, and everything else waits for the end of the (empty) body.
            // Two framing headers would let a front proxy and libmicrohttpd split the stream differently
            // (request smuggling), so such a request is rejected and its connection closed.
            let lengths = headerCount(connection, "Content-Length")
            if lengths > 1 || (lengths == 1 && headerCount(connection, "Transfer-Encoding") > 0) {
                context.closeConnection = true
                return respond(connection, context, route: .other,
                               .apiError(400, "bad_request", "the request has conflicting Content-Length or Transfer-Encoding headers"))
            }
            if let length = header(connection, "Content-Length").flatMap(Int.init), length > configuration.maxBodyBytes {
                return respond(connection, context, route: .verifyPDF, payloadTooLarge())
            }
            return .YES
        }

        if let size, size.pointee > 0 {
            if !context.bodyTooLarge, let data {
                if context.body.count + size.pointee > configuration.maxBodyBytes {
                    context.bodyTooLarge = true
                    context.body = []
                } else {
                    data.withMemoryRebound(to: UInt8.self, capacity: size.pointee) { bytes in
                        context.body.append(contentsOf: UnsafeBufferPointer(start: bytes, count: size.pointee))
                    }
                }
            }
            size.pointee = 0
            return .YES
        }
        guard !context.responded else { return .YES }
        if context.bodyTooLarge {
            return respond(connection, context, route: .verifyPDF, payloadTooLarge())
        }
        return respondRouted(connection, context, method: methodName, url: url)
    }

    private func respondRouted(_ connection: OpaquePointer, _ context: RequestContext, method: String,
                               url: UnsafePointer<CChar>?) -> MHD_Result {
        let request = HTTPRequest(method: method, path: url.map { String(cString: $0) } ?? "/",
                                  query: context.hasQuery ? queryArguments(connection) : [:],
                                  authorization: header(connection, "Authorization"),
                                  contentType: header(connection, "Content-Type"),
                                  clientAddress: router.usesClientAddress ? clientAddress(connection) : "-", body: context.body,
                                  requestID: context.id)
        context.body = []
        let (route, response) = router.handle(request)
        return respond(connection, context, route: route, response)
    }

    private func tooLong(_ status: Int, _ error: String, _ message: String) -> HTTPResponse {
        .apiError(status, error, message)
    }

    private func payloadTooLarge() -> HTTPResponse {
        .apiError(413, "payload_too_large", "the body exceeds \(configuration.maxBodyBytes) bytes")
    }

    /// Hands a response to libmicrohttpd with the common headers, and counts it.
    private func respond(_ connection: OpaquePointer, _ context: RequestContext, route: Route,
                         _ response: HTTPResponse) -> MHD_Result {
        context.responded = true
        // libmicrohttpd reads the body in place until it frees the response, so the body stays retained until
        // then. It only reads the buffer, although its parameter type is a mutable pointer.
        let body = Unmanaged.passRetained(response.body)
        let bytes = response.body.bytes
        guard let handle = MHD_create_response_from_buffer_with_free_callback_cls(
            bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), Self.releaseBody, body.toOpaque())
        else {
            body.release()
            logger.error("Failed to allocate an HTTP response", metadata: ["request.id": context.id])
            return .NO
        }
        defer { MHD_destroy_response(handle) }
        for header in HTTPResponse.commonHeaders {
            MHD_add_response_header(handle, header.name, header.value)
        }
        for header in response.headers {
            MHD_add_response_header(handle, header.name, header.value)
        }
        MHD_add_response_header(handle, "X-Request-Id", context.id)
        if context.closeConnection || stopping.load(ordering: .relaxed) {
            MHD_add_response_header(handle, "Connection", "close")
        }
        let result = MHD_queue_response(connection, UInt32(response.status), handle)

        let seconds = Double(DispatchTime.now().uptimeNanoseconds - context.startNanoseconds) / 1_000_000_000
        metrics.recordRequest(route: route, status: response.status, seconds: seconds)
        if logger.logLevel <= .debug {
            logger.debug("Request handled", metadata: ["request.id": context.id, "route": route.rawValue,
                                                       "status": "\(response.status)",
                                                       "duration_ms": String(format: "%.3f", seconds * 1000)])
        }
        return result
    }
}

// MARK: - Request data

extension VerificationServer {
    func header(_ connection: OpaquePointer, _ name: String) -> String? {
        MHD_lookup_connection_value(connection, .HEADER_KIND, name).map { String(cString: $0) }
    }

    /// Counts the request headers named `name`, in any case; libmicrohttpd keeps repeated headers.
    func headerCount(_ connection: OpaquePointer, _ name: String) -> Int {
        name.withCString { name in
            // strcasecmp folds ASCII letters only, which is the case-insensitivity that header names have.
            var state = (name: name, count: 0)
            withUnsafeMutablePointer(to: &state) { pointer in
                _ = MHD_get_connection_values(connection, .HEADER_KIND, { context, _, key, _ in
                    guard let context, let key else { return .YES }
                    let state = context.assumingMemoryBound(to: (name: UnsafePointer<CChar>, count: Int).self)
                    if strcasecmp(key, state.pointee.name) == 0 { state.pointee.count += 1 }
                    return .YES
                }, pointer)
            }
            return state.count
        }
    }

    /// Decoded query arguments; a repeated key keeps its first value, and a key without `=` maps to "".
    func queryArguments(_ connection: OpaquePointer) -> [String: String] {
        var arguments: [String: String] = [:]
        withUnsafeMutablePointer(to: &arguments) { pointer in
            _ = MHD_get_connection_values(connection, .GET_ARGUMENT_KIND, { context, _, key, value in
                guard let context, let key else { return .YES }
                let arguments = context.assumingMemoryBound(to: [String: String].self)
                let name = String(cString: key)
                if arguments.pointee[name] == nil {
                    arguments.pointee[name] = value.map { String(cString: $0) } ?? ""
                }
                return .YES
            }, pointer)
        }
        return arguments
    }

    /// Returns the peer address, or for a trusted proxy the nearest untrusted address in `X-Forwarded-For`.
    func clientAddress(_ connection: OpaquePointer) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let peer = CMicroHTTPD_client_address(connection, &buffer, buffer.count) == 0
            ? buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } : "unknown"
        guard !trustedProxies.isEmpty, trustedProxies.contains(peer),
              let forwarded = header(connection, "X-Forwarded-For") else { return peer }
        let hops = forwarded.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() where !trustedProxies.contains(hop) {
            return Self.isAddressText(hop) ? hop : peer
        }
        return peer
    }

    /// True for text that can only be an IPv4 or IPv6 address, so a forged header cannot plant arbitrary keys.
    static func isAddressText(_ text: String) -> Bool {
        var ipv4 = in_addr()
        var ipv6 = in6_addr()
        return inet_pton(AF_INET, text, &ipv4) == 1 || inet_pton(AF_INET6, text, &ipv6) == 1
    }
}
