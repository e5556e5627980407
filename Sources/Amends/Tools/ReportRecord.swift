/// ReportRecord: what `amends report` needs of one incident, made either
/// from an evaluation (`Outcome` with progress) or from a saved `amends run`
/// JSON line (Grammar.md §11). The aggregation (`Report`) reads only this,
/// so both inputs give the same figures.

/// A ReportRule names a rule by its file and line (its name is carried for
/// showing): the same in an evaluation and in a saved result line.
package struct ReportRule: Sendable, Hashable, Comparable {
    package var file: String
    package var line: Int
    package var name: String?

    package init(file: String, line: Int, name: String?) {
        self.file = file
        self.line = line
        self.name = name
    }

    package init(_ ref: RuleRef) { self.init(file: ref.file, line: ref.line, name: ref.name) }

    package static func == (a: ReportRule, b: ReportRule) -> Bool { a.file == b.file && a.line == b.line }
    package func hash(into h: inout Hasher) {
        h.combine(file)
        h.combine(line)
    }
    package static func < (a: ReportRule, b: ReportRule) -> Bool { (a.file, a.line) < (b.file, b.line) }

    /// `servicenow.policy:58 "high priority"`.
    package var description: String { "\(file):\(line)" + (name.map { " \(SExpr.quote($0))" } ?? "") }
}

/// One required action of one incident, as the report counts it.
package struct ReportItem: Sendable, Equatable {
    /// The action as a `done:` line names it: `notify supervisor`,
    /// `task "call the client"`, `follow up`.
    package var label: String
    package var kind: ActionKindName
    /// `not_tracked` for a policy with no `done:` block.
    package var status: ProgressStatus
    /// Done time against the deadline, in seconds: negative early, positive
    /// late (on time and late actions with a deadline and a done time only).
    package var lateness: Int64?
    /// The margin is open time (a business deadline).
    package var business: Bool
    package var because: [ReportRule]
}

/// One incident (or one unreadable record, `isError`).
package struct ReportRecord: Sendable, Equatable {
    /// The record's clock value (seconds since the epoch), nil when it has none.
    package var clock: Int64?
    /// The `--by` field's value as the policy writes it; nil when missing.
    package var group: String?
    package var fired: [ReportRule]
    package var items: [ReportItem]
    package var isError = false

    package static let error = ReportRecord(clock: nil, group: nil, fired: [], items: [], isError: true)
}

extension ReportItem {
    /// The label a `done:` line would use for a merged action.
    package static func label(kind: ActionKindName, role: String?, text: String?) -> String {
        switch kind {
        case .notify: return "notify \(role ?? "?")"
        case .escalate: return "escalate to \(role ?? "?")"
        case .task: return "task " + SExpr.quote(text ?? "")
        case .followUp: return "follow up"
        case .review: return "review cause"
        default: return kind.rawValue
        }
    }

    /// From a merged action with its progress (nil: not tracked).
    package init(_ action: RequiredAction, rules: (RuleRef) -> ReportRule) {
        label = ReportItem.label(kind: action.kind, role: action.role, text: action.text)
        kind = action.kind
        let p = action.progress
        status = p?.status ?? .notTracked
        business = p?.marginIsBusiness ?? false
        lateness = nil
        if let m = p?.margin {
            if status == .onTime { lateness = -m } else if status == .late { lateness = m }
        }
        because = action.because.map(rules)
    }
}

extension ReportRecord {
    /// From an evaluated incident: `clock` is its clock value when present.
    package init(_ outcome: Outcome, clock: Int64?, group: String?, rules: (RuleRef) -> ReportRule) {
        self.clock = clock
        self.group = group
        fired = outcome.fired.map(rules)
        items = outcome.actions.map { ReportItem($0, rules: rules) }
    }
}

// MARK: - From a saved result line

/// Why a saved result line could not be read.
package struct ReportLineError: Error, Sendable, Equatable {
    package var message: String
}

