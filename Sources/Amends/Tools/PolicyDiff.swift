/// What two policies require differently of the same incidents: the
/// comparison behind `amends diff OLD NEW RECORDS…` (docs/diff.md).
///
/// Outcomes are compared by what is required (Grammar.md §7), not by which
/// rules asked: actions are matched by kind, role (notify, escalate) and
/// text (task), then compared on their deadline, components, remedies,
/// channel and assignee; and the kinds a waive removed something of are
/// compared. A change of provenance alone (a rule renamed, moved or
/// reformatted) is no change in what is required.

/// An ActionChange is one way an incident is treated differently.
public struct ActionChange: Sendable, Hashable {
    public enum Sort: String, Sendable { case added, removed, changed }
    /// What the change is about: a whole action or waive, or one part of an action.
    public enum Aspect: String, Sendable { case action, waive, deadline, components, remedies, channel, assignee }

    public var sort: Sort
    public var aspect: Aspect
    /// The action: `follow up`, `notify supervisor`, `task "call back"`; for a
    /// whole action added or removed, its summary (`follow up in 3 days`).
    public var action: String
    /// The part before and after, for a change (`7 days`, `phone`, `none`).
    public var before: String?
    public var after: String?
    /// For a deadline: the new deadline minus the old, in seconds, when both have one.
    public var shift: Int64?
    /// The same for every incident with this change: what the summary counts.
    public var label: String
    /// This incident's own account, e.g. how much earlier its deadline falls.
    public var detail: String
}

/// A RecordComparison is one record as both policies read it.
public struct RecordComparison: Sendable {
    /// The record's number in the input, from 1.
    public var number: Int
    /// The input it came from, when there are several.
    public var input: String?
    /// The line it starts on (in its input).
    public var line: Int
    /// Its `id`, as `amends run --format text` shows it.
    public var id: String?
    /// Why the old (new) policy could not read it.
    public var oldError: String?
    public var newError: String?
    /// What is required differently (empty when nothing is, or it was not read).
    public var changes: [ActionChange]
    /// True when the same is required but by different rules (provenance only).
    public var provenanceDiffers: Bool

    /// Readable by one policy and not the other.
    public var oneSided: Bool { (oldError == nil) != (newError == nil) }
    /// `record 3 (INC-7)`, `record 3 from b.csv (INC-7)`.
    public var name: String { "record \(number)" + (input.map { " from \($0)" } ?? "") + (id.map { " (\($0))" } ?? "") }
}

public enum PolicyDiff {
    // MARK: - Comparing outcomes

    /// The changes from `old` to `new`, and whether provenance alone differs.
    /// Rules of `oldMain` and `newMain` (the two main files, named apart)
    /// count as in the same file when their provenance is compared.
    public static func compare(_ old: Outcome, _ new: Outcome, oldMain: String? = nil,
                               newMain: String? = nil) -> (changes: [ActionChange], provenanceDiffers: Bool) {
        func same(_ a: [RuleRef], _ b: [RuleRef]) -> Bool {
            a.count == b.count && zip(a, b).allSatisfy { x, y in
                x.line == y.line && x.name == y.name && (x.file == y.file || (x.file == oldMain && y.file == newMain))
            }
        }
        var changes: [ActionChange] = []
        var provenance = false
        var unmatched = new.actions
        for o in old.actions {
            guard let k = unmatched.firstIndex(where: { sameKey(o, $0) }) else {
                changes.append(whole(.removed, o))
                continue
            }
            let n = unmatched.remove(at: k)
            changes += compare(o, n)
            // Which rules asked and which lost; a losing rule's own deadline is not required.
            if !same(o.because, n.because) || !same(o.overridden.map(\.rule), n.overridden.map(\.rule)) { provenance = true }
        }
        for n in unmatched { changes.append(whole(.added, n)) }
        let oldWaived = old.waived.filter { !$0.dropped.isEmpty }
        let newWaived = new.waived.filter { !$0.dropped.isEmpty }
        for w in oldWaived where !newWaived.contains(where: { $0.kind == w.kind }) {
            let name = kindName(w.kind)
            changes.append(ActionChange(sort: .removed, aspect: .waive, action: name, label: "no longer waive \(name)",
                                        detail: "no longer waive \(name)"))
        }
        for w in newWaived {
            guard let o = oldWaived.first(where: { $0.kind == w.kind }) else {
                let name = kindName(w.kind)
                changes.append(ActionChange(sort: .added, aspect: .waive, action: name, label: "now waive \(name)",
                                            detail: "now waive \(name)"))
                continue
            }
            if !same(o.by, w.by) || !same(o.dropped, w.dropped) { provenance = true }
        }
        if changes.isEmpty && !same(old.waived.flatMap(\.by), new.waived.flatMap(\.by)) { provenance = true }
        return (changes, changes.isEmpty && provenance)
    }

