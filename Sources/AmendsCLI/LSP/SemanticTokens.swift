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

    func semanticTokens(_ params: JSONValue) throws(RPCError) -> JSONValue {
        let uri = try textDocument(params)
        guard let analysis = workspace.analysis(uri), let file = analysis.main else { return ["data": []] }
        let source = file.source
        let lexer = Lexer.tokenize(source)
        var spans: [(span: Span, type: Int, declaration: Bool)] = []
        let types = LSPServer.tokenTypes
        func type(_ name: String) -> Int { types.firstIndex(of: name) ?? 0 }
        for token in lexer.tokens {
            switch token.kind {
            case .name:
                if let o = analysis.index.occurrence(at: token.span.start, path: source.path), o.span.start == token.span.start {
                    let kind: String
                    switch o.symbol.kind {
                    case .field: kind = "property"
                    case .define: kind = "function"
                    case .level, .value: kind = "enumMember"
                    case .scale: kind = "type"
                    case .role, .remedy, .channel: kind = "variable"
                    case .rule, .example: kind = "string"
                    }
                    spans.append((token.span, type(kind), o.isDeclaration))
                } else if LSPServer.keywords.contains(source.text(token.span)) {
                    spans.append((token.span, type("keyword"), false))
                }
            case .string: spans.append((token.span, type("string"), false))
            case .number: spans.append((token.span, type("number"), false))
            case .timestamp, .clock: spans.append((token.span, type("event"), false))
            case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: spans.append((token.span, type("operator"), false))
            default: break
            }
        }
        for comment in lexer.comments { spans.append((comment.span, type("comment"), false)) }
        spans.sort { $0.span.start < $1.span.start }
        var data: [JSONValue] = []
        var lastLine = 0, lastChar = 0
        for (span, kind, declaration) in spans {
            let start = source.position(of: span.start)
            let end = source.position(of: span.end)
            // A token is on one line; a string across lines is left out.
            guard end.line == start.line, end.character > start.character else { continue }
            let deltaLine = start.line - lastLine
            let deltaChar = deltaLine == 0 ? start.character - lastChar : start.character
            data += [.int(deltaLine), .int(deltaChar), .int(end.character - start.character), .int(kind), .int(declaration ? 1 : 0)]
            lastLine = start.line
            lastChar = start.character
        }
        return ["data": .array(data)]
    }
}
