/// The Lexer turns policy text into tokens, in one pass, never failing.
///
/// Line structure (Grammar.md, "Lines and indentation"):
/// - a logical line ends at a line end, except inside `()`, `[]`, `{}`, and
///   after a trailing `,`, `<`, `and` or `or` when the next line is indented
///   deeper than the logical line's first line;
/// - at the start of each logical line the indentation is compared with the
///   enclosing ones and `indent`/`dedent` tokens are emitted, as in Python;
/// - blank lines and comment-only lines do not count.
///
/// Every problem becomes a diagnostic and, where the text cannot be a token,
/// an `.invalid` token so the parser skips the statement without a second
/// message.
package struct Lexer {
    package static let maxFileSize = 16 << 20

    let source: SourceText
    let bytes: [UInt8]
    var i = 0
    package private(set) var tokens: [Token] = []
    package private(set) var comments: [Comment] = []
    /// The value of each string token, by the offset it starts at.
    package private(set) var strings: [Int: String] = [:]
    package private(set) var diagnostics: [Diagnostic] = []

    /// Indentation of each open block (the bytes of the leading whitespace).
    private var indents: [[UInt8]] = [[]]
    /// Where each open block's indentation was first written (the line that opened it).
    private var indentSpans: [Span] = [Span.at(0)]
    /// Open brackets: kind and offset.
    private var brackets: [(kind: UInt8, offset: Int)] = []
    /// How many diagnostics the file may still get (`E030` past it); the
    /// parser goes on with what the lexer left.
    private(set) var budget = DiagnosticBudget()

    package init(source: SourceText) {
        self.source = source
        self.bytes = source.bytes
    }

    /// Lexes a whole source text.
    package static func tokenize(_ source: SourceText) -> Lexer {
        var lexer = Lexer(source: source)
        lexer.run()
        return lexer
    }

    // MARK: - Driver

    mutating func run() {
        let n = bytes.count
        if n > Lexer.maxFileSize {
            report(.fileTooLarge, "policy file is \(n) bytes; the limit is \(Lexer.maxFileSize) bytes (16 MiB)",
                   Span.at(0), help: "split the policy into files joined with `use`")
            tokens.append(Token(.eof, Span.at(0)))
            return
        }
        if n >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { i = 3 }
        var atLineStart = true
        while true {
            if atLineStart {
                atLineStart = false
                if !startLine() { break }
            }
            guard i < n else { break }
            let c = bytes[i]
            switch c {
            case 0x20, 0x09, 0x0C:
                i += 1
            case 0x0A, 0x0D:
                let lineEnd = i
                skipLineEnd()
                if brackets.isEmpty {
                    if continuesAfter(lineEnd) { continue }
                    emitNewline(at: lineEnd)
                    atLineStart = true
                } else if closesUnbalanced(lineEnd, at: lineEnd) {
                    emitNewline(at: lineEnd)
                    atLineStart = true
                }
            case UInt8(ascii: "#"):
                lexComment()
            default:
                lexToken()
            }
        }
        finish()
    }

    /// Reads the indentation of a new logical line, skipping blank and
    /// comment-only lines, and emits indent/dedent tokens. False at EOF.
    private mutating func startLine() -> Bool {
        let n = bytes.count
        while i < n {
            let lineStart = i
            var sawSpace = false
            var sawTab = false
            while i < n && (bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0C) {
                if bytes[i] == 0x09 { sawTab = true } else { sawSpace = true }
                i += 1
            }
            guard i < n else { return false }
            let c = bytes[i]
            if c == 0x0A || c == 0x0D { skipLineEnd(); continue }
            if c == UInt8(ascii: "#") {
                lexComment()
                if i < n { skipLineEnd() }
                continue
            }
            let indent = Array(bytes[lineStart..<i])
            var reported = false
            if sawSpace && sawTab {
                report(.mixedIndentation, "tabs and spaces mixed in indentation", Span(start: lineStart, end: i),
                       help: "indent with spaces only")
                reported = true
            }
            applyIndent(indent, at: Span(start: lineStart, end: i), reported: reported)
            return true
        }
        return false
    }

    /// Compares a line's indentation with the open blocks; at most one
    /// diagnostic per line.
    private mutating func applyIndent(_ indent: [UInt8], at span: Span, reported: Bool) {
        var reported = reported
        let current = indents[indents.count - 1]
        if indent == current { return }
        // Tabs where the blocks use spaces (or the other way round): the
        // line with tabs is the mistake, so it is the one blamed, even when
        // it opened the block and this line, with spaces, comes after it.
        if !reported, let usedIndex = indents.lastIndex(where: { !$0.isEmpty }), !indent.isEmpty,
           !containsMixed(indent), !containsMixed(indents[usedIndex]), indent[0] != indents[usedIndex][0] {
            if indent[0] == 0x09 {
                report(.mixedIndentation, "this line is indented with tabs where the block uses spaces", span,
                       help: "indent with spaces only")
            } else {
                report(.mixedIndentation, "this line is indented with tabs where the lines after it use spaces",
                       indentSpans[usedIndex], help: "indent with spaces only")
                // The block goes on with spaces; a later line with tabs is its own mistake.
                indents[usedIndex] = indent
                indentSpans[usedIndex] = span
            }
            // The line is read as one more line of the innermost block: tabs
            // and spaces have no common measure to say which block it meant.
            if indents.count > 1 { return }
            reported = true
        }
        if indent.count > current.count {
            if !reported && !indent.starts(with: current) {
                report(.mixedIndentation, "this line's indentation uses tabs and spaces differently from the lines around it",
                       span, help: "indent with spaces only")
            }
            indents.append(indent)
            indentSpans.append(span)
            tokens.append(Token(.indent, Span(start: span.start, end: span.end)))
            return
        }
        // Dedent: pop to a matching level.
        while indents.count > 1 && indents[indents.count - 1].count > indent.count {
            indents.removeLast()
            indentSpans.removeLast()
            tokens.append(Token(.dedent, Span.at(span.end)))
        }
        if !reported && indents[indents.count - 1] != indent {
            if indents[indents.count - 1].count == indent.count {
                report(.mixedIndentation, "this line's indentation uses tabs and spaces differently from the lines around it",
                       span, help: "indent with spaces only")
            } else {
                report(.inconsistentDedent, "this line unindents to a level no enclosing line has", span,
                       help: "line it up with the lines of its block")
            }
            // Continue as if it matched the enclosing level.
        }
    }

    private func containsMixed(_ indent: [UInt8]) -> Bool {
        indent.contains(0x20) && indent.contains(0x09)
    }

    /// After a line end at `lineEnd` (already skipped): does the logical
    /// line go on? Only after `,` `<` `and` `or`, onto a deeper line.
    private mutating func continuesAfter(_ lineEnd: Int) -> Bool {
        guard let last = tokens.last, last.span.end <= lineEnd else { return false }
        let joins: Bool
        switch last.kind {
        case .comma, .less: joins = true
        case .name:
            let w = source.text(last.span)
            joins = w == "and" || w == "or"
        default: joins = false
        }
        guard joins else { return false }
        guard let next = peekNextLine() else { return false }
        let current = indents[indents.count - 1]
        return next.indent.count > current.count
    }

    /// Inside brackets, at a line end: does the next line look like a new
    /// statement (no deeper than the logical line and not a closing bracket)?
    /// Then the open brackets are reported and the logical line ends.
    private mutating func closesUnbalanced(_ lineEnd: Int, at offset: Int) -> Bool {
        guard let next = peekNextLine() else { return false }
        let current = indents[indents.count - 1]
        if next.indent.count > current.count { return false }
        if next.first == UInt8(ascii: ")") || next.first == UInt8(ascii: "]") || next.first == UInt8(ascii: "}") { return false }
        reportUnclosed(at: offset)
        return true
    }

    /// Reports the innermost open bracket (one diagnostic, however many are open).
    private mutating func reportUnclosed(at offset: Int) {
        if let (kind, offset) = brackets.last {
            let open = String(UnicodeScalar(kind))
            let more = brackets.count > 1 ? " (and \(brackets.count - 1) more open brackets before it)" : ""
            report(.unbalancedBracket, "`\(open)` is never closed\(more)", Span(start: offset, end: offset + 1),
                   help: "add `\(closing(kind))` where the \(bracketName(kind)) ends")
        }
        brackets.removeAll()
        tokens.append(Token(.invalid, Span.at(offset)))
    }

    /// The next non-blank, non-comment line, without moving: its
    /// indentation and its first byte after it.
    private func peekNextLine() -> (indent: ArraySlice<UInt8>, first: UInt8)? {
        var j = i
        let n = bytes.count
        while j < n {
            let start = j
            while j < n && (bytes[j] == 0x20 || bytes[j] == 0x09 || bytes[j] == 0x0C) { j += 1 }
            guard j < n else { return nil }
            if bytes[j] == 0x0A || bytes[j] == 0x0D || bytes[j] == UInt8(ascii: "#") {
                while j < n && bytes[j] != 0x0A && bytes[j] != 0x0D { j += 1 }
                while j < n && (bytes[j] == 0x0A || bytes[j] == 0x0D) { j += 1 }
                continue
            }
            return (bytes[start..<j], bytes[j])
        }
        return nil
    }

    private mutating func skipLineEnd() {
        if i < bytes.count && bytes[i] == 0x0D { i += 1 }
        if i < bytes.count && bytes[i] == 0x0A { i += 1 }
    }

    private mutating func emitNewline(at offset: Int) {
        if let last = tokens.last, last.kind != .newline, last.kind != .indent, last.kind != .dedent {
            tokens.append(Token(.newline, Span.at(offset)))
        }
    }

    private mutating func finish() {
        if !brackets.isEmpty { reportUnclosed(at: bytes.count) }
        emitNewline(at: bytes.count)
        while indents.count > 1 {
            indents.removeLast()
            indentSpans.removeLast()
            tokens.append(Token(.dedent, Span.at(bytes.count)))
        }
        tokens.append(Token(.eof, Span.at(bytes.count)))
    }

    // MARK: - Tokens

    private mutating func lexComment() {
        let start = i
        var ownLine = true
        if let last = tokens.last, last.kind != .newline, last.kind != .indent, last.kind != .dedent {
            // A comment after a token on the same line.
            let lineStart = source.lineStarts[source.lineIndex(of: start)]
            ownLine = last.span.end < lineStart
        }
        while i < bytes.count && bytes[i] != 0x0A && bytes[i] != 0x0D {
            if bytes[i] == 0 {
                report(.nulByte, "NUL byte in a comment", Span(start: i, end: i + 1), help: "remove it; policy files are text")
            } else if bytes[i] >= 0x80 {
                let length = validScalarLength(at: i)
                if length == 0 {
                    reportInvalidUTF8(at: i)
                    i += 1
                    continue
                }
                i += length
                continue
            }
            i += 1
        }
        comments.append(Comment(span: Span(start: start, end: i), ownLine: ownLine))
    }

    private mutating func lexToken() {
        let start = i
        let c = bytes[i]
        func single(_ kind: TokenKind) {
            i += 1
            tokens.append(Token(kind, Span(start: start, end: i)))
        }
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"):
            lexName()
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            lexNumberLike()
        case UInt8(ascii: "\""):
            lexString()
        case UInt8(ascii: ":"): single(.colon)
        case UInt8(ascii: ";"): single(.semicolon)
        case UInt8(ascii: ","): single(.comma)
        case UInt8(ascii: "?"): single(.question)
        case UInt8(ascii: "/"): single(.slash)
        case UInt8(ascii: "-"): single(.minus)
        case UInt8(ascii: "+"): single(.plus)
        case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"):
            brackets.append((c, start))
            single(c == UInt8(ascii: "(") ? .lparen : c == UInt8(ascii: "[") ? .lbracket : .lbrace)
        case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
            let kind: TokenKind = c == UInt8(ascii: ")") ? .rparen : c == UInt8(ascii: "]") ? .rbracket : .rbrace
            if let open = brackets.last, closing(open.kind) == Character(UnicodeScalar(c)) {
                brackets.removeLast()
                single(kind)
            } else if let open = brackets.last {
                report(.unbalancedBracket, "`\(Character(UnicodeScalar(c)))` does not close `\(Character(UnicodeScalar(open.kind)))`",
                       Span(start: start, end: start + 1),
                       help: "close the \(bracketName(open.kind)) opened here with `\(closing(open.kind))`",
                       notes: [Diagnostic.Note("the \(bracketName(open.kind)) opens here", source: source,
                                               span: Span(start: open.offset, end: open.offset + 1))])
                brackets.removeLast()
                single(.invalid)
            } else {
                report(.unbalancedBracket, "`\(Character(UnicodeScalar(c)))` closes nothing", Span(start: start, end: start + 1),
                       help: "remove it, or add the opening bracket it belongs to")
                single(.invalid)
            }
        case UInt8(ascii: "="):
            if peek(1) == UInt8(ascii: "=") {
                i += 2
                report(.wrongOperator, "`==` is not an operator here", Span(start: start, end: i), help: "compare with a single `=`")
                tokens.append(Token(.equal, Span(start: start, end: i)))
            } else {
                single(.equal)
            }
        case UInt8(ascii: "!"):
            if peek(1) == UInt8(ascii: "=") {
                i += 2
                tokens.append(Token(.notEqual, Span(start: start, end: i)))
            } else {
                i += 1
                report(.wrongOperator, "`!` is not an operator here", Span(start: start, end: i), help: "negate with `not`")
                tokens.append(Token(.invalid, Span(start: start, end: i)))
            }
        case UInt8(ascii: "<"):
            if peek(1) == UInt8(ascii: "=") {
                i += 2
                tokens.append(Token(.lessEqual, Span(start: start, end: i)))
            } else if peek(1) == UInt8(ascii: ">") {
                i += 2
                report(.wrongOperator, "`<>` is not an operator here", Span(start: start, end: i), help: "write `!=` for not equal")
                tokens.append(Token(.notEqual, Span(start: start, end: i)))
            } else {
                single(.less)
            }
        case UInt8(ascii: ">"):
            if peek(1) == UInt8(ascii: "=") {
                i += 2
                tokens.append(Token(.greaterEqual, Span(start: start, end: i)))
            } else {
                single(.greater)
            }
        case UInt8(ascii: "&"), UInt8(ascii: "|"):
            let doubled = peek(1) == c
            i += doubled ? 2 : 1
            let word = c == UInt8(ascii: "&") ? "and" : "or"
            report(.wrongOperator, "`\(source.text(Span(start: start, end: i)))` is not an operator here", Span(start: start, end: i),
                   help: "write `\(word)`")
            tokens.append(Token(.invalid, Span(start: start, end: i)))
        case UInt8(ascii: "'"):
            lexBadQuote(help: "strings are written in double quotes: \"like this\"")
        case 0:
            i += 1
            report(.nulByte, "NUL byte in the policy text", Span(start: start, end: i), help: "remove it; policy files are text")
            tokens.append(Token(.invalid, Span(start: start, end: i)))
        case 0x80...0xFF:
            let length = validScalarLength(at: i)
            if length == 0 {
                reportInvalidUTF8(at: i)
                i += 1
                tokens.append(Token(.invalid, Span(start: start, end: i)))
                return
            }
            let scalar = decode(at: i, length: length)
            if scalar.properties.isAlphabetic {
                lexName()
            } else if scalar == "\u{201C}" || scalar == "\u{201D}" {
                lexBadQuote(help: "use straight double quotes (\") around text")
            } else {
                i += length
                report(.invalidCharacter, "unexpected character `\(Character(scalar))`", Span(start: start, end: i),
                       help: "remove it")
                tokens.append(Token(.invalid, Span(start: start, end: i)))
            }
        default:
            i += 1
            let shown = c >= 0x20 && c < 0x7F ? String(UnicodeScalar(c)) : "\\u{\(String(c, radix: 16))}"
            report(.invalidCharacter, "unexpected character `\(shown)`", Span(start: start, end: i),
                   help: helpForCharacter(c))
            tokens.append(Token(.invalid, Span(start: start, end: i)))
        }
    }

    private func helpForCharacter(_ c: UInt8) -> String {
        switch c {
        case UInt8(ascii: "*"), UInt8(ascii: "%"): return "the language has no arithmetic; compare fields with values"
        case UInt8(ascii: "$"): return "write amounts as plain numbers, e.g. `amount > 5000`"
        case UInt8(ascii: "@"): return "names are letters, digits and `_`"
        case UInt8(ascii: "."): return "write decimals with digits on both sides of the point, e.g. `0.5` or `1.0`"
        default: return "remove it"
        }
    }

    private mutating func lexBadQuote(help: String) {
        let start = i
        // Skip to the matching close quote on this line, if any, to avoid a cascade.
        let open = bytes[i]
        i += open < 0x80 ? 1 : 3
        while i < bytes.count && bytes[i] != 0x0A && bytes[i] != 0x0D {
            if bytes[i] == open && open < 0x80 { i += 1; break }
            if bytes[i] == 0xE2 && peek(1) == 0x80 && (peek(2) == 0x9D || peek(2) == 0x9C) { i += 3; break }
            i += 1
        }
        report(.invalidCharacter, "unexpected quote `\(source.text(Span(start: start, end: min(start + (open < 0x80 ? 1 : 3), bytes.count))))`",
               Span(start: start, end: i), help: help)
        tokens.append(Token(.invalid, Span(start: start, end: i)))
    }

    /// name = letter { letter | digit | "_" } { "." letter { letter | digit | "_" } }
    private mutating func lexName() {
        let start = i
        scanWord()
        while i + 1 < bytes.count && bytes[i] == UInt8(ascii: ".") && isWordStart(at: i + 1) {
            i += 1
            scanWord()
        }
        tokens.append(Token(.name, Span(start: start, end: i)))
    }

    private mutating func scanWord() {
        while i < bytes.count {
            let c = bytes[i]
            if isASCIIWordByte(c) { i += 1; continue }
            if c >= 0x80 {
                let length = validScalarLength(at: i)
                if length > 0 {
                    let p = decode(at: i, length: length).properties
                    if p.isAlphabetic || p.numericType != nil { i += length; continue }
                }
            }
            break
        }
    }

    private func isASCIIWordByte(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_")
    }

    private func isWordStart(at j: Int) -> Bool {
        let c = bytes[j]
        if (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) || c == UInt8(ascii: "_") {
            return true
        }
        if c >= 0x80 {
            let length = validScalarLength(at: j)
            return length > 0 && decode(at: j, length: length).properties.isAlphabetic
        }
        return false
    }

    /// number    = digit { digit } [ "." digit { digit } ]
    /// timestamp = 4 digits "-" ... (shape only; the parser checks the value)
    /// clock     = 1-2 digits ":" 2 digits [ ":" 2 digits ]
    private mutating func lexNumberLike() {
        let start = i
        while i < bytes.count && isDigit(bytes[i]) { i += 1 }
        let digits = i - start
        if digits == 4 && peek(0) == UInt8(ascii: "-") && isDigit(peek(1)) {
            while i < bytes.count, isTimestampByte(bytes[i]) {
                // Separators belong to the timestamp only when a digit follows
                // (`2026-03-02T09:00:00Z:` ends before the rule's `:`).
                let c = bytes[i]
                if (c == UInt8(ascii: ":") || c == UInt8(ascii: ".") || c == UInt8(ascii: "+") || c == UInt8(ascii: "-"))
                    && !isDigit(peek(1)) { break }
                i += 1
            }
            tokens.append(Token(.timestamp, Span(start: start, end: i)))
            return
        }
        if digits <= 2 && peek(0) == UInt8(ascii: ":") && isDigit(peek(1)) {
            i += 1
            // A `:` belongs to the time only when a digit follows (`09:00:` ends before a rule's `:`).
            while i < bytes.count && (isDigit(bytes[i]) || (bytes[i] == UInt8(ascii: ":") && isDigit(peek(1)))) { i += 1 }
            skipMeridiem()
            tokens.append(Token(.clock, Span(start: start, end: i)))
            return
        }
        // `9am`, `5pm`: a time of day of another notation, left to the parser,
        // which knows where it stands (a calendar's hours) and says how to write it.
        if digits <= 2 && skipMeridiem() {
            tokens.append(Token(.clock, Span(start: start, end: i)))
            return
        }
        var bad = false
        if peek(0) == UInt8(ascii: ".") && isDigit(peek(1)) {
            i += 1
            while i < bytes.count && isDigit(bytes[i]) { i += 1 }
            if peek(0) == UInt8(ascii: ".") && isDigit(peek(1)) {
                while i < bytes.count && (isDigit(bytes[i]) || bytes[i] == UInt8(ascii: ".")) { i += 1 }
                bad = true
                let written = source.text(Span(start: start, end: i))
                let date = Parser.isoDate(written.split(separator: ".").map(String.init))
                report(.invalidNumber, "malformed number `\(Lexer.shown(written))`", Span(start: start, end: i),
                       help: date.map { "write dates year first: \($0)" } ?? "a number has at most one decimal point")
            }
        }
        if !bad && i < bytes.count && isWordStart(at: i) {
            let numberEnd = i
            scanWord()
            let word = Lexer.shown(source.text(Span(start: numberEnd, end: i)))
            let number = Lexer.shown(source.text(Span(start: start, end: numberEnd)))
            report(.invalidNumber, "a number runs into `\(word)`", Span(start: start, end: i),
                   help: "put a space between the number and the word: `\(number) \(word)`")
            bad = true
        }
        tokens.append(Token(bad ? .invalid : .number, Span(start: start, end: i)))
    }

    /// Skips `am` or `pm` (any case) written onto a time, when no letter follows.
    @discardableResult
    private mutating func skipMeridiem() -> Bool {
        guard let a = peek(0), let m = peek(1), a | 0x20 == UInt8(ascii: "a") || a | 0x20 == UInt8(ascii: "p"),
              m | 0x20 == UInt8(ascii: "m") else { return false }
        if i + 2 < bytes.count && isWordStart(at: i + 2) || isDigit(peek(2)) { return false }
        i += 2
        return true
    }

    private func isDigit(_ c: UInt8?) -> Bool {
        guard let c else { return false }
        return c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")
    }

    private func isTimestampByte(_ c: UInt8) -> Bool {
        isDigit(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: ":") || c == UInt8(ascii: "T")
            || c == UInt8(ascii: "Z") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".")
    }

    /// string = '"' { char | escape } '"' ; escapes: \" \\ \n \t \r \u{HEX}
    private mutating func lexString() {
        let start = i
        i += 1
        var ok = true
        // The string's value, decoded as it is checked (the parser reads it
        // from `strings`, and decodes nothing again).
        var value: [UInt8] = []
        while true {
            guard i < bytes.count, bytes[i] != 0x0A, bytes[i] != 0x0D else {
                report(.unterminatedString, "unterminated string", Span(start: start, end: i),
                       help: "close the string with `\"` before the end of the line")
                tokens.append(Token(.invalid, Span(start: start, end: i)))
                return
            }
            let c = bytes[i]
            if c == UInt8(ascii: "\"") { i += 1; break }
            if c == UInt8(ascii: "\\") {
                let escapeStart = i
                i += 1
                guard i < bytes.count else { continue }
                switch bytes[i] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "n"), UInt8(ascii: "t"), UInt8(ascii: "r"):
                    let e = bytes[i]
                    value.append(e == UInt8(ascii: "n") ? 0x0A : e == UInt8(ascii: "t") ? 0x09 : e == UInt8(ascii: "r") ? 0x0D : e)
                    i += 1
                case UInt8(ascii: "u"):
                    i += 1
                    if let scalar = lexUnicodeEscape() {
                        value.append(contentsOf: Array(String(Character(scalar)).utf8))
                    } else {
                        ok = false
                        report(.invalidEscape, "malformed unicode escape", Span(start: escapeStart, end: i),
                               help: "write a code point as `\\u{1F600}`")
                    }
                case 0x0A, 0x0D:
                    continue
                default:
                    ok = false
                    let length = max(1, validScalarLength(at: i))
                    i += length
                    report(.invalidEscape, "unknown escape `\(source.text(Span(start: escapeStart, end: i)))` in string",
                           Span(start: escapeStart, end: i),
                           help: "the escapes are \\\" \\\\ \\n \\t \\r and \\u{...}; write `\\\\` for a backslash")
                }
                continue
            }
            if c == 0 {
                ok = false
                report(.nulByte, "NUL byte in a string", Span(start: i, end: i + 1), help: "write `\\u{0}` if you mean it")
                i += 1
                continue
            }
            if c >= 0x80 {
                let length = validScalarLength(at: i)
                if length == 0 {
                    ok = false
                    reportInvalidUTF8(at: i)
                    i += 1
                } else {
                    value.append(contentsOf: bytes[i..<(i + length)])
                    i += length
                }
                continue
            }
            value.append(c)
            i += 1
        }
        if ok { strings[start] = String(decoding: value, as: UTF8.self) }
        tokens.append(Token(ok ? .string : .invalid, Span(start: start, end: i)))
    }

    /// After `\u`: `{` 1-6 hex digits `}` naming a Unicode scalar.
    private mutating func lexUnicodeEscape() -> Unicode.Scalar? {
        guard peek(0) == UInt8(ascii: "{") else { return nil }
        i += 1
        var value: UInt32 = 0
        var count = 0
        while let c = peek(0), let d = hexValue(c) {
            value = value &* 16 &+ d
            count += 1
            i += 1
            if count > 6 { break }
        }
        guard peek(0) == UInt8(ascii: "}") else { return nil }
        i += 1
        guard count >= 1 && count <= 6 else { return nil }
        return Unicode.Scalar(value)
    }

    private func hexValue(_ c: UInt8) -> UInt32? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(c - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(c - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    // MARK: - UTF-8

    /// The length of a valid UTF-8 sequence at `j`, or 0 if invalid.
    func validScalarLength(at j: Int) -> Int {
        let (scalar, length) = UTF8Scalar.decode(bytes, at: j, end: bytes.count)
        return scalar == nil ? 0 : length
    }

    func decode(at j: Int, length: Int) -> Unicode.Scalar {
        UTF8Scalar.decode(bytes, at: j, end: bytes.count).scalar ?? "\u{FFFD}"
    }

    private mutating func reportInvalidUTF8(at j: Int) {
        // One report per run of bad bytes.
        if let last = diagnostics.last, last.code == .invalidUTF8, last.span.end == j {
            diagnostics[diagnostics.count - 1].span.end = j + 1
            return
        }
        report(.invalidUTF8, "invalid UTF-8 byte 0x\(String(bytes[j], radix: 16, uppercase: true))", Span(start: j, end: j + 1),
               help: "save the file as UTF-8")
    }

    // MARK: - Helpers

    /// User text for a message, cut to 40 characters.
    static func shown(_ text: String) -> String {
        text.count > 40 ? String(text.prefix(40)) + "…" : text
    }

    private func peek(_ k: Int) -> UInt8? {
        i + k < bytes.count ? bytes[i + k] : nil
    }

    private func closing(_ kind: UInt8) -> Character {
        kind == UInt8(ascii: "(") ? ")" : kind == UInt8(ascii: "[") ? "]" : "}"
    }

    private func bracketName(_ kind: UInt8) -> String {
        kind == UInt8(ascii: "(") ? "group" : kind == UInt8(ascii: "[") ? "list" : "record"
    }

    private mutating func report(_ code: DiagnosticCode, _ message: String, _ span: Span, help: String? = nil,
                                 notes: [Diagnostic.Note] = []) {
        budget.add(Diagnostic(code, message, source: source, span: span, help: help, notes: notes), to: &diagnostics,
                   tooMany: "too many errors in the text of this file; the rest are not shown")
    }
}

/// A DiagnosticBudget is the one limit on a file's syntax diagnostics
/// (Grammar.md §12: 200, the lexer's and the parser's together), shared by
/// handing the lexer's on to the parser: past it, one `E030` says the rest
/// are not shown.
struct DiagnosticBudget: Sendable {
    static let limit = 200
    private(set) var used = 0
    private(set) var reportedTooMany = false

    /// Appends `diagnostic` to `list`, or, past the limit, the one `E030`
    /// (with `tooMany` as its message, at the diagnostic's place).
    mutating func add(_ diagnostic: Diagnostic, to list: inout [Diagnostic], tooMany: String) {
        guard used < Self.limit else {
            if !reportedTooMany {
                reportedTooMany = true
                list.append(Diagnostic(.tooManyErrors, tooMany, source: diagnostic.source, span: diagnostic.span))
            }
            return
        }
        used += 1
        list.append(diagnostic)
    }
}
