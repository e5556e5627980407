/// The Parser turns tokens into a `PolicyFile`, by recursive descent.
///
/// It never stops at the first error. A statement with a mistake is reported
/// once and skipped to its line end (panic mode, as in jlox); a rule whose
/// header is wrong still has its body parsed, so every line's mistake is
/// found in one run. Every loop checks that it consumed a token.
///
/// Each parse function has the production it implements above it; Grammar.md
/// holds the same grammar.
package struct Parser {
    /// Deepest nesting of brackets and `not` in one expression.
    package static let maxDepth = 64

    let source: SourceText
    let tokens: [Token]
    var p = 0
    var depth = 0
    var diagnostics: [Diagnostic] = []
    /// How many more diagnostics this file may get (the lexer's count too).
    var budget = DiagnosticBudget()
    /// Lines the lexer already reported: one error per line is enough.
    var reportedLines: Set<Int> = []
    /// What the declarations that could not be read would have declared.
    var unreadable = Unreadable()
    /// A whole `open` line as it should be written, while one is parsed
    /// (`open mon-fri 09:00-17:00` for `open weekdays 9am-5pm`): the help of
    /// its first mistake.
    var openLineHelp: String?

    /// Thrown after a diagnostic has been reported; caught where the parser
    /// resynchronises (a statement or a block line).
    struct Failure: Error {}

    /// The value of each string token, by its start (`Lexer.strings`).
    let strings: [Int: String]

    init(source: SourceText, tokens: [Token], strings: [Int: String]) {
        self.source = source
        self.tokens = tokens
        self.strings = strings
    }

    /// Lexes and parses one source text.
    package static func parse(_ source: SourceText) -> PolicyFile {
        let lexer = Lexer.tokenize(source)
        var parser = Parser(source: source, tokens: lexer.tokens, strings: lexer.strings)
        parser.reportedLines = Set(lexer.diagnostics.map { source.lineIndex(of: $0.span.start) })
        parser.budget = lexer.budget
        let items = parser.parseFile()
        var diagnostics = lexer.diagnostics + parser.diagnostics
        diagnostics.sort { $0.span.start < $1.span.start }
        var file = PolicyFile(source: source, items: items, comments: lexer.comments, diagnostics: diagnostics)
        file.unreadable = parser.unreadable
        return file
    }

    package static func parse(path: String, text: String) -> PolicyFile {
        parse(SourceText(path: path, text: text))
    }

    // MARK: - Statements

    // file = { item } EOF
    mutating func parseFile() -> [Item] {
        var items: [Item] = []
        while !at(.eof) {
            let before = p
            switch peek.kind {
            case .newline, .dedent:
                advance()
            case .indent:
                error(.unexpectedIndent, "unexpected indentation", at: peek.span,
                      help: "only the lines of a block (after a line ending in `:`) are indented")
                skipBlock()
            default:
                do {
                    if let item = try parseItem() { items.append(item) }
                } catch {
                    synchronize()
                }
            }
            if p == before { advance() } // progress check
        }
        return items
    }

    // item = policy | scale | record | deadlines | names | define | mark
    //      | use | calendar | done | rule | example
    mutating func parseItem() throws -> Item? {
        depth = 0
        let start = peek.span
        guard peek.kind == .name else {
            if peek.kind == .invalid { throw Failure() }
            throw fail(.unknownStatement, "expected a declaration, rule or example, found \(describe(peek))", at: peek.span,
                       help: "a line starts with `when`, `rule`, `otherwise`, `scale`, `record`, `define` or another statement keyword")
        }
        let word = text(peek)
        let declared = peekAhead(1).kind == .name ? text(peekAhead(1)) : nil
        do {
            return try parseItem(word, start: start)
        } catch {
            // The uses of what the statement declares are not reported again.
            switch word {
            case "scale":
                if let declared { unreadable.scales.insert(declared) }
            case "define": if let declared { unreadable.names.insert(declared) }
            case "calendar": unreadable.calendar = true
            default: if let list = NameListKind(rawValue: word) { unreadable.lists.insert(list) }
            }
            throw error
        }
    }

    mutating func parseItem(_ word: String, start: Span) throws -> Item? {
        let kind: ItemKind
        switch word {
        case "policy":
            advance()
            let name = try expectString("the policy's name after `policy`")
            try endOfStatement()
            kind = .policyName(name)
        case "scale": kind = .scale(try parseScale())
        case "record": kind = .record(try parseRecord())
        case "deadlines":
            advance()
            try expectWord("from", "after `deadlines`", help: "write `deadlines from FIELD`, naming the record's time field")
            let field = try expectName("the time field after `deadlines from`")
            try endOfStatement()
            kind = .deadlinesFrom(field)
        case "roles", "remedies", "channels": kind = .names(try parseNameList())
        case "define": kind = .define(try parseDefine())
        case "serious", "our", "client": kind = .mark(try parseMark(word))
        case "use":
            advance()
            let path = try expectString("the file to use, in quotes, e.g. `use \"common.policy\"`")
            try endOfStatement()
            kind = .use(path)
        case "calendar": kind = .calendar(try parseCalendar())
        case "history":
            advance()
            try expectWord("by", "after `history`", help: "write `history by FIELD`, naming the field that identifies the client")
            let field = try expectName("the field after `history by`")
            try endOfStatement()
            kind = .historyKey(field)
        case "using":
            advance()
            try expectWord("calendar", "after `using`", help: "write `using calendar NAME`: this file's rules count in that calendar")
            let name = try expectName("the calendar's name after `using calendar`")
            try endOfStatement()
            kind = .usingCalendar(name)
        case "done": kind = .done(try parseDone())
        case "when", "rule", "otherwise": kind = .rule(try parseRule())
        case "example": kind = .example(try parseExample())
        default:
            throw unknownStatement(Lexer.shown(word))
        }
        return Item(kind, start.to(previous.span))
    }

    /// Words of other languages that start a statement, and what to write.
    static let statementAliases: [String: String] = [
        "if": "rules start with `when`",
        "else": "write `otherwise:` for the rule that fires when no `when` rule does",
        "default": "write `otherwise:` for the rule that fires when no `when` rule does",
        "elif": "write another `when` rule: every `when` rule whose condition holds fires",
        "elsif": "write another `when` rule: every `when` rule whose condition holds fires",
        "elseif": "write another `when` rule: every `when` rule whose condition holds fires",
        "unless": "write `when not (CONDITION):`",
        "let": "name a condition with `define NAME: CONDITION`",
        "enum": "write `scale NAME: low < medium < high`, or a field `NAME: one of a, b, c`",
        "import": "write `use \"file.policy\"`", "include": "write `use \"file.policy\"`",
        "role": "write `roles: NAME, NAME`", "remedy": "write `remedies: NAME, NAME`",
        "channel": "write `channels: NAME, NAME`", "holidays": "closed days go in the calendar: `closed 2026-12-25`",
        "our_fault": "mark the incidents we caused with `our fault: CONDITION` (two words), or name a condition with `define our_fault: CONDITION`",
        "client_fault": "mark the incidents the client caused with `client fault: CONDITION` (two words)",
        "customer_fault": "mark the incidents the client caused with `client fault: CONDITION` (two words)",
    ]

    static let statementKeywords = ["policy", "scale", "record", "deadlines", "roles", "remedies", "channels",
                                    "define", "serious", "use", "calendar", "using", "history", "done", "when", "rule", "otherwise", "example"]

    mutating func unknownStatement(_ word: String) -> Failure {
        let span = peek.span
        var help: String
        if let alias = Parser.statementAliases[word.lowercased()] {
            help = alias
        } else if ["customer", "customers", "their", "clients"].contains(word.lowercased()) && isWord(peekAhead(1), "fault") {
            help = "mark the incidents the client caused with `client fault: CONDITION`"
        } else if ["we", "us", "my"].contains(word.lowercased()) && isWord(peekAhead(1), "fault") {
            help = "mark the incidents we caused with `our fault: CONDITION`"
        } else if Parser.actionWords.contains(word.lowercased()) {
            help = "actions belong in a rule: `when CONDITION: \(word.lowercased()) ...`"
        } else if let suggestion = Suggest.closest(to: word, in: Parser.statementKeywords) {
            help = "did you mean `\(suggestion)`?"
        } else if peekAhead(1).kind == .colon {
            help = "fields are declared in the indented block under `record NAME:`"
        } else {
            help = "a line starts with `when`, `rule`, `otherwise`, `scale`, `record`, `define` or another statement keyword"
        }
        return fail(.unknownStatement, "unknown statement `\(word)`", at: span, help: help)
    }

    /// The end of a one-line statement: a line end (or the end of the file).
    mutating func endOfStatement() throws {
        if at(.newline) { advance(); return }
        if at(.eof) || at(.dedent) { return }
        if at(.invalid) { throw Failure() }
        throw fail(.unexpectedToken, "unexpected \(describe(peek)) at the end of the statement", at: peek.span,
                   help: "each statement is on its own line")
    }

    /// Skips the rest of the current line and, if an indented block follows
    /// that belongs to the broken statement, that block too.
    mutating func synchronize() {
        while !at(.newline) && !at(.eof) {
            if at(.indent) { skipBlock(); continue }
            if at(.dedent) { return }
            advance()
        }
        if at(.newline) { advance() }
        if at(.indent) { skipBlock() }
    }

    /// Skips a balanced indent ... dedent run.
    mutating func skipBlock() {
        guard at(.indent) else { return }
        var level = 0
        repeat {
            if at(.indent) { level += 1 }
            if at(.dedent) { level -= 1 }
            advance()
        } while level > 0 && !at(.eof)
    }

    /// Skips to the end of the current line (inside a block).
    mutating func skipLine() {
        while !at(.newline) && !at(.eof) && !at(.dedent) {
            if at(.indent) { skipBlock(); continue }
            advance()
        }
        if at(.newline) { advance() }
    }

    // MARK: - Blocks

    /// Parses the indented lines of a block, one `line` call per line, with
    /// per-line recovery; `onError` is told of a line that failed (and its
    /// first token). Expects to stand on the `indent` token.
    mutating func parseBlockLines(onError: ((inout Parser, Token) -> Void)? = nil, _ line: (inout Parser) throws -> Void) {
        guard at(.indent) else { return }
        advance()
        while !at(.dedent) && !at(.eof) {
            let before = p
            if at(.newline) { advance(); continue }
            if at(.indent) {
                error(.unexpectedIndent, "unexpected indentation", at: peek.span,
                      help: "the lines of a block all start at the same column")
                skipBlock()
                continue
            }
            let first = peek
            do {
                try line(&self)
            } catch {
                onError?(&self, first)
                skipLine()
            }
            if p == before { advance() }
        }
        if at(.dedent) { advance() }
    }

    /// After a header's `:`: a line end and an indented block, or an error.
    mutating func expectBlockStart(_ what: String, example: String) throws {
        if at(.newline) && peekAhead(1).kind == .indent { advance() } else if !at(.indent) && !at(.newline) && !at(.eof) {
            if at(.invalid) { throw Failure() }
            throw fail(.unexpectedToken, "unexpected \(describe(peek)) after `:`", at: peek.span,
                       help: "\(what) goes on the indented lines below, e.g.\n    \(example)")
        }
        guard at(.indent) else {
            // The line end stays, so recovery does not skip the next statement.
            throw fail(.emptyBlock, "\(what) is empty", at: Span.at(previous.span.end),
                       help: "indent its lines below the header, e.g.\n    \(example)")
        }
    }

    // MARK: - Tokens

    var peek: Token { tokens[min(p, tokens.count - 1)] }
    var previous: Token { tokens[max(0, min(p - 1, tokens.count - 1))] }

    func peekAhead(_ k: Int) -> Token { tokens[min(p + k, tokens.count - 1)] }

    func at(_ kind: TokenKind) -> Bool { peek.kind == kind }

    func atWord(_ word: String) -> Bool { isWord(peek, word) }

    func isWord(_ token: Token, _ word: String) -> Bool {
        guard token.kind == .name, token.span.length == word.utf8.count else { return false }
        var k = token.span.start
        for c in word.utf8 {
            if source.bytes[k] != c { return false }
            k += 1
        }
        return true
    }

    func text(_ token: Token) -> String { source.text(token.span) }

    @discardableResult
    mutating func advance() -> Token {
        let t = peek
        if p < tokens.count - 1 { p += 1 }
        return t
    }

    /// How a token reads in "found …": its text for words and literals.
    func describe(_ token: Token) -> String {
        switch token.kind {
        case .name, .number, .string, .timestamp, .clock:
            let t = text(token)
            return "`" + (t.count > 40 ? String(t.prefix(40)) + "…" : t) + "`"
        default: return token.kind.display
        }
    }

    mutating func expect(_ kind: TokenKind, _ context: String, help: String? = nil) throws -> Token {
        if at(kind) { return advance() }
        if at(.invalid) { throw Failure() }
        let span = kind == .colon || kind == .rparen || kind == .rbracket || kind == .rbrace
            ? Span.at(previous.span.end) : peek.span
        throw fail(.expectedToken, "expected \(kind.display) \(context), found \(describe(peek))", at: span, help: help)
    }

    mutating func expectWord(_ word: String, _ context: String, help: String? = nil) throws {
        if atWord(word) { advance(); return }
        if at(.invalid) { throw Failure() }
        throw fail(.expectedToken, "expected `\(word)` \(context), found \(describe(peek))", at: peek.span, help: help)
    }

    /// The `:` that ends a block's header (`record incident:`). When it is
    /// missing and the block follows, the mistake is reported and the block
    /// read as if it were there, so its lines are still checked.
    mutating func expectHeaderColon(_ context: String, help: String) throws {
        if at(.colon) { advance(); return }
        if at(.newline) && peekAhead(1).kind == .indent {
            error(.expectedToken, "expected `:` \(context), found \(describe(peek))", at: Span.at(previous.span.end), help: help)
            return
        }
        _ = try expect(.colon, context, help: help)
    }

    mutating func expectName(_ what: String, help: String? = nil) throws -> Identifier {
        if at(.name) {
            return hyphenatedName() ?? Identifier(text(advance()), previous.span)
        }
        if at(.invalid) { throw Failure() }
        throw fail(.expectedToken, "expected \(what), found \(describe(peek))", at: peek.span, help: help)
    }

    /// A string; when the text is written without quotes, the help quotes
    /// all of it up to the line's end, a `:` or `;`, or one of `until`
    /// (`task call the client back within 2 days` quotes `call the client back`).
    mutating func expectString(_ what: String, until: Set<String> = []) throws -> StringLiteral {
        if at(.string) {
            let t = advance()
            return StringLiteral(decodeString(t.span), t.span)
        }
        if at(.invalid) { throw Failure() }
        var help: String?
        if at(.name) || at(.number) {
            var end = peek.span.end
            var k = p
            while k < tokens.count {
                let t = tokens[k]
                if t.kind == .newline || t.kind == .eof || t.kind == .indent || t.kind == .dedent || t.kind == .colon
                    || t.kind == .semicolon || t.kind == .invalid || t.kind == .string { break }
                if k > p && t.kind == .name && until.contains(text(t)) { break }
                end = t.span.end
                k += 1
            }
            help = "put it in double quotes: \"\(Lexer.shown(source.text(Span(start: peek.span.start, end: end))))\""
        }
        throw fail(.expectedToken, "expected \(what), found \(describe(peek))", at: peek.span, help: help)
    }

    /// A name written with `-` between its words (`client-manager`), at a
    /// name: reported with the spelling to use, and read as that spelling
    /// (`client_manager`), so its uses are not reported again. Nil, without
    /// moving, when the name is not followed by `-` and a word, written
    /// together.
    mutating func hyphenatedName() -> Identifier? {
        guard at(.name) else { return nil }
        var k = p
        var end = tokens[k].span.end
        // INVARIANT: the last token is the end of the file, so a name or a `-` has a token after it.
        while tokens[k + 1].kind == .minus && tokens[k + 1].span.start == end
                && tokens[k + 2].kind == .name && tokens[k + 2].span.start == tokens[k + 1].span.end {
            k += 2
            end = tokens[k].span.end
        }
        guard k > p else { return nil }
        let span = Span(start: peek.span.start, end: end)
        let written = source.text(span)
        let name = String(written.map { $0 == "-" ? "_" : $0 })
        error(.expectedToken, "`\(Lexer.shown(written))` is not a name: names have no `-`", at: span,
              help: "join the words with `_`: `\(Lexer.shown(name))`")
        p = k + 1
        return Identifier(name, span)
    }

    /// The value of a string token, as the lexer decoded it.
    func decodeString(_ span: Span) -> String {
        strings[span.start] ?? ""
    }

    // MARK: - Diagnostics

    mutating func error(_ code: DiagnosticCode, _ message: String, at span: Span, help: String? = nil,
                        notes: [Diagnostic.Note] = []) {
        let line = source.lineIndex(of: span.start)
        if reportedLines.contains(line) { return }
        reportedLines.insert(line)
        budget.add(Diagnostic(code, message, source: source, span: span, help: help, notes: notes), to: &diagnostics,
                   tooMany: "too many errors in this file; the rest are not shown")
    }

    /// Reports and returns the failure to throw.
    mutating func fail(_ code: DiagnosticCode, _ message: String, at span: Span, help: String? = nil) -> Failure {
        error(code, message, at: span, help: help)
        return Failure()
    }
}