extension ReportRecord {
    /// A saved `amends run` JSON line (Grammar.md §11). With `--for-report`
    /// the line has `clock` and `fired`; without, the fired rules are those
    /// named in `because` and `waived`, and the record has no clock. `by`
    /// is read from the line's `fields` (`amends run --keep FIELD`).
    package static func parse(line: String, by: String?) -> Result<ReportRecord, ReportLineError> {
        let value: JSONValue
        switch JSONValue.parse(line) {
        case .failure(let e): return .failure(ReportLineError(message: "not JSON: \(e.message)"))
        case .success(let v): value = v
        }
        guard case .object(let members) = value else { return .failure(ReportLineError(message: "not a JSON object")) }
        func member(_ name: String, _ of: [(key: String, value: JSONValue)]) -> JSONValue? {
            of.last { $0.key == name }?.value
        }
        guard case .number = member("record", members) ?? .null else {
            return .failure(ReportLineError(message: "not an `amends run` result line: it has no `record` number"))
        }
        if member("error", members) != nil { return .success(.error) }
        guard case .array(let actions) = member("actions", members) ?? .null else {
            return .failure(ReportLineError(message: "a result line needs an `actions` array"))
        }
        func rule(_ v: JSONValue) throws(ReportLineError) -> ReportRule {
            guard case .object(let m) = v, case .string(let file) = member("file", m) ?? .null,
                  case .number(let line) = member("line", m) ?? .null, let l = Int(exactly: line) else {
                throw ReportLineError(message: "a rule needs `file` and `line`")
            }
            var name: String?
            if case .string(let n) = member("rule", m) ?? .null { name = n }
            return ReportRule(file: file, line: l, name: name)
        }
        func rules(_ v: JSONValue?) throws(ReportLineError) -> [ReportRule] {
            guard let v else { return [] }
            guard case .array(let a) = v else { throw ReportLineError(message: "a list of rules must be an array") }
            var out: [ReportRule] = []
            for r in a { out.append(try rule(r)) }
            return out
        }
        do throws(ReportLineError) {
            var record = ReportRecord(clock: nil, group: nil, fired: [], items: [])
            for a in actions {
                guard case .object(let m) = a, case .string(let kindName) = member("kind", m) ?? .null,
                      let kind = ActionKindName.allCases.first(where: { $0.jsonName == kindName }) else {
                    throw ReportLineError(message: "an action needs a known `kind`")
                }
                var role: String?, text: String?
                if case .string(let r) = member("role", m) ?? .null { role = r }
                if case .string(let t) = member("text", m) ?? .null { text = t }
                var status = ProgressStatus.notTracked
                if let s = member("status", m) {
                    guard case .string(let word) = s, let st = ProgressStatus(rawValue: word) else {
                        throw ReportLineError(message: "an action's `status` must be one of \(ProgressStatus.allCases.map(\.jsonName).joined(separator: ", "))")
                    }
                    status = st
                }
                var lateness: Int64?
                if case .number(let n) = member("margin_seconds", m) ?? .null, let s = Int64(exactly: n.rounded()) {
                    if status == .onTime { lateness = -s } else if status == .late { lateness = s }
                }
                var business = false
                if case .bool(true) = member("margin_business", m) ?? .null { business = true }
                let label = ReportItem.label(kind: kind, role: role, text: text)
                record.items.append(ReportItem(label: label, kind: kind, status: status, lateness: lateness,
                                               business: business, because: try rules(member("because", m))))
            }
            if let fired = member("fired", members) {
                record.fired = try rules(fired)
            } else {
                var seen = Set<ReportRule>()
                var all: [ReportRule] = []
                for item in record.items { for r in item.because where seen.insert(r).inserted { all.append(r) } }
                if case .array(let waived) = member("waived", members) ?? .null {
                    for w in waived {
                        guard case .object(let m) = w else { continue }
                        for r in try rules(member("by", m)) where seen.insert(r).inserted { all.append(r) }
                    }
                }
                record.fired = all.sorted()
            }
            if let clock = member("clock", members) {
                guard case .string(let text) = clock, let t = ISOTime.parseLocalOrUTC(Array(text.utf8)) else {
                    throw ReportLineError(message: "`clock` must be a time, as 2026-03-02T09:00:00Z")
                }
                record.clock = t.seconds
            }
            if let by {
                guard case .object(let fields) = member("fields", members) ?? .null, let v = member(by, fields) else {
                    throw ReportLineError(message: "the line has no `fields` member with `\(by)`: write the results with `amends run --for-report --keep \(by)`")
                }
                switch v {
                case .null: record.group = nil
                case .string(let s): record.group = s
                default: record.group = v.serialized()
                }
            }
            return .success(record)
        } catch {
            return .failure(error)
        }
    }
}
