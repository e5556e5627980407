import Amends

/// Hover, completion, formatting and code actions.
extension LSPServer {
    // MARK: - Hover

    func hover(_ params: JSONValue) throws(RPCError) -> JSONValue {
        let (uri, position) = try textPosition(params)
        guard let document = workspace.document(uri), let analysis = workspace.analysis(uri) else { return .null }
        let source = document.source
        let offset = source.offset(of: position)
        var parts: [String] = []
        var range: Span?
        let model = analysis.compiled.model
        if let o = analysis.index.occurrence(at: offset, path: document.path) {
            parts.append(describe(o.symbol, analysis))
            range = o.span
        } else if let rule = model.rules.first(where: { $0.headerRef.file == document.path && $0.headerRef.span.start <= offset && offset <= $0.headerRef.span.end }) {
            parts.append(requires(rule))
            range = rule.headerRef.span
        }
        var codes: [DiagnosticCode] = []
        if let code = DiagnosticCode(rawValue: word(at: offset, in: source)) { codes.append(code) }
        for d in workspace.currentFindings(uri) where d.source.path == document.path && d.span.start <= offset && offset <= d.span.end {
            if !codes.contains(d.code) { codes.append(d.code) }
        }
        for code in codes {
            let info = code.info
            parts.append("**\(code.rawValue)** `\(info.name)` (\(info.level.rawValue)): \(info.summary)\n\nBad:\n```amends\n\(info.bad)\n```\nGood:\n```amends\n\(info.good)\n```")
        }
        guard !parts.isEmpty else { return .null }
        var members: [(key: String, value: JSONValue)] = [("contents", ["kind": "markdown", "value": .string(parts.joined(separator: "\n\n---\n\n"))])]
        if let range { members.append(("range", source.range(range))) }
        return .object(members)
    }

    /// What a hover says about a symbol: its type or members, and where it is declared.
    func describe(_ symbol: SymbolIndex.Symbol, _ analysis: Workspace.Analysis) -> String {
        let model = analysis.compiled.model
        var text: String
        switch symbol.kind {
        case .field:
            guard let f = model.fieldIndex(symbol.name) else { return "field `\(symbol.name)`" }
            let field = model.fields[f]
            text = "field `\(field.name)`: \(model.describe(field.type))"
            if field.optional { text += ", may be missing" }
            if let value = field.defaultValue { text += ", default `\(model.describe(value))`" }
            if model.clockField == f { text += "; deadlines count from it" }
        case .define:
            text = "define `\(symbol.name)`"
            if let d = model.defines.first(where: { $0.name == symbol.name }) {
                text += ": `\(d.condition.ref.source.text(d.condition.ref.span))`"
            }
        case .level:
            text = "level `\(symbol.name)` of scale `\(symbol.owner)`"
            if let scale = model.scales.first(where: { $0.name == symbol.owner }) { text += ": " + scale.levels.joined(separator: " < ") }
        case .value:
            text = "value `\(symbol.name)` of `\(symbol.owner)`"
            if let e = model.enumerations.first(where: { $0.owner == symbol.owner }) { text += ": one of " + e.values.joined(separator: ", ") }
        case .scale:
            text = "scale `\(symbol.name)`"
            if let scale = model.scales.first(where: { $0.name == symbol.name }) { text += ": " + scale.levels.joined(separator: " < ") }
        case .role, .remedy, .channel:
            text = "\(symbol.kind.rawValue) `\(symbol.name == "in_person" ? "in person" : symbol.name)`"
            if symbol.kind == .channel && !analysis.index.occurrences(of: symbol).contains(where: \.isDeclaration) {
                text += " (a channel every policy has)"
            }
        case .rule:
            text = model.rules.first { $0.name == symbol.name }.map(requires) ?? "rule \(SExpr.quote(symbol.name))"
        case .example:
            text = "example \(SExpr.quote(symbol.name))"
        }
        if let declaration = analysis.index.occurrences(of: symbol).first(where: \.isDeclaration),
           let source = analysis.file(declaration.path)?.source {
            let line = source.lineIndex(of: declaration.span.start) + 1
            text += "\n\ndeclared at `\(source.path):\(line)`:\n```amends\n\(source.lineText(line))\n```"
        }
        return text
    }

