/// The two renderings of a runbook: Markdown that GitHub renders, and one
/// self-contained HTML file (no network, no scripts) that prints well and
/// reads well with a screen reader: semantic headings, tables with a
/// caption and `<th scope>`, text at more than 7:1 contrast, print CSS.
extension RunbookDocument {
    // MARK: - Markdown

    package var markdown: String {
        var out = "# \(Self.markdownEscape(title))\n"
        for block in blocks {
            out += "\n"
            switch block {
            case .heading(let level, let text, let id):
                // GitHub makes the same id from the text; the anchor makes it certain.
                out += String(repeating: "#", count: max(2, min(6, level))) + " <a id=\"\(id)\"></a>\(Self.markdownEscape(text))\n"
            case .paragraph(let inlines):
                out += markdownLine(inlines) + "\n"
            case .bullets(let items):
                for item in items { out += "- " + markdownLine(item) + "\n" }
            case .numbered(let items):
                for (k, item) in items.enumerated() { out += "\(k + 1). " + markdownLine(item) + "\n" }
            case .table(let caption, let header, let rows):
                out += "*\(Self.markdownEscape(caption))*\n\n"
                out += "| " + header.map { Self.markdownEscape($0).pipesEscaped }.joined(separator: " | ") + " |\n"
                out += "|" + String(repeating: "---|", count: header.count) + "\n"
                for row in rows {
                    let cells = row.map { lines in
                        lines.map { markdownLine($0).pipesEscaped }.joined(separator: "<br>")
                    }
                    out += "| " + cells.joined(separator: " | ") + " |\n"
                }
            }
        }
        return out
    }

    func markdownLine(_ inlines: [Inline]) -> String {
        inlines.map { piece -> String in
            switch piece {
            case .text(let s): return Self.markdownEscape(s)
            case .strong(let s): return "**\(Self.markdownEscape(s))**"
            case .code(let s): return "`\(String(s.map { $0 == "`" ? "'" : $0 }))`"
            case .source(let file, let line): return "[\(shortPlace(file, line))](\(href(file, line)))"
            case .anchor(let text, let id): return "[\(Self.markdownEscape(text))](#\(id))"
            }
        }.joined()
    }

    /// Text that Markdown shows as written (no emphasis, links or HTML).
    static func markdownEscape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "\\", "*", "_", "[", "]", "<", ">", "`", "#": out += "\\\(c)"
            case "\n": out += " "
            default: out.append(c)
            }
        }
        return out
    }

    // MARK: - HTML

    package var html: String {
        var out = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(Self.htmlEscape(title))</title>
        <style>
        \(Self.css)
        </style>
        </head>
        <body>
        <main>
        <h1>\(Self.htmlEscape(title))</h1>

        """
        for block in blocks {
            switch block {
            case .heading(let level, let text, let id):
                let l = max(2, min(6, level))
                out += "<h\(l) id=\"\(id)\">\(Self.htmlEscape(text))</h\(l)>\n"
            case .paragraph(let inlines):
                out += "<p>\(htmlLine(inlines))</p>\n"
            case .bullets(let items):
                out += "<ul>\n" + items.map { "<li>\(htmlLine($0))</li>\n" }.joined() + "</ul>\n"
            case .numbered(let items):
                out += "<ol>\n" + items.map { "<li>\(htmlLine($0))</li>\n" }.joined() + "</ol>\n"
            case .table(let caption, let header, let rows):
                out += "<table>\n<caption>\(Self.htmlEscape(caption))</caption>\n<thead><tr>"
                out += header.map { "<th scope=\"col\">\(Self.htmlEscape($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
                for row in rows {
                    out += "<tr>"
                    for (k, lines) in row.enumerated() {
                        let body = lines.map(htmlLine).joined(separator: "<br>")
                        out += k == 0 ? "<th scope=\"row\">\(body)</th>" : "<td>\(body)</td>"
                    }
                    out += "</tr>\n"
                }
                out += "</tbody>\n</table>\n"
            }
        }
        out += "</main>\n</body>\n</html>\n"
        return out
    }

    func htmlLine(_ inlines: [Inline]) -> String {
        inlines.map { piece -> String in
            switch piece {
            case .text(let s): return Self.htmlEscape(s)
            case .strong(let s): return "<strong>\(Self.htmlEscape(s))</strong>"
            case .code(let s): return "<code>\(Self.htmlEscape(s))</code>"
            case .source(let file, let line):
                return "<a class=\"src\" href=\"\(Self.htmlEscape(href(file, line)))\">\(Self.htmlEscape(shortPlace(file, line)))</a>"
            case .anchor(let text, let id): return "<a href=\"#\(id)\">\(Self.htmlEscape(text))</a>"
            }
        }.joined()
    }

    static func htmlEscape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    /// Dark text on white (#1a1a1a: 17:1; links #0b4f8a: 8.6:1), system
    /// fonts only, tables that break across pages with their headings
    /// repeated, links printed with their line.
    static let css = """
    body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a; background: #fff; margin: 0; }
    main { max-width: 60rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
    h1, h2, h3 { line-height: 1.25; }
    h2 { border-bottom: 2px solid #444; padding-bottom: .2rem; margin-top: 2.2rem; }
    a { color: #0b4f8a; }
    a.src { font-size: .85em; white-space: nowrap; }
    code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; background: #f1f1f1; padding: 0 .2em; }
    table { border-collapse: collapse; width: 100%; margin: 1rem 0; font-size: .92rem; }
    caption { text-align: left; font-weight: 600; padding: .3rem 0; }
    th, td { border: 1px solid #767676; padding: .35rem .5rem; text-align: left; vertical-align: top; }
    thead th { background: #e8e8e8; }
    tbody th { font-weight: 600; background: #f7f7f7; }
    @media print {
      body { font-size: 11pt; }
      main { max-width: none; padding: 0; }
      a { color: #1a1a1a; text-decoration: none; }
      thead { display: table-header-group; }
      tr, li { break-inside: avoid; }
      h2, h3 { break-after: avoid; }
    }
    """
}

extension String {
    /// Every `|` escaped with a backslash, for a Markdown table cell.
    var pipesEscaped: String {
        var out = ""
        for c in self { if c == "|" { out += "\\|" } else { out.append(c) } }
        return out
    }
}
