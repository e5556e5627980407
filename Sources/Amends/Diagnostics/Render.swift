#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Renders diagnostics the way a compiler does:
///
///     policies/x.policy:3:39: error[E023]: unknown duration unit `dayz`
///       |
///     3 | when severity >= high: follow up in 3 dayz
///       |                                       ^~~~
///       = help: did you mean `days`?
///
/// Tabs in the shown line are expanded to four spaces and the caret run is
/// moved to match; control characters are shown as their pictures (`␀`,
/// `␛`), never sent to the terminal. Colour (ANSI SGR) only when asked for.
package struct DiagnosticRenderer: Sendable {
    package var color: Bool

    package init(color: Bool) { self.color = color }

    package func render(_ d: Diagnostic) -> String {
        var out = ""
        let loc = d.location
        let levelStyle: String
        switch d.level {
        case .error: levelStyle = "\u{1B}[1;31m"
        case .warning: levelStyle = "\u{1B}[1;33m"
        case .note: levelStyle = "\u{1B}[1;36m"
        }
        out += paint("\(d.file):\(loc.line):\(loc.column): ", "\u{1B}[1m")
        out += paint("\(d.level.rawValue)[\(d.code.rawValue)]", levelStyle)
        out += paint(": \(d.message)", "\u{1B}[1m")
        out += "\n"
        out += snippet(source: d.source, span: d.span, style: levelStyle)
        for note in d.notes {
            if let source = note.source, let span = note.span {
                let nl = source.location(of: span.start)
                out += gutterPad(source, span) + paint("= note: ", "\u{1B}[1;36m") + "\(note.message) (\(source.path):\(nl.line):\(nl.column))\n"
                out += snippet(source: source, span: span, style: "\u{1B}[1;36m")
            } else {
                out += gutterPad(d.source, d.span) + paint("= note: ", "\u{1B}[1;36m") + note.message + "\n"
            }
        }
        if let help = d.help {
            out += gutterPad(d.source, d.span) + paint("= help: ", "\u{1B}[1;32m") + help + "\n"
        }
        return out
    }

    package func render(_ diagnostics: [Diagnostic]) -> String {
        diagnostics.map(render).joined()
    }

    // MARK: - Pieces

    private func gutterWidth(_ source: SourceText, _ span: Span) -> Int {
        String(source.location(of: span.start).line).count
    }

    private func gutterPad(_ source: SourceText, _ span: Span) -> String {
        String(repeating: " ", count: gutterWidth(source, span) + 1)
    }

    /// The source line with a caret and tildes under the span (first line of
    /// the span only).
    func snippet(source: SourceText, span: Span, style: String) -> String {
        let start = source.location(of: span.start)
        let lineIndex = start.line - 1
        let range = source.lineRange(index: lineIndex)
        let bytes = source.bytes
        let spanStart = min(max(span.start, range.lowerBound), range.upperBound)
        let spanEnd = min(max(span.end, spanStart), range.upperBound)

        // Build the shown line and the caret line together, scalar by scalar.
        var shown = ""
        var marks = ""
        var i = range.lowerBound
        var caretDone = false
        // Cap very long lines around the span so a 10 MB line does not print 10 MB.
        let window = 120
        if spanStart - range.lowerBound > window {
            i = spanStart - window / 2
            while i < spanStart && bytes[i] & 0xC0 == 0x80 { i += 1 }
            shown += "..."
            marks += "   "
        }
        let limit = min(range.upperBound, max(spanEnd, spanStart + 1) + window)
        while i < limit {
            let (scalar, length) = decodeScalar(bytes, i, range.upperBound)
            let inSpan = i >= spanStart && i < max(spanEnd, spanStart + 1)
            let text: String
            if scalar == "\t" {
                text = "    "
            } else if let picture = ControlPictures.picture(scalar) {
                // Echoed raw, a control character would move the cursor or
                // start a terminal escape, and the caret would not line up.
                text = String(picture)
            } else {
                text = String(Character(scalar))
            }
            shown += text
            let width = scalar == "\t" ? 4 : 1
            if inSpan {
                marks += caretDone ? String(repeating: "~", count: width) : "^" + String(repeating: "~", count: width - 1)
                caretDone = true
            } else if !caretDone {
                marks += String(repeating: " ", count: width)
            }
            i += length
        }
        if limit < range.upperBound { shown += "..." }
        if !caretDone { marks += "^" } // an empty span, or one at the line end
        let gutter = String(start.line)
        let pad = String(repeating: " ", count: gutter.count)
        var out = ""
        out += paint("\(pad) |", "\u{1B}[1;34m") + "\n"
        out += paint("\(gutter) |", "\u{1B}[1;34m") + " \(shown)\n"
        out += paint("\(pad) |", "\u{1B}[1;34m") + " " + paint(marks, style) + "\n"
        return out
    }

    private func decodeScalar(_ bytes: [UInt8], _ i: Int, _ end: Int) -> (Unicode.Scalar, Int) {
        let (scalar, length) = UTF8Scalar.decode(bytes, at: i, end: end)
        return (scalar ?? "\u{FFFD}", length)
    }

    private func paint(_ text: String, _ style: String) -> String {
        color ? style + text + "\u{1B}[0m" : text
    }
}

/// Whether output to a file descriptor should be coloured: only on a
/// terminal, never when `NO_COLOR` is set (to anything), always when
/// `FORCE_COLOR` is set and `NO_COLOR` is not, never when TERM is `dumb`.
package func wantsColor(fd: Int32) -> Bool {
    if getenv("NO_COLOR") != nil { return false }
    if let force = getenv("FORCE_COLOR"), force.pointee != 0 { return true }
    if let term = getenv("TERM"), String(cString: term) == "dumb" { return false }
    return isatty(fd) == 1
}
