/// OutputWrap breaks output lines longer than the terminal is wide at
/// spaces, so a long note or help line does not run on from the window's
/// first column. A continued line is indented under the text it continues:
/// after `= help: ` or `= note: ` in a diagnostic, else a little deeper
/// than the line. A diagnostic's source and caret lines (`12 | …`, `  | ^~~`)
/// are left as they are: wrapping them would part the carets from what they
/// point at. Colour codes take no width. Only the terminal front end uses
/// it; scripts and pipes get the lines as they are.
enum OutputWrap {
    static func wrap(_ text: String, width: Int) -> String {
        guard width >= 20 else { return text }
        var out = ""
        var first = true
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !first { out += "\n" }
            first = false
            out += wrapLine(String(line), width: width)
        }
        return out
    }

    /// One line, broken at spaces where it would pass `width`.
    static func wrapLine(_ line: String, width: Int) -> String {
        let plain = stripEscapes(line)
        guard columns(plain) > width, !isGutter(plain) else { return line }
        let indent = String(repeating: " ", count: min(width / 2, continuationIndent(plain)))
        // Words with the spaces before them; a break drops those spaces.
        var pieces: [(spaces: String, word: String)] = []
        var spaces = ""
        var word = ""
        for c in line {
            if c == " " {
                if !word.isEmpty {
                    pieces.append((spaces, word))
                    spaces = ""
                    word = ""
                }
                spaces.append(c)
            } else {
                word.append(c)
            }
        }
        pieces.append((spaces, word))
        var out = ""
        var column = 0
        var wordsOnLine = 0
        for (spaces, word) in pieces {
            let w = columns(stripEscapes(word))
            // The line's own leading spaces always stay.
            if wordsOnLine > 0 && column + spaces.count + w > width {
                out += "\n" + indent + word
                column = indent.count + w
            } else {
                out += spaces + word
                column += spaces.count + w
            }
            if !word.isEmpty { wordsOnLine += 1 }
        }
        return out
    }

    /// Where a continued line starts: under the text after `= help: `
    /// (or `= note: `), else four columns deeper than the line.
    static func continuationIndent(_ plain: String) -> Int {
        let lead = plain.prefix { $0 == " " }.count
        let rest = plain.dropFirst(lead)
        if rest.hasPrefix("= "), let colon = rest.firstIndex(of: ":") {
            return lead + rest.distance(from: rest.startIndex, to: colon) + 2
        }
        return lead + 4
    }

    /// A diagnostic's source or caret line: optional spaces and a line
    /// number, then `|`.
    static func isGutter(_ plain: String) -> Bool {
        var rest = Substring(plain)
        while rest.first == " " { rest = rest.dropFirst() }
        while let c = rest.first, c.isNumber { rest = rest.dropFirst() }
        while rest.first == " " { rest = rest.dropFirst() }
        return rest.first == "|"
    }

    /// The text without ANSI escape sequences (`ESC [ … final`).
    static func stripEscapes(_ text: String) -> String {
        guard text.contains("\u{1B}") else { return text }
        var out = ""
        var inEscape = false
        var sawBracket = false
        for scalar in text.unicodeScalars {
            if inEscape {
                if !sawBracket {
                    sawBracket = true
                    if scalar == "[" { continue }
                    inEscape = false
                    continue
                }
                if (0x40...0x7E).contains(scalar.value) { inEscape = false }
                continue
            }
            if scalar == "\u{1B}" {
                inEscape = true
                sawBracket = false
                continue
            }
            out.unicodeScalars.append(scalar)
        }
        return out
    }

    static func columns(_ plain: String) -> Int {
        plain.reduce(0) { $0 + EditorView.width(of: $1) }
    }
}