    /// A rule's header and the actions it requires.
    func requires(_ rule: RuleModel) -> String {
        let header = rule.headerRef.source.text(rule.headerRef.span)
        let actions = rule.actionRefs.map { "- `\($0.source.text($0.span))`" }.joined(separator: "\n")
        return "`\(header)` requires:\n\n\(actions)"
    }

    /// The word (letters, digits, `_`, `.`) around `offset`.
    func word(at offset: Int, in source: SourceText) -> String {
        let bytes = source.bytes
        func isWord(_ b: UInt8) -> Bool { b >= 0x80 || b == 0x5F || b == 0x2E || (b >= 0x30 && b <= 0x39) || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A) }
        var s = min(max(0, offset), bytes.count), e = s
        while s > 0 && isWord(bytes[s - 1]) { s -= 1 }
        while e < bytes.count && isWord(bytes[e]) { e += 1 }
        return source.text(Span(start: s, end: e))
    }

    // MARK: - Completion

    /// The REPL's completer on the statement before the cursor (from the
    /// last line that starts at the left margin).
    func completion(_ params: JSONValue) throws(RPCError) -> JSONValue {
        let (uri, position) = try textPosition(params)
        guard let document = workspace.document(uri), let analysis = workspace.analysis(uri) else { return .array([]) }
        let source = document.source
        let offset = source.offset(of: position)
        var line = source.lineIndex(of: offset)
        while line > 0 {
            let range = source.lineRange(index: line)
            let first = range.isEmpty ? nil : source.bytes[range.lowerBound]
            let blank = source.text(Span(start: range.lowerBound, end: range.upperBound)).trimmingWhitespace.isEmpty
            guard first == 0x20 || first == 0x09 || (blank && line != source.lineIndex(of: offset)) else { break }
            line -= 1
        }
        let before = source.text(Span(start: source.lineStarts[line], end: offset))
        let model = analysis.compiled.model
        let completer = Completer(model: model, directory: FileSystem.directory(of: document.path))
        let result = completer.complete(before)
        let word = String(Array(before).dropFirst(result.start))
        let start = LSPPosition(line: position.line, character: max(0, position.character - word.utf16.count))
        let range: JSONValue = ["start": start.json, "end": position.json]
        let replWords: Set<String> = ["exit ", "quit ", "help "]
        let items: [JSONValue] = result.candidates.filter { !replWords.contains($0) }.map { candidate in
            let label = String(candidate.trimmingWhitespace)
            return ["label": .string(label), "kind": .int(kind(of: label, model)),
                    "textEdit": ["range": range, "newText": .string(candidate)]]
        }
        return ["isIncomplete": false, "items": .array(items)]
    }

    private func kind(of label: String, _ model: PolicyModel) -> Int {
        let name = label.hasSuffix(":") ? String(label.dropLast()) : label
        if model.fieldIndex(name) != nil { return 5 }
        if model.defines.contains(where: { $0.name == name }) { return 6 }
        if model.roles.contains(name) || model.remedies.contains(name) || model.channels.contains(name) { return 12 }
        if model.scales.contains(where: { $0.levels.contains(name) }) || model.enumerations.contains(where: { $0.values.contains(name) }) { return 20 }
        return 14
    }

    // MARK: - Formatting and code actions

    /// The `amends fmt` layout as one edit; nothing for a file with syntax errors.
    func formatting(_ params: JSONValue) throws(RPCError) -> JSONValue {
        let uri = try textDocument(params)
        guard let file = workspace.parsed(uri) else { return .null }
        guard let formatted = Formatter.format(file) else { return .null }
        let source = file.source
        if Array(formatted.utf8) == source.bytes { return .array([]) }
        return [["range": source.range(Span(start: 0, end: source.bytes.count)), "newText": .string(formatted)]]
    }

    func codeActions(_ params: JSONValue) throws(RPCError) -> JSONValue {
        let uri = try textDocument(params)
        guard let range = params["range"], let document = workspace.document(uri), let analysis = workspace.analysis(uri) else {
            throw RPCError.invalidParams("a code action request needs a `textDocument` and a `range`")
        }
        let start = document.source.offset(of: try LSPPosition(range["start"]))
        let end = document.source.offset(of: try LSPPosition(range["end"]))
        let diagnostics = workspace.currentFindings(uri)
        return .array(LSPDiagnostics.codeActions(uri: uri, source: document.source, range: Span(start: start, end: max(start, end)),
                                                 diagnostics: diagnostics, analysis: analysis, workspace: workspace))
    }
}
