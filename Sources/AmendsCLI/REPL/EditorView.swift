/// An EditorView draws a `LineEditor` on a terminal: the prompt, the
/// buffer's lines (each after a `...` prompt but the first), wrapped at the
/// terminal's width, with the cursor where it belongs. It is pure: state
/// and width in, the bytes to write out, so it is tested without a terminal.
///
/// Every draw repaints the whole entry: it goes back up to the entry's
/// first row, clears to the end of the screen and writes it again. It
/// remembers which row of the entry the cursor was left on to go back.
struct EditorView: Sendable {
    /// A Prompt is its text (maybe coloured) and how many columns it takes.
    struct Prompt: Sendable {
        var text: String
        var width: Int

        init(_ text: String, width: Int? = nil) {
            self.text = text
            self.width = width ?? text.reduce(0) { $0 + EditorView.width(of: $1) }
        }
    }

    var primary = Prompt(">>> ")
    var continuation = Prompt("... ")
    var columns = 80
    /// The row of the entry the cursor is on, counted from the entry's first row.
    private(set) var cursorRow = 0
    /// The rows the entry took when last drawn, and the row its end is on.
    private(set) var endRow = 0

    /// Starts the next entry on a fresh line (after output).
    mutating func forget() {
        cursorRow = 0
        endRow = 0
    }

    /// The bytes that redraw `editor`.
    mutating func draw(_ editor: LineEditor) -> String {
        let columns = max(1, self.columns)
        var out = "\u{1B}[?25l" // hide the cursor while drawing
        if cursorRow > 0 { out += "\u{1B}[\(cursorRow)A" }
        out += "\r\u{1B}[J"
        let lines = editor.buffer.split(separator: "\n", omittingEmptySubsequences: false)
        var row = 0
        var col = 0
        var cursorAt: (row: Int, col: Int)?
        var offset = 0
        for (i, line) in lines.enumerated() {
            if i > 0 {
                out += "\r\n"
                row += 1
                col = 0
            }
            let prompt = i == 0 ? firstPrompt(editor) : continuation
            out += prompt.text
            advance(&row, &col, by: prompt.width, columns: columns)
            for c in line {
                let w = EditorView.width(of: c)
                if col + w > columns && col > 0 {
                    // The terminal wraps a character that does not fit.
                    if col < columns { out += String(repeating: " ", count: columns - col) }
                    row += 1
                    col = 0
                }
                if offset == editor.cursor { cursorAt = (row, col) }
                out += EditorView.shown(c)
                col += w
                offset += 1
            }
            if offset == editor.cursor { cursorAt = (row, col) }
            offset += 1 // the line end
        }
        // A full last row leaves the terminal waiting to wrap: make it wrap.
        if col >= columns {
            out += "\r\n"
            row += 1
            col = 0
        }
        var target = cursorAt ?? (row, col)
        if target.col >= columns { target = (target.row + 1, 0) }
        if row > target.row { out += "\u{1B}[\(row - target.row)A" }
        out += "\r"
        if target.col > 0 { out += "\u{1B}[\(target.col)C" }
        out += "\u{1B}[?25h"
        cursorRow = target.row
        endRow = row
        return out
    }

    /// The bytes that move the cursor below the entry, to print under it.
    mutating func leave() -> String {
        var out = ""
        if endRow > cursorRow { out += "\u{1B}[\(endRow - cursorRow)B" }
        out += "\r\n"
        forget()
        return out
    }

    private func firstPrompt(_ editor: LineEditor) -> Prompt {
        guard let search = editor.search else { return primary }
        let text = (search.failed ? "(failed reverse-i-search)`" : "(reverse-i-search)`") + String(search.query) + "': "
        return Prompt(text)
    }

    private func advance(_ row: inout Int, _ col: inout Int, by width: Int, columns: Int) {
        col += width
        while col > columns {
            col -= columns
            row += 1
        }
    }

    // MARK: - Character widths

    /// How a character is written: a tab as spaces, other controls as `^X`.
    static func shown(_ c: Character) -> String {
        if c == "\t" { return "    " }
        if let s = c.unicodeScalars.first, s.value < 0x20 || s.value == 0x7F {
            return "^" + String(Character(Unicode.Scalar(UInt8(s.value ^ 0x40))))
        }
        return String(c)
    }

    /// The columns a character takes on a terminal: 0 for a combining mark,
    /// 2 for East Asian wide characters and emoji, 4 for a tab, 1 otherwise.
    static func width(of c: Character) -> Int {
        guard let s = c.unicodeScalars.first else { return 0 }
        if c == "\t" { return 4 }
        if s.value < 0x20 || s.value == 0x7F { return 2 }
        switch s.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if s.properties.isEmojiPresentation { return 2 }
        if c.unicodeScalars.contains("\u{FE0F}") && s.properties.isEmoji { return 2 }
        return isWide(s.value) ? 2 : 1
    }

    /// East Asian Wide and Fullwidth ranges (the common ones).
    static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF,
             0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3,
             0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
             0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
