/// The FormatPrinter puts comments back beside the logical lines, keeps the
/// author's blank-line groups and wraps long lines (docs/fmt.md, "Comments",
/// "Blank lines", "Wrapping").
///
/// Where each comment goes:
/// - inside a statement that spans lines (between two pieces): the line
///   breaks there, and the comment stays at the end of that line (trailing)
///   or on its own line before the next piece (own-line);
/// - after a statement, on its line: trailing, two spaces after the code;
/// - on its own line: before the next statement, at its indentation; but a
///   comment after the last line of a block, indented deeper than the next
///   statement, stays at the end of that block.
struct FormatPrinter: Sendable {
    let source: SourceText
    let lines: [FormatLine]

    /// Own-line comments before each line.
    private var leading: [[String]]
    /// Own-line comments after each line (the end of a block).
    private var after: [[String]]
    /// The comment at the end of each line.
    private var trailing: [String?]
    /// Comments inside a line: trailing after a piece, own-line before one.
    private var trailingAfterPiece: [[Int: String]]
    private var ownBeforePiece: [[Int: [String]]]
    /// The source offsets each line's comments reach to (for blank lines).
    private var reach: [Int]
    /// Comments after the last line, with their indentation level.
    private var atEnd: [(text: String, level: Int, start: Int, end: Int)] = []
    /// Every own-line comment placed on its own, with its source span, by
    /// line and position (before or after), for blank lines between them.
    private var leadingSpans: [[Span]]
    private var afterSpans: [[Span]]

    init(source: SourceText, lines: [FormatLine]) {
        self.source = source
        self.lines = lines
        let n = lines.count
        leading = Array(repeating: [], count: n)
        after = Array(repeating: [], count: n)
        trailing = Array(repeating: nil, count: n)
        trailingAfterPiece = Array(repeating: [:], count: n)
        ownBeforePiece = Array(repeating: [:], count: n)
        reach = lines.map(\.end)
        leadingSpans = Array(repeating: [], count: n)
        afterSpans = Array(repeating: [], count: n)
    }

    // MARK: - Placing comments

    mutating func print(comments: [Comment]) -> String {
        let starts = lines.map(\.start)
        let ends = lines.map(\.end)
        var k = 0
        for comment in comments.sorted(by: { $0.span.start < $1.span.start }) {
            let c = comment.span.start
            while k < lines.count && starts[k] <= c { k += 1 }
            // lines[k - 1] starts before the comment; lines[k] after it.
            let text = commentText(comment.span)
            if k > 0 && c < ends[k - 1] {
                placeInside(comment, text, line: k - 1)
            } else if k > 0 && !comment.ownLine && trailing[k - 1] == nil {
                trailing[k - 1] = text
                reach[k - 1] = max(reach[k - 1], comment.span.end)
            } else {
                placeOwnLine(comment, text, next: k)
            }
        }
        return render()
    }

    /// A comment between two pieces of one logical line.
    private mutating func placeInside(_ comment: Comment, _ text: String, line i: Int) {
        let pieces = lines[i].pieces
        let c = comment.span.start
        reach[i] = max(reach[i], comment.span.end)
        if !comment.ownLine, let j = pieces.lastIndex(where: { $0.start < c }), j < pieces.count - 1,
           pieces[j].canBreakAfter, trailingAfterPiece[i][j] == nil {
            trailingAfterPiece[i][j] = text
            return
        }
        // Own-line (or a trailing one that cannot stay where it was): before
        // the first piece after it, when the line may break there.
        if let j = pieces.firstIndex(where: { $0.start > c }), j > 0, pieces[j - 1].canBreakAfter {
            ownBeforePiece[i][j, default: []].append(text)
            return
        }
        leading[i].append(text)
        leadingSpans[i].append(comment.span)
    }

    /// A comment on its own line between statements (or after the last).
    private mutating func placeOwnLine(_ comment: Comment, _ text: String, next k: Int) {
        let column = indentColumn(of: comment.span.start)
        if k < lines.count {
            // The deeper comments right after a block stay in it; the first
            // one that is not, and all after it, go with the next line.
            if k > 0 && leading[k].isEmpty && lines[k - 1].level > lines[k].level
                && column > indentColumn(of: lines[k].start) {
                after[k - 1].append(text)
                afterSpans[k - 1].append(comment.span)
            } else {
                leading[k].append(text)
                leadingSpans[k].append(comment.span)
            }
            return
        }
        let staysInBlock = k > 0 && lines[k - 1].level > 0 && column > 0 && atEnd.allSatisfy { $0.level > 0 }
        let level = staysInBlock ? lines[k - 1].level : 0
        atEnd.append((text, level, comment.span.start, comment.span.end))
    }

    /// A comment's text without trailing whitespace.
    private func commentText(_ span: Span) -> String {
        var text = source.text(span)
        while let last = text.unicodeScalars.last, last == " " || last == "\t" || last == "\u{0C}" || last == "\r" {
            text.unicodeScalars.removeLast()
        }
        return text
    }

    /// How many whitespace characters precede an offset on its line.
    private func indentColumn(of offset: Int) -> Int {
        let range = source.lineRange(index: source.lineIndex(of: offset))
        return max(0, min(offset, range.upperBound) - range.lowerBound)
    }

    // MARK: - Output

    /// A printed line: its code (with indentation), and the comment at its end.
    struct PrintedLine: Sendable {
        var code: String
        var comment: String?
        /// A one-line statement whose trailing comment lines up with its
        /// neighbours' (docs/fmt.md, "Comments").
        var aligns = false
    }

    private struct Output: Sendable {
        var lines: [PrintedLine] = []
        /// The source offset the last unit reached, and whether it opened a block.
        var lastEnd: Int?
        var lastOpensBlock = false
    }

