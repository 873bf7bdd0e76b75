import CecertCore
import Foundation

// MARK: - PDF check

extension RequestRouter {
    /// `POST /api/v1/verify-pdf`: whether the body is byte-identical to an issued certificate PDF.
    ///
    /// The server compares SHA-256 digests only; it does not parse the PDF. A file whose digest is
    /// stored but whose signed record names another digest is reported as tampered.
    func verifyPDF(_ request: HTTPRequest) throws -> HTTPResponse {
        if let refusal = admitLookup(request) { return refusal }
        guard !request.body.isEmpty else {
            return .apiError(400, "empty_body", "send the PDF file as the request body")
        }
        let digest = Sodium.sha256Hex(request.body)
        let stored = try directory.withStore { try $0.certificates(pdfSHA256: digest) }

        var matches: [(number: String, status: String)] = []
        for certificate in stored {
            let outcome = try lookup.outcome(for: certificate, logger: requestLogger(request))
            if let record = outcome.record, record.pdfSHA256 != digest {
                requestLogger(request).error("Stored PDF digest differs from the signed record",
                                             metadata: ["cert.number": certificate.number])
                matches.append((certificate.number, VerificationView.Status.tampered.rawValue))
            } else {
                matches.append((certificate.number, VerificationView(outcome: outcome).status.rawValue))
            }
        }
        metrics.recordVerification(matches.first?.status ?? VerificationView.Status.notFound.rawValue)

        var writer = JSONWriter()
        writer.object { object in
            object.field("issued", !matches.isEmpty)
            object.field("sha256", digest)
            object.field("message", matches.isEmpty ? "not an issued file" : "byte-identical to an issued certificate")
            object.array("certificates", matches) { row, match in
                row.field("number", match.number)
                row.field("status", match.status)
            }
        }
        return .json(200, writer.output)
    }
}

// MARK: - Download

extension RequestRouter {
    /// `GET /api/v1/certificates/<number>.pdf` with a bearer token: the issued PDF, if it is still valid.
    func download(_ request: HTTPRequest) throws -> HTTPResponse {
        guard isAuthorized(request.authorization) else {
            recordFailedLookup(request)
            return .apiError(401, "unauthorized", "a valid bearer token is required",
                             headers: [("WWW-Authenticate", "Bearer realm=\"cecert\"")])
        }
        let file = request.path.dropFirst("/api/v1/certificates/".count).dropLast(".pdf".count)
        guard let number = CertificateNumber(parsing: String(file)),
              let stored = try directory.certificate(number: number.description) else {
            return .apiError(404, "not_found", "no certificate with this number")
        }

        let outcome = try lookup.outcome(for: stored, logger: requestLogger(request))
        let log = requestLogger(request)
        switch outcome {
        case .valid: break
        case .revoked, .superseded:
            return .apiError(410, "not_current", "the certificate is \(outcome.status) and is not served")
        case .tampered, .notFound, .malformed:
            return unavailable()
        }
        guard let record = outcome.record, let folder = configuration.certificatesDirectory else {
            log.warning("Certificate download requested but no certificates directory is configured",
                        metadata: ["cert.number": stored.number])
            return unavailable()
        }

        let path = (folder as NSString).appendingPathComponent("\(stored.number).pdf")
        guard let bytes = FileManager.default.contents(atPath: path) else {
            log.error("Issued PDF file is missing", metadata: ["cert.number": stored.number, "path": path])
            return unavailable()
        }
        guard Sodium.sha256Hex(bytes) == record.pdfSHA256 else {
            log.error("Issued PDF file differs from the signed digest", metadata: ["cert.number": stored.number,
                                                                                   "path": path])
            return unavailable()
        }
        try directory.withStore { try $0.recordPrint(number: stored.number, channel: "api") }
        log.info("Certificate PDF downloaded", metadata: ["cert.number": stored.number])
        return HTTPResponse(status: 200, contentType: "application/pdf", body: ResponseBody(bytes),
                            headers: [("Content-Disposition", "attachment; filename=\"\(stored.number).pdf\"")])
    }

    /// Hashes the bearer token and compares it with every configured digest in constant time, so neither
    /// the token nor which digest matched shows in the timing.
    func isAuthorized(_ header: String?) -> Bool {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return false }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty else { return false }
        let digest = Sodium.sha256(Array(token.utf8))
        var authorized = false
        for expected in tokenHashes where Sodium.constantTimeEqual(digest, expected) {
            authorized = true
        }
        return authorized
    }

    func unavailable() -> HTTPResponse {
        .apiError(503, "unavailable", "the certificate file cannot be served now; contact the issuer")
    }
}

// MARK: - Keys

extension RequestRouter {
    /// `GET /api/v1/keys`: every registered public key, so anyone can check a record's signature.
    func keys() throws -> HTTPResponse {
        let keys = try directory.withStore { try $0.publicKeys() }
        var writer = JSONWriter()
        writer.object { object in
            object.array("keys", keys) { row, key in
                row.field("key_id", key.keyID)
                row.field("algorithm", "Ed25519")
                row.field("public_key", Data(key.publicKey).base64EncodedString())
                row.field("public_key_hex", Sodium.hex(key.publicKey))
                row.field("created_at", key.createdAt)
                row.field("retired_at", key.retiredAt)
            }
        }
        return .json(200, writer.output)
    }
}
