/// The page `slope interact` serves at `/`: one self-contained HTML document (its style and
/// script inline, nothing loaded from elsewhere) that draws the points and the curve as SVG,
/// shows one slider per parameter, the loss, and the Step, Run, Reset and New points buttons.
/// Every number on it comes from the server's JSON API.
///
/// The page is written as three ordinary files in `Sources/SlopeInteract/Page/`: `index.html`
/// links `style.css` and `script.js`, so the folder opens as it is in a browser or an editor.
/// SwiftPM embeds the three files in the binary (`.embedInCode`), and ``html`` puts the style
/// and the script inline in place of the two links, so the served page needs no other request.
///
/// ```swift
/// print(InteractPage.html.count)   // the page's size in characters
/// ```
public enum InteractPage {
    /// The whole page, with `style.css` and `script.js` inline.
    public static let html = inline(
        document: text(PackageResources.index_html),
        style: text(PackageResources.style_css),
        script: text(PackageResources.script_js))

    /// The tag in `index.html` that links the style sheet; ``html`` replaces it by a `<style>` element.
    static let styleLink = #"<link rel="stylesheet" href="style.css">"#
    /// The tag in `index.html` that loads the script; ``html`` replaces it by an inline `<script>`.
    static let scriptLink = #"<script src="script.js"></script>"#

    /// The document with its style-sheet link and script tag replaced by the files' contents.
    ///
    /// - Parameters:
    ///   - document: `index.html`, holding ``styleLink`` and ``scriptLink`` once each.
    ///   - style: the contents of `style.css`.
    ///   - script: the contents of `script.js`.
    /// - Returns: one HTML document with both inline, without its final line break.
    static func inline(document: String, style: String, script: String) -> String {
        let page = document
            .replacing(styleLink, with: "<style>\n\(style)</style>")
            .replacing(scriptLink, with: "<script>\n\(script)</script>")
        return page.hasSuffix("\n") ? String(page.dropLast()) : page
    }

    /// An embedded file's bytes as text (the page's files are UTF-8).
    private static func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
