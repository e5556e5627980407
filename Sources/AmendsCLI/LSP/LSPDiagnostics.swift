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
    /// replacement, a role or remedy declared, and the domain lints' fixes
    /// (W401-W409): an apology's components completed or trimmed, an
    /// action added to the rule, a condition narrowed, a rule added, a
    /// supervisor told as soon as the client.
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
            // `add it: `require apology with …``, `leave it out: `require apology …``
            if let wanted = quoted.first, let components = components(in: wanted), let (source, _, action) = syntax(of: d, analysis),
               let fix = setComponents(components, of: action, in: source, title: "write `\(wanted)`") {
                fixes.append(fix)
            }
        case .apologyForCustomerFault:
            if quoted.count >= 1, quoted[0].hasPrefix("and "), let rule = enclosingRule(d, analysis),
               let condition = rule.condition?.ref {
                let text = condition.source.text(condition.span)
                let narrowed = (text.contains(" or ") ? "(\(text))" : text) + " " + quoted[0]
                fixes.append(Fix(title: "add `\(quoted[0])` to the condition", edits: [(condition.source, condition.span, narrowed)],
                                 preferred: true))
            }
            if let waive = quoted.last, waive.hasPrefix("when "), let fix = addRule(waive, analysis) { fixes.append(fix) }
        case .seriousWithoutFollowUp, .ourFaultWithoutApology:
            if let rule = quoted.last, rule.hasPrefix("when "), let fix = addRule(rule, analysis) { fixes.append(fix) }
        case .offerWithoutApology:
            if let apology = quoted.first, apology.hasPrefix("require apology"), let (source, rule, _) = syntax(of: d, analysis),
               let fix = addAction(apology, to: rule, in: source) {
                fixes.append(fix)
            }
        case .preventionWithoutReview:
            guard let (source, rule, action) = syntax(of: d, analysis) else { break }
            if let review = quoted.first, review.hasPrefix("review cause"), let fix = addAction(review, to: rule, in: source) {
                fixes.append(fix)
            }
            if case .apology(let components, _, _) = action.kind,
               let fix = setComponents(components.map(\.name).filter { $0 != "prevention" }, of: action, in: source,
                                       title: "leave `prevention` out", preferred: false) {
                fixes.append(fix)
            }
        case .clientBeforeSupervisor:
            // `tell the supervisor first: `notify R within D`, or …`
            guard let wanted = quoted.first, wanted.hasPrefix("notify "), let at = wanted.firstRange(of: " within "),
                  let (source, _, action) = syntax(of: d, analysis), case .notify(let roles, let within?) = action.kind else { break }
            let role = String(wanted[wanted.index(wanted.startIndex, offsetBy: 7)..<at.lowerBound])
            let deadline = String(wanted[at.upperBound...])
            if roles.count == 1 {
                fixes.append(Fix(title: "write `\(wanted)`", edits: [(source, within.span, deadline)], preferred: true))
            } else {
                // The others keep their deadline; the supervisor gets an action of its own.
                let others = roles.filter { $0.name != role }.map(\.name).joined(separator: ", ")
                let text = "notify \(others) within \(source.text(within.span)); \(wanted)"
                fixes.append(Fix(title: "write `\(text)`", edits: [(source, action.span, text)], preferred: true))
            }
        default: break
        }
        return fixes
    }

    /// The components a help's `require apology with a, b` names (none for
    /// `require apology`); nil for other text.
    static func components(in text: String) -> [String]? {
        guard text.hasPrefix("require apology") else { return nil }
        guard let with = text.firstRange(of: " with ") else { return text == "require apology" ? [] : nil }
        return text[with.upperBound...].split(separator: ",").map { String($0.trimmingWhitespace) }
    }

    /// An apology's components replaced by `names` (`with` and all left out
    /// when there are none), its deadline and channel kept.
    static func setComponents(_ names: [String], of action: Action, in source: SourceText, title: String,
                              preferred: Bool = true) -> Fix? {
        guard case .apology(let components, _, _) = action.kind,
              let word = source.text(action.span).utf8.firstRange(of: "apology".utf8) else { return nil }
        let afterWord = action.span.start + source.text(action.span).utf8.distance(from: source.text(action.span).utf8.startIndex,
                                                                                    to: word.upperBound)
        let span = Span(start: afterWord, end: components.last?.span.end ?? afterWord)
        let text = names.isEmpty ? "" : " with " + names.joined(separator: ", ")
        return Fix(title: title, edits: [(source, span, text)], preferred: preferred)
    }

    /// `text` added as the rule's last action: after a `;` on a rule written
    /// on one line, else on a line of its own below the last, indented as it.
    static func addAction(_ text: String, to rule: Rule, in source: SourceText) -> Fix? {
        guard let last = rule.actions.last else { return nil }
        let title = "add `\(text)` to this rule"
        if rule.oneLine { return Fix(title: title, edits: [(source, Span.at(last.span.end), "; " + text)], preferred: true) }
        let line = source.lineRange(index: source.lineIndex(of: last.span.start))
        let indent = source.bytes[line].prefix { $0 == 0x20 || $0 == 0x09 }
        return Fix(title: title, edits: [(source, Span.at(line.upperBound), "\n" + String(decoding: indent, as: UTF8.self) + text)],
                   preferred: true)
    }

    /// The rule `rule` added at the end of the policy's own file.
    static func addRule(_ rule: String, _ analysis: Workspace.Analysis) -> Fix? {
        guard let main = analysis.main?.source else { return nil }
        let end = main.bytes.count
        let lead = main.bytes.last == 0x0A || end == 0 ? "" : "\n"
        return Fix(title: "add the rule `\(rule)`", edits: [(main, Span.at(end), lead + "\n" + rule + "\n")], preferred: false)
    }

    /// The rule and action, as written, that hold the diagnostic's span.
    static func syntax(of d: Diagnostic, _ analysis: Workspace.Analysis) -> (SourceText, Rule, Action)? {
        for file in analysis.compiled.loaded.files where file.source === d.source {
            for item in file.items where item.span.start <= d.span.start && d.span.end <= item.span.end {
                guard case .rule(let rule) = item.kind else { continue }
                for action in rule.actions where action.span.start <= d.span.start && d.span.end <= action.span.end {
                    return (file.source, rule, action)
                }
            }
        }
        return nil
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
