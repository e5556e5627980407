import Amends

/// LSPDiagnostics turns Amends' diagnostics into LSP's: the code, the
/// range, the message with its `help:` line, the notes as related
/// information; and finds the fixes a diagnostic's help names.
enum LSPDiagnostics {
    static func json(_ d: Diagnostic, workspace: Workspace) -> JSONValue {
        var message = d.message
        if let help = d.help { message += "\nhelp: \(help)" }
        var related: [JSONValue] = []
        for note in d.notes {
            if let source = note.source, let span = note.span {
                related.append(["location": ["uri": .string(workspace.uri(source.path)), "range": source.range(span)],
                                "message": .string(note.message)])
            } else {
                message += "\nnote: \(note.message)"
            }
        }
        let severity: Int
        switch d.level {
        case .error: severity = 1
        case .warning: severity = 2
        case .note: severity = 3
        }
        var members: [(key: String, value: JSONValue)] = [
            ("range", d.source.range(d.span)), ("severity", .int(severity)), ("code", .string(d.code.rawValue)),
            ("source", "amends"), ("message", .string(message)),
        ]
        if !related.isEmpty { members.append(("relatedInformation", .array(related))) }
        return .object(members)
    }

    // MARK: - Fixes

    /// A Fix is one code action: a title and the text edits that make it.
    struct Fix {
        var title: String
        var edits: [(source: SourceText, span: Span, text: String)]
        var preferred: Bool
    }

    /// The fixes the diagnostic's help names, as edits: a did-you-mean
    /// replacement, a role or remedy declared, an apology's components
    /// completed or trimmed, a condition narrowed, a follow-up rule added.
    static func fixes(_ d: Diagnostic, in analysis: Workspace.Analysis) -> [Fix] {
        var fixes: [Fix] = []
        let quoted = backticked(d.help ?? "")
        let spanText = d.source.text(d.span)
        if let help = d.help, help.hasPrefix("did you mean `"), let suggestion = quoted.first,
           isWordy(spanText), isWordy(suggestion) {
            fixes.append(Fix(title: "replace `\(spanText)` with `\(suggestion)`", edits: [(d.source, d.span, suggestion)],
                             preferred: true))
        }
        switch d.code {
        case .unknownRole, .unknownRemedy:
            if isWordy(spanText), let fix = declare(spanText, kind: d.code == .unknownRole ? .roles : .remedies, in: analysis) {
                fixes.append(fix)
            }
        case .apologyWithoutResponsibility, .apologyWithoutRepair, .forgivenessRequest:
            if let replacement = quoted.first, let action = enclosingAction(d, analysis) {
                let text = action.source.text(action.span)
                if !text.contains(" within ") && !text.contains(" by ") && text.hasPrefix("require apology") {
                    fixes.append(Fix(title: "write `\(replacement)`", edits: [(action.source, action.span, replacement)],
                                     preferred: true))
                }
            }
        case .apologyForCustomerFault:
            if quoted.count >= 1, quoted[0].hasPrefix("and "), let rule = enclosingRule(d, analysis),
               let condition = rule.condition?.ref {
                let text = condition.source.text(condition.span)
                let narrowed = (text.contains(" or ") ? "(\(text))" : text) + " " + quoted[0]
                fixes.append(Fix(title: "add `\(quoted[0])` to the condition", edits: [(condition.source, condition.span, narrowed)],
                                 preferred: true))
            }
        case .seriousWithoutFollowUp:
            if let rule = quoted.last, rule.hasPrefix("when ") {
                guard let main = analysis.main?.source else { break }
                let end = main.bytes.count
                let lead = main.bytes.last == 0x0A || end == 0 ? "" : "\n"
                fixes.append(Fix(title: "add the rule `\(rule)`", edits: [(main, Span.at(end), lead + "\n" + rule + "\n")],
                                 preferred: false))
            }
        default: break
        }
        return fixes
    }

    /// `name` added to the `roles:` (or `remedies:`) list, or a new list
    /// before the first rule of the main file.
    private static func declare(_ name: String, kind: NameListKind, in analysis: Workspace.Analysis) -> Fix? {
        let loaded = analysis.compiled.loaded
        for file in loaded.files {
            for item in file.items {
                guard case .names(let decl) = item.kind, decl.kind == kind else { continue }
                let end = decl.names.last?.span.end ?? item.span.end
                return Fix(title: "declare `\(name)` in `\(kind.rawValue):`", edits: [(file.source, Span.at(end), ", \(name)")],
                           preferred: false)
            }
        }
        guard let main = analysis.main else { return nil }
        let first = main.items.first { item in
            if case .rule = item.kind { return true }
            if case .example = item.kind { return true }
            return false
        }
        let at = first.map { main.source.lineStarts[main.source.lineIndex(of: $0.span.start)] } ?? main.source.bytes.count
        return Fix(title: "declare `\(kind.rawValue): \(name)`", edits: [(main.source, Span.at(at), "\(kind.rawValue): \(name)\n")],
                   preferred: false)
    }

    private static func enclosingRule(_ d: Diagnostic, _ analysis: Workspace.Analysis) -> RuleModel? {
        analysis.compiled.model.rules.first { $0.ref.source === d.source && $0.ref.span.start <= d.span.start && d.span.end <= $0.ref.span.end }
    }

    private static func enclosingAction(_ d: Diagnostic, _ analysis: Workspace.Analysis) -> SourceRef? {
        enclosingRule(d, analysis)?.actionRefs.first { $0.span.start <= d.span.start && d.span.end <= $0.span.end }
    }

    /// The texts between backticks, in order.
    static func backticked(_ text: String) -> [String] {
        let parts = text.split(separator: "`", omittingEmptySubsequences: false)
        return stride(from: 1, to: parts.count - 1, by: 2).map { String(parts[$0]) }
    }

    /// A word or a few (a name, `business hours`), nothing else.
    static func isWordy(_ s: String) -> Bool {
        !s.isEmpty && s.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == " " } && s.first != " "
    }

    /// The code actions for the diagnostics of `uri` that meet `range`.
    static func codeActions(uri: String, source: SourceText, range: Span, diagnostics: [Diagnostic],
                            analysis: Workspace.Analysis, workspace: Workspace) -> [JSONValue] {
        var actions: [JSONValue] = []
        for d in diagnostics where d.source.path == source.path && d.span.start <= range.end && range.start <= d.span.end {
            for fix in fixes(d, in: analysis) {
                var changes: [String: [JSONValue]] = [:]
                for edit in fix.edits {
                    changes[workspace.uri(edit.source.path), default: []].append(
                        ["range": edit.source.range(edit.span), "newText": .string(edit.text)])
                }
                actions.append(["title": .string(fix.title), "kind": "quickfix",
                                "diagnostics": [json(d, workspace: workspace)], "isPreferred": .bool(fix.preferred),
                                "edit": ["changes": JSONValue(changes.mapValues { JSONValue.array($0) })]])
            }
        }
        return actions
    }
}
