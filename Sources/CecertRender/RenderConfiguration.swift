/// The locations of the renderer's font and templates.
public struct RenderConfiguration: Sendable {
    /// A glyf-based TrueType font that covers every character a certificate may print.
    public var fontPath: String
    /// The folder holding `certificate-v<version>.json` files, one per released layout.
    public var templatesDirectory: String

    /// - Parameters:
    ///   - fontPath: the TrueType font file; relative paths resolve against the working directory.
    ///   - templatesDirectory: the template folder; relative paths resolve against the working directory.
    public init(fontPath: String = "fonts/LXGWWenKai-Regular.ttf", templatesDirectory: String = "templates") {
        self.fontPath = fontPath
        self.templatesDirectory = templatesDirectory
    }
}
