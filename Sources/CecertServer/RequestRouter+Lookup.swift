import CecertCore
import Foundation

// MARK: - Verification by code

extension RequestRouter {
    /// `GET /v/<code>[?name=…]`: the verification page.
    func verifyPage(_ request: HTTPRequest) throws -> HTTPResponse {
        if let refusal = admitLookup(request) { return refusal }
        let code = String(request.path.dropFirst("/v/".count))
        if request.query["name"] == nil, let rendered = try renderedVerification(code: code, request: request) {
            return .html(rendered.status.httpStatus, body: rendered.page)
        }
        let view = try verification(code: code, number: nil, name: request.query["name"], request: request)
        return .html(view.status.httpStatus, HTMLPage.verification(view, nameFormAction: view.nameFormAction))
    }

    /// `GET /api/v1/verify/<code>[?name=…]`: the same facts as the page, as JSON.
    func verifyAPI(_ request: HTTPRequest) throws -> HTTPResponse {
        if let refusal = admitLookup(request) { return refusal }
        let code = String(request.path.dropFirst("/api/v1/verify/".count))
        if request.query["number"] == nil, request.query["name"] == nil,
           let rendered = try renderedVerification(code: code, request: request) {
            return .json(rendered.status.httpStatus, body: rendered.json)
        }
        let view = try verification(code: code, number: request.query["number"], name: request.query["name"],
                                    request: request)
        return .json(view.status.httpStatus, view.json)
    }

    /// `GET /v`: the lookup form, or with `number` and `code` the result above a pre-filled form.
    func lookupForm(_ request: HTTPRequest) throws -> HTTPResponse {
        let number = request.query["number"] ?? ""
        let code = request.query["code"] ?? ""
        let name = request.query["name"] ?? ""
        let hasNumber = !TypedInput.compact(number).isEmpty
        let hasCode = !TypedInput.compact(code).isEmpty
        guard hasNumber || hasCode else {
            return .html(200, HTMLPage.lookupForm(number: "", code: "", name: "", message: nil))
        }
        guard hasNumber, hasCode else {
            let page = HTMLPage.lookupForm(number: number, code: code, name: name,
                                           message: "请同时输入证书编号和验证码。")
            return .html(400, page)
        }
        if let refusal = admitLookup(request) { return refusal }

        let view = try verification(code: code, number: number, name: name, request: request)
        var page = HTMLPage.verification(view, nameFormAction: view.nameFormAction)
        // The pre-filled form goes after the result, so a typo can be fixed in place.
        let form = "<h1>重新查验</h1>" + HTMLPage.lookupFormBody(number: number, code: code, name: name)
        page = page.replacingOccurrences(of: "<footer>", with: form + "<footer>")
        return .html(view.status.httpStatus, page)
    }

    /// Verifies a code given without a name or number, reusing the bodies rendered for an unchanged row.
    ///
    /// - Returns: nil for a malformed or unknown code, which `verification(code:number:name:request:)`
    ///   then handles and counts as a failed lookup.
    func renderedVerification(code raw: String, request: HTTPRequest) throws -> RenderedVerification? {
        guard let code = VerificationCode.normalize(raw),
              let rendered = try lookup.renderedVerification(code: code, logger: requestLogger(request)) else {
            return nil
        }
        metrics.recordVerification(rendered.status.rawValue)
        if logger.logLevel <= .debug {
            requestLogger(request).debug("Certificate verified", metadata: ["cert.number": rendered.number ?? "",
                                                                            "result": rendered.status.rawValue])
        }
        return rendered
    }

    /// Verifies a code, and when given, checks that `number` is the record's number and `name` the holder's.
    ///
    /// A number that does not match gives the not-found outcome, the same as an unknown code. Every
    /// failure (unknown, malformed, wrong number, wrong name) counts against the failed-lookup bucket.
    func verification(code: String, number: String?, name: String?, request: HTTPRequest) throws -> VerificationView {
        let result = try lookup.verify(code: code, logger: requestLogger(request))
        var outcome = result.outcome
        if let number, !TypedInput.compact(number).isEmpty, let record = outcome.record {
            let parsed = CertificateNumber(parsing: number)?.description
            if parsed != record.facts.number { outcome = .notFound }
        }

        var nameMatch: Bool?
        if let name, !name.trimmingCharacters(in: .whitespaces).isEmpty, let record = outcome.record {
            nameMatch = Self.namesMatch(typed: name, holder: record.facts.holderName)
        }

        let view = VerificationView(outcome: outcome, nameMatch: nameMatch, rendering: result.rendering)
        metrics.recordVerification(view.status.rawValue)
        if view.status == .notFound || view.status == .malformed || nameMatch == false {
            recordFailedLookup(request)
        }
        if view.status != .notFound, view.status != .malformed {
            requestLogger(request).debug("Certificate verified", metadata: ["cert.number": view.number ?? "",
                                                                            "result": view.status.rawValue])
        }
        return view
    }

    /// Compares a typed name with the holder's after the same normalisation as at import
    /// (NFC, no white space, one kind of middle dot). An invalid name never matches.
    static func namesMatch(typed: String, holder: String) -> Bool {
        guard let typedName = try? PersonName.normalize(typed),
              let holderName = try? PersonName.normalize(holder) else { return false }
        return typedName == holderName
    }
}
