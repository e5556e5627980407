/// The formatter's intermediate form: logical lines made of pieces.
///
/// A logical line is one statement, one block line, or one rule written on
/// one line. Its pieces are the tokens it prints, each remembering where in
/// the source it came from, so comments can be put back beside them, and
/// where the line may be wrapped onto a continuation line.

// MARK: - Pieces

/// A FormatPiece is the text of one token (or of a few that never part, like
/// `3 business days`), with the source offsets it stands for.
struct FormatPiece: Sendable {
    var text: String
    /// Where the piece's text starts in the source (approximate for words the
    /// AST keeps no span for, but never out of order with comments).
    var start: Int
    var end: Int
    /// A space separates it from the piece before on the same line.
    var spaceBefore: Bool
    /// A soft wrap point: the lexer joins a line ending here with a deeper
    /// next line (after `,` `<` `and` `or`).
    var breakAfter = false
    /// How many brackets are open after this piece; a line break inside
    /// brackets is always allowed.
    var depthAfter = 0

    /// True when a line may end after this piece without ending the statement.
    var canBreakAfter: Bool { breakAfter || depthAfter > 0 }
}

// MARK: - Lines

/// A FormatLine is one logical line of the output, before wrapping.
struct FormatLine: Sendable {
    /// Block depth: 0 for statements, 1 for the lines of a block.
    var level: Int
    var pieces: [FormatPiece]
    /// Ends with `:` and opens an indented block.
    var opensBlock = false

    init(level: Int, pieces: [FormatPiece], opensBlock: Bool = false) {
        self.level = level
        self.pieces = pieces
        self.opensBlock = opensBlock
    }

    var start: Int { pieces.isEmpty ? 0 : pieces.reduce(Int.max) { min($0, $1.start) } }
    var end: Int { pieces.isEmpty ? 0 : pieces.reduce(Int.min) { max($0, $1.end) } }

    /// The width of the line printed without wraps (indentation included).
    var flatWidth: Int {
        var width = level * Formatter.indentWidth
        for (k, piece) in pieces.enumerated() {
            if k > 0 && piece.spaceBefore { width += 1 }
            width += scalarCount(piece.text)
        }
        return width
    }
}

/// How many Unicode scalars a text has (the formatter's measure of width),
/// counted on its UTF-8 bytes: every byte that does not continue a scalar.
func scalarCount(_ text: String) -> Int {
    var n = 0
    for byte in text.utf8 where byte & 0xC0 != 0x80 { n += 1 }
    return n
}

// MARK: - Building a line

/// A LineBuilder collects the pieces of one logical line.
struct LineBuilder: Sendable {
    private(set) var pieces: [FormatPiece] = []
    private var depth = 0
    private var glueNext = false
    /// The last source offset seen: pieces without a span of their own sit here.
    private var cursor: Int

    init(at offset: Int) {
        cursor = offset
    }

    /// A word or token, with a space before it (unless glued).
    mutating func word(_ text: String, at start: Int? = nil, end: Int? = nil, breakAfter: Bool = false) {
        // Offsets never go back, so comments find their pieces by offset
        // even where a line prints its parts in another order.
        let s = max(start ?? cursor, cursor)
        let e = max(end ?? s, s)
        cursor = s
        pieces.append(FormatPiece(text: text, start: s, end: e, spaceBefore: !glueNext && !pieces.isEmpty,
                                  breakAfter: breakAfter, depthAfter: depth))
        glueNext = false
    }

    mutating func word(_ text: String, _ span: Span, breakAfter: Bool = false) {
        word(text, at: span.start, end: span.end, breakAfter: breakAfter)
    }

    /// Text joined to the piece before, without a space (`:`, `;`, `?`).
    mutating func glue(_ text: String, at offset: Int? = nil) {
        guard !pieces.isEmpty else {
            word(text, at: offset)
            return
        }
        let last = pieces.count - 1
        pieces[last].text += text
        if let offset { pieces[last].end = max(pieces[last].end, offset + text.utf8.count) }
    }

    /// An opening bracket: `(`, `[`, `{`; the next piece is glued to it.
    mutating func open(_ bracket: String, at offset: Int, space: Bool = true) {
        if !space { glueNext = true }
        depth += 1
        word(bracket, at: offset, end: offset + 1)
        glueNext = true
    }

    /// A closing bracket, glued to the piece before.
    mutating func close(_ bracket: String, at offset: Int) {
        depth -= 1
        glueNext = true
        word(bracket, at: offset, end: offset + 1)
    }

    /// A list separator: `,` on the piece before, a soft wrap point.
    mutating func comma() {
        guard !pieces.isEmpty else { return }
        pieces[pieces.count - 1].text += ","
        pieces[pieces.count - 1].breakAfter = true
    }

    /// Items separated by commas, each added by `body`.
    mutating func list<T>(_ items: [T], _ body: (inout LineBuilder, T) -> Void) {
        for (k, item) in items.enumerated() {
            body(&self, item)
            if k < items.count - 1 { comma() }
        }
    }

    func line(level: Int, opensBlock: Bool = false) -> FormatLine {
        FormatLine(level: level, pieces: pieces, opensBlock: opensBlock)
    }
}