    private func render() -> String {
        var out = Output()
        for i in lines.indices {
            let indent = spaces(lines[i].level * Formatter.indentWidth)
            for (text, span) in zip(leading[i], leadingSpans[i]) {
                unit(&out, start: span.start, end: span.end, opensBlock: false) { [PrintedLine(code: indent + text)] }
            }
            unit(&out, start: lines[i].start, end: reach[i], opensBlock: lines[i].opensBlock) { wrapped(i) }
            for (text, span) in zip(after[i], afterSpans[i]) {
                unit(&out, start: span.start, end: span.end, opensBlock: false) { [PrintedLine(code: indent + text)] }
            }
        }
        for comment in atEnd {
            unit(&out, start: comment.start, end: comment.end, opensBlock: false) {
                [PrintedLine(code: spaces(comment.level * Formatter.indentWidth) + comment.text)]
            }
        }
        return FormatPrinter.join(out.lines)
    }

    /// Appends one unit (a logical line or an own-line comment), after one
    /// blank line when the source had any between it and the unit before.
    private func unit(_ out: inout Output, start: Int, end: Int, opensBlock: Bool, _ printed: () -> [PrintedLine]) {
        if let lastEnd = out.lastEnd, !out.lastOpensBlock, blankLineBetween(lastEnd, start) {
            out.lines.append(PrintedLine(code: ""))
        }
        out.lines += printed()
        out.lastEnd = max(out.lastEnd ?? 0, end)
        out.lastOpensBlock = opensBlock
    }

    /// The text of the printed lines. Trailing comments of consecutive
    /// one-line statements at one indentation start in one column, two
    /// spaces after the longest code among them.
    static func join(_ lines: [PrintedLine]) -> String {
        var text = ""
        var k = 0
        while k < lines.count {
            var end = k + 1
            if lines[k].aligns {
                let indent = lines[k].code.utf8.prefix { $0 == 0x20 }.count
                while end < lines.count && lines[end].aligns && lines[end].code.utf8.prefix(while: { $0 == 0x20 }).count == indent {
                    end += 1
                }
            }
            var column = 0
            if end > k + 1 || lines[k].comment != nil {
                for line in lines[k..<end] { column = max(column, scalarCount(line.code)) }
            }
            for line in lines[k..<end] {
                text += line.code
                if let comment = line.comment {
                    text += String(repeating: " ", count: column - scalarCount(line.code) + 2) + comment
                }
                text += "\n"
            }
            k = end
        }
        return text
    }

    /// True when a whitespace-only line stands between the lines of two offsets.
    private func blankLineBetween(_ a: Int, _ b: Int) -> Bool {
        let first = source.lineIndex(of: a) + 1
        let last = source.lineIndex(of: b) - 1
        guard first <= last else { return false }
        for index in first...last {
            let range = source.lineRange(index: index)
            if source.bytes[range].allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0C || $0 == 0x0D }) { return true }
        }
        return false
    }

    private func spaces(_ n: Int) -> String { String(repeating: " ", count: n) }

    // MARK: - Wrapping

    /// One logical line as printed: broken where its comments stand, and
    /// wrapped at its soft break points when it is wider than the limit.
    /// Continuation lines are indented `continuationIndent` deeper.
    private func wrapped(_ i: Int) -> [PrintedLine] {
        let line = lines[i]
        let indent = spaces(line.level * Formatter.indentWidth)
        if trailingAfterPiece[i].isEmpty && ownBeforePiece[i].isEmpty && line.flatWidth <= Formatter.width {
            // It fits and no comment breaks it: the pieces on one line (what
            // the loop below makes of them, quicker).
            var code = indent
            for (k, piece) in line.pieces.enumerated() {
                if k > 0 && piece.spaceBefore { code += " " }
                code += piece.text
            }
            return [PrintedLine(code: code, comment: trailing[i], aligns: trailing[i] != nil)]
        }
        let continuation = indent + spaces(Formatter.continuationIndent)
        var out: [PrintedLine] = []
        var current = indent
        var width = indent.count
        var empty = true
        // Segments: runs of pieces between break points.
        var k = 0
        let pieces = line.pieces
        while k < pieces.count {
            var end = k
            while end < pieces.count - 1 && !pieces[end].breakAfter && !forcedBreak(i, after: end) { end += 1 }
            var segment = ""
            var segmentWidth = 0
            for j in k...end {
                if j > k && pieces[j].spaceBefore { segment += " "; segmentWidth += 1 }
                segment += pieces[j].text
                segmentWidth += scalarCount(pieces[j].text)
            }
            let space = !empty && pieces[k].spaceBefore ? 1 : 0
            if !empty && width + space + segmentWidth > Formatter.width {
                out.append(PrintedLine(code: current))
                current = continuation
                width = continuation.count
                empty = true
            }
            if !empty && space == 1 { current += " "; width += 1 }
            current += segment
            width += segmentWidth
            empty = false
            if end < pieces.count - 1 && forcedBreak(i, after: end) {
                out.append(PrintedLine(code: current, comment: trailingAfterPiece[i][end]))
                for comment in ownBeforePiece[i][end + 1] ?? [] { out.append(PrintedLine(code: continuation + comment)) }
                current = continuation
                width = continuation.count
                empty = true
            }
            k = end + 1
        }
        out.append(PrintedLine(code: current, comment: trailing[i], aligns: out.isEmpty && trailing[i] != nil))
        return out
    }

    private func forcedBreak(_ i: Int, after j: Int) -> Bool {
        trailingAfterPiece[i][j] != nil || ownBeforePiece[i][j + 1] != nil
    }
}