    /// Whether two merged actions are the same result (Grammar.md §7's merge keys).
    static func sameKey(_ a: RequiredAction, _ b: RequiredAction) -> Bool {
        guard a.kind == b.kind else { return false }
        switch a.kind {
        case .notify, .escalate: return a.role == b.role
        case .task: return a.text == b.text
        default: return true
        }
    }

    /// The action's name without its parts: `notify supervisor`, `follow up`.
    static func name(_ a: RequiredAction) -> String {
        switch a.kind {
        case .notify: return "notify \(a.role ?? "?")"
        case .escalate: return "escalate to \(a.role ?? "?")"
        case .task: return "task " + SExpr.quote(a.text ?? "")
        default: return kindName(a.kind)
        }
    }

    static func kindName(_ kind: ActionKindName) -> String {
        switch kind {
        case .notify: return "notify"
        case .escalate: return "escalate"
        case .assign: return "assign"
        case .respond: return "respond"
        case .apology: return "apology"
        case .offer: return "offer"
        case .followUp: return "follow up"
        case .review: return "review cause"
        case .task: return "task"
        }
    }

    static func whole(_ sort: ActionChange.Sort, _ a: RequiredAction) -> ActionChange {
        let summary = a.summary
        let label = (sort == .added ? "now require " : "no longer require ") + summary
        return ActionChange(sort: sort, aspect: .action, action: summary, label: label, detail: label)
    }

    /// The differences between two results of the same key.
    static func compare(_ o: RequiredAction, _ n: RequiredAction) -> [ActionChange] {
        var changes: [ActionChange] = []
        let name = name(o)
        func part(_ aspect: ActionChange.Aspect, _ before: String, _ after: String, _ label: String) {
            changes.append(ActionChange(sort: .changed, aspect: aspect, action: name, before: before, after: after,
                                        label: label, detail: label))
        }
        if o.kind == .assign, o.role != n.role {
            let b = o.role ?? "?", a = n.role ?? "?"
            part(.assignee, b, a, "assign: \(b) → \(a)")
        }
        if o.components != n.components {
            let b = list(o.components.map(\.rawValue)), a = list(n.components.map(\.rawValue))
            part(.components, b, a, "\(name): \(b) → \(a)")
        }
        if o.remedies != n.remedies {
            let b = list(o.remedies), a = list(n.remedies)
            part(.remedies, b, a, "\(name): \(b) → \(a)")
        }
        if o.channel != n.channel {
            let b = channel(o.channel), a = channel(n.channel)
            part(.channel, b, a, "\(name): \(b) → \(a)")
        }
        if !sameDuration(o.within, n.within) || o.due != n.due {
            changes.append(deadline(name, o, n))
        }
        return changes
    }

    /// Equal durations: the same spec, or calendar durations of the same
    /// length (`24 hours` is `1 day`, as the results write both `P1D`).
    static func sameDuration(_ a: DurationSpec?, _ b: DurationSpec?) -> Bool {
        if a == b { return true }
        guard let x = a?.seconds, let y = b?.seconds else { return false }
        return x == y
    }

    static func deadline(_ name: String, _ o: RequiredAction, _ n: RequiredAction) -> ActionChange {
        let b = o.within.map { "\($0)" } ?? "no deadline", a = n.within.map { "\($0)" } ?? "no deadline"
        var shift: Int64?
        var label = "\(name): \(b) → \(a)"
        var detail = label
        if let od = o.due, let nd = n.due {
            let (d, overflow) = nd.subtractingReportingOverflow(od)
            if !overflow && d != 0 {
                shift = d
                let direction = d < 0 ? "earlier" : "later"
                if o.within == n.within { label = "\(name): due \(direction)" }
                detail = label + ", " + span(d.magnitude) + " " + direction
            }
            detail += " (due \(ISOTime.string(utc: od)) → \(ISOTime.string(utc: nd)))"
        }
        return ActionChange(sort: .changed, aspect: .deadline, action: name, before: b, after: a, shift: shift,
                            label: label, detail: detail)
    }

    static func list(_ items: [String]) -> String { items.isEmpty ? "none" : items.joined(separator: ", ") }

    static func channel(_ c: String?) -> String {
        guard let c else { return "no channel" }
        return "by " + (c == "in_person" ? "in person" : c)
    }

    /// `4 days`, `1 day 2 hours`, `90 seconds` → `1 minute 30 seconds`.
    public static func span(_ seconds: UInt64) -> String {
        let units: [(UInt64, String)] = [(86_400, "day"), (3_600, "hour"), (60, "minute"), (1, "second")]
        var left = seconds
        var parts: [String] = []
        for (size, unit) in units where left >= size {
            let n = left / size
            left %= size
            parts.append("\(n) \(unit)" + (n == 1 ? "" : "s"))
        }
        return parts.isEmpty ? "0 seconds" : parts.joined(separator: " ")
    }
}
