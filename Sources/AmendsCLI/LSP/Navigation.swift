import Amends

/// Definition, references, rename, document symbols and folding: all read
/// the symbol index of every open policy that includes the file asked about,
/// so a `define` in a used file is found from the policy that uses it and
/// the other way round.
extension LSPServer {
    /// The symbol at a position, with the analyses that cover the file.
    func symbol(_ params: JSONValue) throws(RPCError) -> (SymbolIndex.Symbol, [Workspace.Analysis])? {
        let (uri, position) = try textPosition(params)
        let analyses = workspace.analyses(covering: uri)
        guard let first = analyses.first, let document = workspace.document(uri) else { return nil }
        let offset = document.source.offset(of: position)
        guard let found = first.index.occurrence(at: offset, path: document.path) else { return nil }
        return (found.symbol, analyses)
    }

    /// Every occurrence of `symbol` in `analyses`, each place once.
    func occurrences(_ symbol: SymbolIndex.Symbol, in analyses: [Workspace.Analysis]) -> [(Workspace.Analysis, SymbolIndex.Occurrence)] {
        var seen = Set<String>()
        var canonical: [String: String] = [:]
        var out: [(Workspace.Analysis, SymbolIndex.Occurrence)] = []
        for a in analyses {
            for o in a.index.occurrences(of: symbol) {
                let path = canonical[o.path] ?? FileSystem.canonical(o.path)
                canonical[o.path] = path
                guard seen.insert("\(path):\(o.span.start)").inserted else { continue }
                out.append((a, o))
            }
        }
        return out
    }

    func location(_ o: SymbolIndex.Occurrence, _ a: Workspace.Analysis) -> JSONValue? {
        guard let source = a.file(o.path)?.source else { return nil }
        return ["uri": .string(workspace.uri(o.path)), "range": source.range(o.span)]
    }

    func definition(_ params: JSONValue) throws(RPCError) -> JSONValue {
        guard let (symbol, analyses) = try symbol(params) else { return .null }
        return .array(occurrences(symbol, in: analyses).filter { $0.1.isDeclaration }.compactMap { location($0.1, $0.0) })
    }

    func references(_ params: JSONValue) throws(RPCError) -> JSONValue {
        guard let (symbol, analyses) = try symbol(params) else { return .null }
        let withDeclaration = params["context"]?["includeDeclaration"]?.bool ?? true
        return .array(occurrences(symbol, in: analyses).filter { withDeclaration || !$0.1.isDeclaration }
            .compactMap { location($0.1, $0.0) })
    }

    func rename(_ params: JSONValue) throws(RPCError) -> JSONValue {
        guard let newName = params["newName"]?.string else { throw RPCError.invalidParams("`newName` is missing") }
        guard let (symbol, analyses) = try symbol(params) else {
            throw RPCError(code: RPCError.requestFailed, message: "there is no name here to rename")
        }
        let text: String
        switch symbol.kind {
        case .rule, .example:
            text = SExpr.quote(newName)
        default:
            let valid = newName.first.map { $0.isLetter || $0 == "_" } == true
                && newName.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || ($0 == "." && symbol.kind == .field) }
            guard valid else {
                throw RPCError(code: RPCError.requestFailed, message: "`\(newName)` is not a name: use letters, digits and `_`")
            }
            text = newName
        }
        var changes: [String: [JSONValue]] = [:]
        for (a, o) in occurrences(symbol, in: analyses) {
            guard let source = a.file(o.path)?.source else { continue }
            changes[workspace.uri(o.path), default: []].append(["range": source.range(o.span), "newText": .string(text)])
        }
        return ["changes": JSONValue(changes.mapValues { JSONValue.array($0) })]
    }

    func prepareRename(_ params: JSONValue) throws(RPCError) -> JSONValue {
        let (uri, position) = try textPosition(params)
        guard let analysis = workspace.analysis(uri), let document = workspace.document(uri),
              let o = analysis.index.occurrence(at: document.source.offset(of: position), path: document.path) else { return .null }
        return document.source.range(o.span)
    }

    // MARK: - Outline

    func documentSymbols(_ params: JSONValue) throws(RPCError) -> JSONValue {
        let uri = try textDocument(params)
        guard let file = workspace.parsed(uri) else { return .array([]) }
        let source = file.source
        var symbols: [JSONValue] = []
        func add(_ name: String, _ kind: Int, _ span: Span, _ selection: Span, detail: String? = nil) {
            var members: [(key: String, value: JSONValue)] = [
                ("name", .string(name.isEmpty ? "?" : name)), ("kind", .int(kind)),
                ("range", source.range(span)), ("selectionRange", source.range(selection)),
            ]
            if let detail { members.append(("detail", .string(detail))) }
            symbols.append(.object(members))
        }
        for item in file.items {
            switch item.kind {
            case .rule(let rule):
                let header = source.text(rule.headerSpan).trimmingWhitespace
                add(rule.name?.value ?? String(header.hasSuffix(":") ? header.dropLast() : header), 12, item.span,
                    rule.name?.span ?? rule.headerSpan, detail: rule.name == nil ? nil : String(header))
            case .define(let d): add(d.name.name, 14, item.span, d.name.span, detail: source.text(d.condition.span))
            case .example(let e): add(e.name.value, 24, item.span, e.name.span, detail: "example")
            case .scale(let s): add(s.name.name, 10, item.span, s.name.span, detail: s.levels.map(\.name.name).joined(separator: " < "))
            case .record(let r): add(r.name.name, 23, item.span, r.name.span, detail: "record")
            default: break
            }
        }
        return .array(symbols)
    }

    /// A range per statement that spans lines (a block), and per run of
    /// comment lines.
    func foldingRanges(_ params: JSONValue) throws(RPCError) -> JSONValue {
        let uri = try textDocument(params)
        guard let file = workspace.parsed(uri) else { return .array([]) }
        let source = file.source
        var ranges: [JSONValue] = []
        for item in file.items {
            let first = source.lineIndex(of: item.span.start)
            let last = source.lineIndex(of: max(item.span.start, item.span.end - 1))
            if last > first { ranges.append(["startLine": .int(first), "endLine": .int(last)]) }
        }
        var run: (first: Int, last: Int)?
        for comment in file.comments where comment.ownLine {
            let line = source.lineIndex(of: comment.span.start)
            if let r = run, r.last + 1 == line { run = (r.first, line); continue }
            if let r = run, r.last > r.first { ranges.append(["startLine": .int(r.first), "endLine": .int(r.last), "kind": "comment"]) }
            run = (line, line)
        }
        if let r = run, r.last > r.first { ranges.append(["startLine": .int(r.first), "endLine": .int(r.last), "kind": "comment"]) }
        return .array(ranges)
    }
}
