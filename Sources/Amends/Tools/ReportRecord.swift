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

/// ReportNames are what a `ReportRecord`'s numbers stand for: each action
/// (as a `done:` line names it: `notify supervisor`, `task "call the
/// client"`, `follow up`) and each rule. For an evaluation they are the
/// program's result keys and rules; for saved lines they are added as
/// they are met.
package struct ReportNames: Sendable {
    package var labels: [String] = []
    package var kinds: [ActionKindName] = []
    package var rules: [ReportRule] = []
    var labelIndex: [String: Int32] = [:]
    var ruleIndex: [ReportRule: Int32] = [:]

    package init() {}

    /// The program's result keys (by key index) and rules (by rule index).
    package init(program: Program) {
        for key in program.keys { _ = action(kind: key.kind, role: key.label, text: key.label, adding: true) }
        for r in ReportRunner.rules(of: program) { rules.append(r) }
    }

    /// The number of an action, added when new (with `adding`; an
    /// evaluation's keys are all known, and `assign` is one key).
    mutating func action(kind: ActionKindName, role: String?, text: String?, adding: Bool = false) -> Int32 {
        let label = ReportNames.label(kind: kind, role: role, text: text)
        if !adding, let i = labelIndex[label] { return i }
        let i = Int32(labels.count)
        labels.append(label)
        kinds.append(kind)
        if labelIndex[label] == nil { labelIndex[label] = i }
        return i
    }

    mutating func rule(_ r: ReportRule) -> Int32 {
        if let i = ruleIndex[r] { return i }
        let i = Int32(rules.count)
        rules.append(r)
        ruleIndex[r] = i
        return i
    }

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
}

/// One required action of one incident, as the report counts it.
package struct ReportItem: Sendable, Equatable {
    /// The action, in the record's `ReportNames`.
    package var action: Int32
    /// `not_tracked` for a policy with no `done:` block.
    package var status: ProgressStatus
    /// Done time against the deadline, in seconds: negative early, positive
    /// late (on time and late actions with a deadline and a done time only).
    package var lateness: Int64?
    /// The margin is open time (a business deadline).
    package var business: Bool
    /// The rules that asked for it: `ReportRecord.because[becauseStart..<becauseEnd]`.
    package var becauseStart: Int32
    package var becauseEnd: Int32

    /// On time and late: the margin, as lateness.
    static func lateness(_ status: ProgressStatus, margin: Int64?) -> Int64? {
        guard let m = margin else { return nil }
        switch status {
        case .onTime: return -m
        case .late: return m
        default: return nil
        }
    }
}

/// One incident (or one unreadable record, `isError`), its actions and
/// rules by number (`ReportNames`); kept and refilled by a worker, so that
/// summarising a record allocates nothing once its arrays have grown.
package struct ReportRecord: Sendable, Equatable {
    /// The record's clock value (seconds since the epoch), nil when it has none.
    package var clock: Int64?
    /// The `--by` field's value as the policy writes it; nil when missing.
    package var group: String?
    package var fired: [Int32] = []
    package var items: [ReportItem] = []
    /// The rules of every item, one run an item.
    package var because: [Int32] = []
    package var isError = false

    package init() {}

    package mutating func reset() {
        clock = nil
        group = nil
        fired.removeAll(keepingCapacity: true)
        items.removeAll(keepingCapacity: true)
        because.removeAll(keepingCapacity: true)
        isError = false
    }

    package static var error: ReportRecord {
        var r = ReportRecord()
        r.isError = true
        return r
    }
}

extension ReportRecord {
    /// Refills `self` from the evaluation of `record` (the program's keys
    /// and rules are `ReportNames(program:)`'s numbers).
    mutating func fill(_ evaluation: Evaluation, _ record: RecordBuffer, now: Int64, clockField: Int?, byField: Int?) {
        reset()
        let program = evaluation.program
        let tracking = program.tracking
        if let c = clockField, record.isPresent(c) { clock = Evaluator.seconds(record.scalar(c)) }
        if let b = byField, record.isPresent(b) { group = program.schema.text(of: b, in: record) }
        evaluation.forEachFiredRule { fired.append(Int32(truncatingIfNeeded: $0)) }
        for i in 0..<evaluation.count {
            let k = evaluation.key(i)
            let win = evaluation.winning(i)
            let due: Int64? = win.due == Int64.max ? nil : win.due
            // INVARIANT: a contribution's action is one of the program's actions.
            let business = program.actions.indices.contains(Int(win.action))
                && program.actions[Int(win.action)].duration?.unit.isBusiness == true
            var status = ProgressStatus.notTracked
            var lateness: Int64?
            var marginBusiness = false
            if let tracking {
                let p = tracking.progress(key: k, due: due, business: business, record: record, now: now)
                status = p.status
                lateness = ReportItem.lateness(p.status, margin: p.margin)
                marginBusiness = p.marginIsBusiness
            }
            let start = Int32(because.count)
            var c = evaluation.first(i)
            while c >= 0 {
                let run = evaluation.ruleRun(c, winner: win)
                let a = Int(evaluation.contribution(run.own).action)
                if program.actions.indices.contains(a) { because.append(Int32(program.actions[a].rule)) }
                c = run.next
            }
            items.append(ReportItem(action: Int32(truncatingIfNeeded: k), status: status, lateness: lateness, business: marginBusiness,
                                    becauseStart: start, becauseEnd: Int32(because.count)))
        }
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
    package static func parse(line: String, by: String?, names: inout ReportNames) -> Result<ReportRecord, ReportLineError> {
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
            var record = ReportRecord()
            var seen = Set<Int32>()
            var all: [Int32] = []
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
                var margin: Int64?
                if case .number(let n) = member("margin_seconds", m) ?? .null, let s = Int64(exactly: n.rounded()) { margin = s }
                var business = false
                if case .bool(true) = member("margin_business", m) ?? .null { business = true }
                let action = names.action(kind: kind, role: role, text: text)
                let start = Int32(record.because.count)
                for r in try rules(member("because", m)) {
                    let i = names.rule(r)
                    record.because.append(i)
                    if seen.insert(i).inserted { all.append(i) }
                }
                record.items.append(ReportItem(action: action, status: status,
                                               lateness: ReportItem.lateness(status, margin: margin), business: business,
                                               becauseStart: start, becauseEnd: Int32(record.because.count)))
            }
            if let fired = member("fired", members) {
                record.fired = try rules(fired).map { names.rule($0) }
            } else {
                if case .array(let waived) = member("waived", members) ?? .null {
                    for w in waived {
                        guard case .object(let m) = w else { continue }
                        for r in try rules(member("by", m)) where seen.insert(names.rule(r)).inserted { all.append(names.rule(r)) }
                    }
                }
                record.fired = all
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
