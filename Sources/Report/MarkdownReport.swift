import Foundation

/// Writes the report as Markdown; figures become files beside `report.md` (SVG charts, PNG grids).
public enum MarkdownReport {
    /// A file to write beside the Markdown text.
    public struct Figure: Sendable {
        public let name: String
        public let data: Data
    }

    /// The Markdown text and the figure files it links to (by relative name).
    public static func render(_ content: ReportContent) -> (text: String, figures: [Figure]) {
        let sections = ReportDocument.sections(content)
        var out = ["# \(Escaping.markdown(content.title))", ""]
        var figures: [Figure] = []
        if !content.subtitle.isEmpty { out += [Escaping.markdown(content.subtitle), ""] }
        if let note = ReportDocument.seedNote(content) { out += ["> " + Escaping.markdown(note), ""] }
        if sections.isEmpty { out += ["No artifacts to report: connect upstream nodes to the report's `all` port.", ""] }
        for s in sections {
            out += ["## \(Escaping.markdown(s.title))", ""]
            for b in s.blocks {
                switch b {
                case .paragraph(let text):
                    out += [Escaping.markdown(text), ""]
                case .table(let title, let table):
                    out += ["*\(Escaping.markdown(title))*", ""] + Self.table(table) + [""]
                case .svg(let file, _, _, let standalone, let caption):
                    figures.append(Figure(name: file, data: Data(standalone.utf8)))
                    out += ["![\(Escaping.markdown(caption))](\(file))", "", "*\(Escaping.markdown(caption))*", ""]
                case .png(let file, let data, let caption):
                    figures.append(Figure(name: file, data: data))
                    out += ["![\(Escaping.markdown(caption))](\(file))", "", "*\(Escaping.markdown(caption))*", ""]
                }
            }
        }
        return (out.joined(separator: "\n"), figures)
    }

    static func table(_ t: ReportTable) -> [String] {
        let align = t.headers.indices.map { t.numeric.contains($0) ? "---:" : "---" }
        return ["| " + t.headers.map(Escaping.markdown).joined(separator: " | ") + " |",
                "| " + align.joined(separator: " | ") + " |"]
            + t.rows.map { "| " + $0.map(Escaping.markdown).joined(separator: " | ") + " |" }
    }
}
