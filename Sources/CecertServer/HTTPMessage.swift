/// One HTTP request as the router receives it. Every value is copied out of libmicrohttpd, so routing needs no C types.
struct HTTPRequest: Sendable {
    var method: String
    /// The decoded path without the query, as libmicrohttpd passes it.
    var path: String
    /// Decoded query arguments; a repeated key keeps its first value.
    var query: [String: String]
    var authorization: String?
    var contentType: String?
    /// The client address after applying `X-Forwarded-For` from a trusted proxy.
    var clientAddress: String
    var body: [UInt8]
    var requestID: String

    init(method: String, path: String, query: [String: String] = [:], authorization: String? = nil,
         contentType: String? = nil, clientAddress: String = "127.0.0.1", body: [UInt8] = [], requestID: String = "-") {
        self.method = method
        self.path = path
        self.query = query
        self.authorization = authorization
        self.contentType = contentType
        self.clientAddress = clientAddress
        self.body = body
        self.requestID = requestID
    }
}

/// One HTTP response before it is handed to libmicrohttpd.
struct HTTPResponse: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: ResponseBody

    init(status: Int, contentType: String, body: ResponseBody, headers: [(name: String, value: String)] = []) {
        self.status = status
        self.headers = [("Content-Type", contentType)] + headers
        self.body = body
    }

    init(status: Int, contentType: String, body: [UInt8], headers: [(name: String, value: String)] = []) {
        self.init(status: status, contentType: contentType, body: ResponseBody(body), headers: headers)
    }

    static func html(_ status: Int, _ page: String) -> HTTPResponse {
        html(status, body: ResponseBody(page.utf8))
    }

    /// Builds an HTML response from a body that is already UTF-8.
    static func html(_ status: Int, body: ResponseBody) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "text/html; charset=utf-8", body: body,
                     headers: [("Content-Security-Policy", contentSecurityPolicy)])
    }

    static func json(_ status: Int, _ text: String) -> HTTPResponse {
        json(status, body: ResponseBody(text.utf8))
    }

    /// Builds a JSON response from a body that is already UTF-8.
    static func json(_ status: Int, body: ResponseBody) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "application/json; charset=utf-8", body: body)
    }

    static func text(_ status: Int, _ text: String, contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, contentType: contentType, body: ResponseBody(text.utf8))
    }

    /// Builds the JSON error body that every API failure uses: `{"error": "...", "message": "..."}`.
    static func apiError(_ status: Int, _ error: String, _ message: String,
                         headers: [(name: String, value: String)] = []) -> HTTPResponse {
        var writer = JSONWriter()
        writer.object { object in
            object.field("error", error)
            object.field("message", message)
        }
        var response = HTTPResponse.json(status, writer.output)
        response.headers += headers
        return response
    }

    /// A script-free page policy: inline styles and data: images only, no framing, forms post only here.
    static let contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    /// Headers added to every response, whatever its route or status.
    static let commonHeaders: [(name: String, value: String)] = [
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
    ]
}

/// An immutable response body in one heap block, which libmicrohttpd sends from without copying it.
///
/// A cached body is shared by every response that sends it. `VerificationServer` keeps it retained
/// from the moment libmicrohttpd's response points at it until libmicrohttpd frees that response.
final class ResponseBody: @unchecked Sendable {
    // @unchecked: `bytes` is written once in `init`, never changed, and freed only in `deinit`.
    let bytes: UnsafeRawBufferPointer

    init(_ source: some Collection<UInt8>) {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: source.count, alignment: 1)
        let copied: Void? = source.withContiguousStorageIfAvailable { source in
            storage.copyMemory(from: UnsafeRawBufferPointer(source))
        }
        if copied == nil {
            _ = storage.initializeMemory(as: UInt8.self, from: source)
        }
        bytes = UnsafeRawBufferPointer(storage)
    }

    deinit {
        bytes.deallocate()
    }

    var count: Int { bytes.count }
}
