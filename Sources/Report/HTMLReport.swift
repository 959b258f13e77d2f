import Foundation

/// Writes the report as one self-contained HTML page: inline CSS and SVG, PNGs as base64 data URIs, no
/// scripts and no external references. The markup is also well-formed XML (void elements self-closed, only
/// the five XML entities), so it can be checked with an XML parser.
public enum HTMLReport {
    public static func render(_ content: ReportContent) -> String {
        let sections = ReportDocument.sections(content)
        var out = ["<!DOCTYPE html>", "<html lang=\"en\">", "<head>", "<meta charset=\"utf-8\"/>",
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>",
                   "<title>\(Escaping.html(content.title))</title>", "<style>", style, "</style>", "</head>", "<body>",
                   "<header>", "<h1>\(Escaping.html(content.title))</h1>"]
        if !content.subtitle.isEmpty { out.append("<p class=\"subtitle\">\(Escaping.html(content.subtitle))</p>") }
        if let note = ReportDocument.seedNote(content) { out.append("<p class=\"note\">\(Escaping.html(note))</p>") }
        if sections.isEmpty {
            out.append("<p>No artifacts to report: connect upstream nodes to the report's <code>all</code> port.</p>")
        } else {
            out.append("<nav><ol>")
            for s in sections { out.append("<li><a href=\"#\(Escaping.html(s.id))\">\(Escaping.html(s.title))</a></li>") }
            out.append("</ol></nav>")
        }
        out.append("</header>")
        for s in sections {
            out.append("<section id=\"\(Escaping.html(s.id))\">")
            out.append("<h2>\(Escaping.html(s.title))</h2>")
            for b in s.blocks { out.append(block(b)) }
            out.append("</section>")
        }
        out += ["</body>", "</html>"]
        return out.joined(separator: "\n") + "\n"
    }

    static func block(_ b: ReportBlock) -> String {
        switch b {
        case .paragraph(let text):
            return "<p>\(Escaping.html(text))</p>"
        case .table(let title, let table):
            return Self.table(table, caption: title)
        case .svg(_, let wide, let inline, _, let caption):
            return "<figure>\n<div class=\"chart\(wide ? " wide" : "")\">\n\(inline)\n</div>\n<figcaption>\(Escaping.html(caption))</figcaption>\n</figure>"
        case .png(_, let data, let caption):
            let size = displaySize(png: data).map { " width=\"\(Int($0.width))\" height=\"\(Int($0.height))\"" } ?? ""
            return "<figure>\n<img src=\"data:image/png;base64,\(data.base64EncodedString())\"\(size) alt=\"\(Escaping.html(caption))\"/>\n"
                + "<figcaption>\(Escaping.html(caption))</figcaption>\n</figure>"
        }
    }

    /// The size to show a PNG at: its own pixel size enlarged by a whole factor (at most 4) while it fits 720 × 720 px,
    /// so small figures (a 64 px face grid) are not shown at thumbnail size; `nil` when the bytes are not a PNG.
    static func displaySize(png: Data) -> (width: Double, height: Double)? {
        let bytes = [UInt8](png.prefix(24))
        guard bytes.count == 24, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], bytes[12..<16] == [0x49, 0x48, 0x44, 0x52] else { return nil }
        func be(_ at: Int) -> Double { Double(bytes[at..<(at + 4)].reduce(0) { $0 << 8 | UInt32($1) }) }
        let w = be(16), h = be(20)
        guard w > 0, h > 0 else { return nil }
        let fit = min(720 / w, 720 / h)
        let scale = fit >= 1 ? min(4, fit.rounded(.down)) : fit
        return (w * scale, h * scale)
    }

    static func table(_ t: ReportTable, caption: String) -> String {
        var out = ["<div class=\"table\">", "<table>", "<caption>\(Escaping.html(caption))</caption>", "<thead><tr>"]
        func cls(_ i: Int) -> String {
            t.numeric.contains(i) ? " class=\"num\"" : t.code.contains(i) ? " class=\"code\"" : t.prose.contains(i) ? " class=\"prose\"" : ""
        }
        for (i, h) in t.headers.enumerated() { out.append("<th\(t.numeric.contains(i) ? " class=\"num\"" : "")>\(Escaping.html(h))</th>") }
        out.append("</tr></thead>")
        out.append("<tbody>")
        for row in t.rows {
            let cells = row.enumerated().map { i, cell in "<td\(cls(i))>\(Escaping.html(cell))</td>" }
            out.append("<tr>" + cells.joined() + "</tr>")
        }
        out.append("</tbody>")
        out.append("</table>")
        out.append("</div>")
        return out.joined(separator: "\n")
    }

    /// Screen and print styles. Kept free of `>` and `&` so the page stays well-formed XML.
    static let style = """
    :root { color-scheme: light; }
    * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
    body { font-family: Helvetica, Arial, sans-serif; color: #222222; background: #ffffff; max-width: 1100px; margin: 0 auto; padding: 1.5em; line-height: 1.45; }
    h1 { font-size: 1.8em; margin-bottom: 0.2em; }
    h2 { font-size: 1.35em; border-bottom: 2px solid #dddddd; padding-bottom: 0.2em; margin-top: 2em; }
    .subtitle { color: #555555; margin-top: 0; }
    .note { background: #fff6e0; border-left: 4px solid #E69F00; padding: 0.5em 0.8em; }
    nav ol { columns: 2; }
    table { border-collapse: collapse; margin: 0.8em 0 1.6em; font-size: 0.9em; }
    caption { caption-side: top; text-align: left; font-style: italic; padding-bottom: 0.3em; }
    th, td { border: 1px solid #cccccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
    th { background: #f2f2f2; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    td.prose { min-width: 15em; }
    td.code { font-family: Menlo, Consolas, monospace; font-size: 0.8em; overflow-wrap: anywhere; min-width: 12em; }
    tbody tr:nth-child(even) { background: #fafafa; }
    figure { margin: 1em 0 2em; }
    figcaption { font-style: italic; color: #444444; margin-top: 0.4em; }
    .chart, .table { overflow-x: auto; }
    svg { max-width: 100%; height: auto; }
    .wide svg { max-width: none; }
    img { max-width: 100%; height: auto; image-rendering: pixelated; border: 1px solid #dddddd; }
    @media print {
      body { max-width: none; padding: 0; font-size: 10pt; }
      nav { display: none; }
      h2 { break-after: avoid; page-break-after: avoid; }
      figure, table { break-inside: avoid; page-break-inside: avoid; }
      .chart, .table { overflow: visible; }
      table { font-size: 8pt; }
      .wide svg { max-width: 100%; }
      a { color: inherit; text-decoration: none; }
    }
    """
}
