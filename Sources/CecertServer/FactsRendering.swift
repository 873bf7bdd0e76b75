import CecertCore

/// The HTML and JSON of a certificate's signed facts with the masked name, rendered once per verified
/// record and reused by every later lookup of the same record bytes.
///
/// Signed facts never change for the same record bytes, and the state-dependent parts (status,
/// revocation, name confirmation) are rendered per request, so a reused rendering is never stale.
final class FactsRendering: Sendable {
    /// `<dt>`/`<dd>` pairs of the certificate fields, without the enclosing `<dl>`.
    let htmlItems: String
    /// The `<table>` of hours per year.
    let htmlYears: String
    /// The certificate fields as JSON object members, each preceded by a comma.
    let jsonMembers: String
    /// The `years` array as JSON.
    let jsonYears: String

    init(facts: CertificateFacts) {
        let fields = VerificationView.certificateFields(facts, displayedName: PersonName.masked(facts.holderName))
        htmlItems = HTMLPage.fieldItems(fields)
        htmlYears = HTMLPage.yearTable(facts.years)
        jsonMembers = VerificationView.jsonMembers(fields)
        jsonYears = VerificationView.jsonYears(facts.years)
    }
}

/// The page and JSON bodies of one verification without a name or number, as the two endpoints send them.
///
/// Rendered from one `VerificationView`, so the page and the API cannot disagree, and reused by
/// `CertificateLookup` while the certificate row is byte-identical to the one it was rendered from.
struct RenderedVerification: Sendable {
    let status: VerificationView.Status
    /// The certificate number, also for a tampered record; nil when no certificate was found.
    let number: String?
    /// The UTF-8 HTML of `GET /v/<code>`.
    let page: ResponseBody
    /// The UTF-8 JSON of `GET /api/v1/verify/<code>`.
    let json: ResponseBody

    init(_ view: VerificationView) {
        status = view.status
        number = view.number
        page = ResponseBody(HTMLPage.verification(view, nameFormAction: view.nameFormAction).utf8)
        json = ResponseBody(view.json.utf8)
    }
}
