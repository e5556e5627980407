/// Coverage is what the examples exercise, across every file tested:
///
/// - rules: which rules at least one example makes fire (an `otherwise`
///   rule counts too: some example should reach it);
/// - values: for each scale or `one of` field that a condition tests, which
///   of its levels or values appear in some example's record (defaults
///   included, since the rules see them).
///
/// A rule or field is identified by the file it is written in and its line,
/// so a policy tested through its own examples and through a separate
/// `.examples` file that `use`s it is counted once.
package struct Coverage: Sendable {
    /// One rule and whether any example made it fire.
    package struct RuleEntry: Sendable {
        package var rule: RuleRef
        /// The condition as written; nil for `otherwise`.
        package var condition: String?
        package var fired: Bool
    }

    /// One field tested by a condition, and which of its values the
    /// examples' records have.
    package struct ValueEntry: Sendable {
        package var field: String
        package var file: String
        package var line: Int
        package var values: [String]
        package var seen: [Bool]

        package var unseen: [String] { values.indices.filter { !seen[$0] }.map { values[$0] } }
    }

    package private(set) var rules: [RuleEntry] = []
    package private(set) var values: [ValueEntry] = []
    var ruleIndex: [String: Int] = [:]
    var valueIndex: [String: Int] = [:]

    package init() {}

    // MARK: - Totals

    package var firedRules: Int { rules.filter(\.fired).count }
    /// Percent of rules fired; 100 when there are no rules.
    package var percent: Double { rules.isEmpty ? 100 : Double(firedRules) * 100 / Double(rules.count) }

    /// Whether the rule coverage is at least `minimum` percent.
    package func meets(_ minimum: Double) -> Bool {
        Double(firedRules) * 100 >= minimum * Double(rules.count)
    }

    /// Rule counts per file, in the order files were first seen.
    package var byFile: [(file: String, fired: Int, total: Int)] {
        var order: [String] = []
        var counts: [String: (Int, Int)] = [:]
        for entry in rules {
            if counts[entry.rule.file] == nil { order.append(entry.rule.file) }
            let (f, t) = counts[entry.rule.file] ?? (0, 0)
            counts[entry.rule.file] = (f + (entry.fired ? 1 : 0), t + 1)
        }
        return order.map { ($0, counts[$0]?.0 ?? 0, counts[$0]?.1 ?? 0) }
    }

    /// `87.5%`, `100%`.
    package static func percentText(_ p: Double) -> String {
        let tenths = (p * 10).rounded(.down) / 10
        return tenths == tenths.rounded() ? "\(Int(tenths))%" : "\(tenths)%"
    }

    // MARK: - Collecting

    /// Adds a compiled policy's rules and tested fields, and what its
    /// examples exercised: for each example, the rules that fired and the
    /// record the rules saw.
    mutating func add(model: PolicyModel, program: Program, runs: [(fired: [RuleRef], record: RecordBuffer)]) {
        for rule in model.rules {
            let key = Self.key(rule.ref)
            if ruleIndex[key] == nil {
                ruleIndex[key] = rules.count
                let ref = RuleRef(index: rule.index, file: rule.file, line: rule.line, name: rule.name)
                rules.append(RuleEntry(rule: ref, condition: rule.condition.map { $0.ref.source.text($0.ref.span) }, fired: false))
            }
        }
        for run in runs {
            for fired in run.fired where model.rules.indices.contains(fired.index) {
                if let i = ruleIndex[Self.key(model.rules[fired.index].ref)] { rules[i].fired = true }
            }
        }
        for f in Self.testedFields(model) {
            let field = model.fields[f]
            let names: [String]
            switch field.type {
            case .scale(let s), .list(.scale(let s)): names = model.scales[s].levels
            case .enumeration(let e), .list(.enumeration(let e)): names = model.enumerations[e].values
            default: continue
            }
            let key = Self.key(field.declaration) + "#" + field.name
            if valueIndex[key] == nil {
                valueIndex[key] = values.count
                values.append(ValueEntry(field: field.name, file: field.declaration.file, line: field.declaration.line,
                                         values: names, seen: Array(repeating: false, count: names.count)))
            }
            guard let i = valueIndex[key] else { continue }
            for run in runs where run.record.isPresent(f) {
                var seen: [Double] = [run.record.scalar(f)]
                if case .list = field.type { seen = run.record.listScalars(f) }
                for v in seen {
                    let k = Int(ReferenceInterpreter.whole(v))
                    if values[i].seen.indices.contains(k) { values[i].seen[k] = true }
                }
            }
        }
    }

    static func key(_ ref: SourceRef) -> String {
        "\(FileSystem.canonical(ref.file)):\(ref.line)"
    }

    /// The scale and `one of` fields (and lists of them) that some rule's
    /// or define's condition tests, in declaration order.
    static func testedFields(_ model: PolicyModel) -> [Int] {
        var found = Set<Int>()
        func visit(_ c: Condition) {
            switch c.kind {
            case .compare(_, let a, let b):
                for case .field(let f) in [a, b] { found.insert(f) }
            case .member(let a, _, _):
                if case .field(let f) = a { found.insert(f) }
            case .memberOfField(let a, let list, _):
                if case .field(let f) = a { found.insert(f) }
                found.insert(list)
            case .listContains(let list, _):
                found.insert(list)
            case .not(let x): visit(x)
            case .and(let x, let y), .or(let x, let y): visit(x); visit(y)
            case .constant, .flag, .text, .presence, .clock, .define: break
            }
        }
        for rule in model.rules { if let c = rule.condition { visit(c) } }
        for define in model.defines { visit(define.condition) }
        return found.sorted().filter { f in
            guard model.fields.indices.contains(f) else { return false }
            switch model.fields[f].type {
            case .scale, .enumeration, .list(.scale), .list(.enumeration): return true
            default: return false
            }
        }
    }
}
