import Amends

/// Semantic tokens: the lexer's tokens, each name classified by the symbol
/// index (field, define, level, role …) or, where it names nothing, as a
/// keyword when it is one of the language's words.
extension LSPServer {
    /// The words the language gives a meaning to (Grammar.md, "Keywords").
    static let keywords: Set<String> = [
        "policy", "scale", "record", "deadlines", "from", "roles", "remedies", "channels", "define", "use", "calendar",
        "open", "closed", "time", "zone", "when", "rule", "otherwise", "example", "given", "expect", "now", "nothing",
        "at", "least", "and", "or", "not", "in", "is", "missing", "present", "contains", "starts", "ends", "with",
        "notify", "escalate", "to", "assign", "respond", "within", "by", "require", "apology", "offer", "follow", "up",
        "review", "cause", "task", "waive", "one", "of", "text", "number", "yes", "no", "duration", "list", "age",
        "minutes", "minute", "hours", "hour", "days", "day", "weeks", "week", "business", "column", "format", "default",
    ]

    /// The keywords by length, as bytes: a name token is looked up
    /// without making a String of it.
    static let keywordBytes: [[[UInt8]]] = {
        var byLength: [[[UInt8]]] = []
        for word in keywords {
            let bytes = Array(word.utf8)
            while byLength.count <= bytes.count { byLength.append([]) }
            byLength[bytes.count].append(bytes)
        }
        return byLength
    }()

    static func isKeyword(_ bytes: [UInt8], _ span: Span) -> Bool {
        let length = span.end - span.start
        guard length > 0, length < keywordBytes.count, span.start >= 0, span.end <= bytes.count else { return false }
        candidates: for word in keywordBytes[length] {
            for k in 0..<length where bytes[span.start + k] != word[k] { continue candidates }
            return true
        }
        return false
    }

    /// One pass over the tokens (lexed again: the compiled file keeps only
    /// its tree) and, beside them, the file's symbol occurrences in text
    /// order; positions are counted forward from the last (`ColumnCursor`),
    /// not from each line's start.
    func semanticTokens(_ params: JSONValue) throws(RPCError) -> JSONValue {
        let uri = try textDocument(params)
        guard let analysis = workspace.analysis(uri), let file = analysis.main else { return ["data": []] }
        let source = file.source
        let bytes = source.bytes
        let tokens = Lexer.tokenize(source).tokens
        let occurrences = analysis.index.occurrences(in: source.path)
        let types = LSPServer.tokenTypes
        func type(_ name: String) -> Int { types.firstIndex(of: name) ?? 0 }
        let keyword = type("keyword"), string = type("string"), number = type("number"), comment = type("comment")
        let operatorType = type("operator"), event = type("event")
        var symbolType: [SymbolIndex.Kind: Int] = [:]
        for (kind, name) in [(SymbolIndex.Kind.field, "property"), (.define, "function"), (.level, "enumMember"), (.value, "enumMember"),
                             (.scale, "type"), (.role, "variable"), (.remedy, "variable"), (.channel, "variable"),
                             (.rule, "string"), (.example, "string")] {
            symbolType[kind] = type(name)
        }
        var spans: [(span: Span, type: Int, declaration: Bool)] = []
        spans.reserveCapacity(tokens.count)
        var next = 0
        for token in tokens {
            switch token.kind {
            case .name:
                while next < occurrences.count && occurrences[next].span.start < token.span.start { next += 1 }
                if next < occurrences.count, occurrences[next].span.start == token.span.start {
                    let o = occurrences[next]
                    spans.append((token.span, symbolType[o.symbol.kind] ?? keyword, o.isDeclaration))
                } else if LSPServer.isKeyword(bytes, token.span) {
                    spans.append((token.span, keyword, false))
                }
            case .string: spans.append((token.span, string, false))
            case .number: spans.append((token.span, number, false))
            case .timestamp, .clock: spans.append((token.span, event, false))
            case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: spans.append((token.span, operatorType, false))
            default: break
            }
        }
        for c in file.comments { spans.append((c.span, comment, false)) }
        spans.sort { $0.span.start < $1.span.start }
        var data: [JSONValue] = []
        data.reserveCapacity(spans.count * 5)
        var cursor = ColumnCursor(source)
        var lastLine = 0, lastChar = 0
        for (span, kind, declaration) in spans {
            let start = cursor.position(of: span.start)
            let end = cursor.position(of: span.end)
            // A token is on one line; a string across lines is left out.
            guard end.line == start.line, end.character > start.character else { continue }
            let deltaLine = start.line - lastLine
            let deltaChar = deltaLine == 0 ? start.character - lastChar : start.character
            data.append(.int(deltaLine))
            data.append(.int(deltaChar))
            data.append(.int(end.character - start.character))
            data.append(.int(kind))
            data.append(.int(declaration ? 1 : 0))
            lastLine = start.line
            lastChar = start.character
        }
        return ["data": .array(data)]
    }
}

/// LSP positions of offsets taken in increasing order: each counted on from
/// the last (the same count as `SourceText.position(of:)`, which starts
/// again from the line's start each time).
struct ColumnCursor {
    let source: SourceText
    private var line = 0
    private var offset = 0
    private var units = 0

    init(_ source: SourceText) { self.source = source }

    mutating func position(of target: Int) -> LSPPosition {
        let bytes = source.bytes
        let target = min(max(0, target), bytes.count)
        guard target >= offset else { return source.position(of: target) }
        let starts = source.lineStarts
        if line + 1 < starts.count && starts[line + 1] <= target {
            line = source.lineIndex(of: target)
            // INVARIANT: lineIndex returns an index of lineStarts.
            offset = starts[line]
            units = 0
        }
        while offset < target {
            let b = bytes[offset]
            if b < 0x80 {
                units += 1
                offset += 1
            } else {
                let (scalar, length) = UTF8Scalar.decode(bytes, at: offset, end: target)
                units += (scalar?.value ?? 0) > 0xFFFF ? 2 : 1
                offset += max(1, length)
            }
        }
        return LSPPosition(line: line, character: units)
    }
}
