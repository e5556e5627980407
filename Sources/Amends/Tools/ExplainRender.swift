/// How an `Explanation` reads: text for people, JSON for programs.
///
///     record:
///       severity   medium
///       tier       basic (default)
///       amount     missing
///     now 2026-03-02T09:00:00Z; deadlines count from reported 2026-03-02T09:00:00Z
///
///     rules:
///       fired      x.policy:12 when severity >= high
///                    severity is critical, which is >= high
///       not fired  x.policy:14 "valued client"
///                    tier is basic; the rule needs >= premium
///
///     actions:
///       notify supervisor
///         because the rule at x.policy:12
extension Explanation {
    // MARK: - Text

    package var text: String {
        var out = ""
        if let policy { out += "policy \(SExpr.quote(policy))\n\n" }
        out += "record:\n"
        let width = (fields.map(\.name.count).max() ?? 0) + 2
        for field in fields {
            let pad = String(repeating: " ", count: max(1, width - field.name.count))
            switch field.origin {
            case .given: out += "  \(field.name)\(pad)\(field.shown ?? "")\n"
            case .defaulted: out += "  \(field.name)\(pad)\(field.shown ?? "") (default)\n"
            case .missing: out += "  \(field.name)\(pad)missing\n"
            case .missingRequired: out += "  \(field.name)\(pad)missing (required: `amends run` would reject this record)\n"
            }
        }
        if let baseField {
            out += "now \(ISOTime.string(utc: now)); deadlines count from \(baseField) \(ISOTime.string(utc: base))\n"
        } else {
            out += "now \(ISOTime.string(utc: now)); deadlines count from now\n"
        }

        out += "\nrules:\n"
        if rules.isEmpty { out += "  (the policy has no rules)\n" }
        for rule in rules {
            let status = rule.fired ? "fired    " : "not fired"
            out += "  \(status)  \(Explanation.label(rule))\n"
            if let reason = rule.reason {
                out += Explanation.reasonLines(reason, indent: "               ")
            }
            if rule.disagrees {
                out += "               (internal: the reference interpreter says the condition \(rule.reason?.holds == true ? "holds" : "does not hold"); please report this)\n"
            }
        }

        out += "\nactions:\n"
        if actions.isEmpty { out += "  none\n" }
        for line in actions {
            let action = line.action
            out += "  \(action.summary)\n"
            if let due = action.due {
                out += "    due \(ISOTime.string(utc: due))\n"
            }
            for d in line.deadline { out += "      \(d)\n" }
            out += "    because " + action.because.map(Explainer.describe).joined(separator: ", ") + "\n"
            for o in line.overridden { out += "    overridden: \(o)\n" }
            if let p = action.progress {
                out += "    status: \(p.summary)\n"
                for reason in line.progress { out += "      \(reason)\n" }
            }
        }
        if !unrequired.isEmpty {
            out += "\ndone but not required:\n"
            for u in unrequired { out += "  \(u)\n" }
        }
        if !waived.isEmpty {
            out += "\nwaived:\n"
            for w in waived {
                out += "  \(w.kind.rawValue), waived by " + w.by.map(Explainer.describe).joined(separator: ", ") + "\n"
                if w.dropped.isEmpty { out += "    nothing else asked for it\n" }
                for d in w.dropped {
                    out += "    dropped: \(d.action.summary), asked by \(Explainer.describe(d.rule))\n"
                }
            }
        }
        return out
    }

    /// `x.policy:12 "name"`, `x.policy:12 when severity >= high`, `x.policy:20 otherwise`.
    static func label(_ rule: RuleLine) -> String {
        let place = "\(rule.rule.file):\(rule.rule.line)"
        if let name = rule.rule.name { return "\(place) \(SExpr.quote(name))" }
        guard let condition = rule.condition else { return "\(place) otherwise" }
        let oneLine = condition.split(whereSeparator: { $0 == "\n" || $0 == "\r" })
            .map { $0.trimmingCharacters(of: " \t") }.joined(separator: " ")
        let short = oneLine.count > 60 ? String(oneLine.prefix(59)) + "…" : oneLine
        return "\(place) when \(short)"
    }

    /// A reason on its line; a failed `or` as its lead and one line per
    /// alternative, marked `|`.
    static func reasonLines(_ reason: Reason, indent: String) -> String {
        guard !reason.alternatives.isEmpty else { return indent + reason.text + "\n" }
        var out = indent + reason.lead + ":\n"
        for alternative in reason.alternatives {
            out += reasonLines(alternative, indent: indent + "| ")
        }
        return out
    }

    // MARK: - JSON

    package var json: String { jsonTree.rendered() }

    package var jsonTree: JSONTree {
        var members: [(String, JSONTree)] = []
        members.append(("policy", .optional(policy)))
        members.append(("record", .array(fields.map { field in
            .object([("field", .string(field.name)), ("value", field.json),
                     ("from", .string(field.origin.rawValue))])
        })))
        members.append(("now", .string(ISOTime.string(utc: now))))
        members.append(("deadlines_from", .object([("field", .optional(baseField)), ("time", .string(ISOTime.string(utc: base)))])))
        members.append(("rules", .array(rules.map { rule in
            var m = Explanation.ruleMembers(rule.rule)
            m.append(("when", .optional(rule.condition)))
            m.append(("fired", .bool(rule.fired)))
            if let reason = rule.reason { m.append(("why", Explanation.reasonTree(reason))) }
            if rule.disagrees { m.append(("reference_disagrees", .bool(true))) }
            return .object(m)
        })))
        members.append(("actions", .array(actions.map { line in
            let a = line.action
            var m: [(String, JSONTree)] = [("kind", .string(a.kind.jsonName)), ("action", .string(a.summary))]
            if let role = a.role { m.append(("role", .string(role))) }
            if let text = a.text { m.append(("text", .string(text))) }
            if !a.components.isEmpty { m.append(("components", .array(a.components.map { .string($0.rawValue) }))) }
            if !a.remedies.isEmpty { m.append(("remedies", .array(a.remedies.map { .string($0) }))) }
            if let channel = a.channel { m.append(("by", .string(channel))) }
            if let due = a.due { m.append(("due", .string(ISOTime.string(utc: due)))) }
            if let within = a.within { m.append(("within", .string(Explanation.jsonDuration(within)))) }
            m.append(("because", .array(a.because.map { .object(Explanation.ruleMembers($0)) })))
            if !a.overridden.isEmpty {
                m.append(("overridden", .array(a.overridden.map { o in
                    var om = Explanation.ruleMembers(o.rule)
                    if let role = o.role { om.append(("role", .string(role))) }
                    if let within = o.within { om.append(("within", .string(Explanation.jsonDuration(within)))) }
                    if let due = o.due { om.append(("due", .string(ISOTime.string(utc: due)))) }
                    return .object(om)
                })))
            }
            if !line.deadline.isEmpty { m.append(("deadline", .array(line.deadline.map { .string($0) }))) }
            if let p = a.progress {
                m.append(("status", .string(p.status.jsonName)))
                m.append(("progress", .array(([p.summary] + line.progress).map { .string($0) })))
            }
            return .object(m)
        })))
        members.append(("waived", .array(waived.map { w in
            .object([
                ("kind", .string(w.kind.jsonName)),
                ("by", .array(w.by.map { .object(Explanation.ruleMembers($0)) })),
                ("dropped", .array(w.dropped.map { d in
                    .object([("action", .string(d.action.summary))] + Explanation.ruleMembers(d.rule) + [("action_line", .int(d.line))])
                })),
            ])
        })))
        return .object(members)
    }

    /// A duration as `run` writes it: ISO 8601 (`PT2H`, `P3D`) for calendar
    /// time, the policy's words (`4 business hours`) for business time.
    static func jsonDuration(_ d: DurationSpec) -> String {
        d.seconds.map { ISODuration.format(seconds: $0) } ?? d.description
    }

    static func ruleMembers(_ rule: RuleRef) -> [(String, JSONTree)] {
        var m: [(String, JSONTree)] = [("file", .string(rule.file)), ("line", .int(rule.line))]
        if let name = rule.name { m.append(("rule", .string(name))) }
        return m
    }

    static func reasonTree(_ reason: Reason) -> JSONTree {
        var m: [(String, JSONTree)] = [("holds", .bool(reason.holds)), ("text", .string(reason.text))]
        if !reason.alternatives.isEmpty { m.append(("alternatives", .array(reason.alternatives.map(reasonTree)))) }
        return .object(m)
    }
}

extension StringProtocol {
    /// The text without the given characters at either end.
    func trimmingCharacters(of set: String) -> String {
        var s = Substring(self)
        while let c = s.first, set.contains(c) { s = s.dropFirst() }
        while let c = s.last, set.contains(c) { s = s.dropLast() }
        return String(s)
    }
}
