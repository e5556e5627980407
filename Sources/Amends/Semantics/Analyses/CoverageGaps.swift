/// W308: levels and values no `when` rule covers.
///
/// For each field of a scale or `one of` type that some `when` rule's
/// condition tests (directly or through a define), and for each of its
/// levels or values (and "missing", when the field is optional with no
/// default): is there a `when` rule that can fire for an incident with that
/// value, whatever the other fields hold? If none can, only `otherwise`
/// applies to such incidents, or nothing at all. One finding per field
/// lists every uncovered value. A `when` rule that does not test the field
/// and can fire covers every value, so the finding appears only when every
/// rule that can fire narrows the field.
enum CoverageGaps {
    static func run(_ c: inout AnalysisContext) -> [Diagnostic] {
        var tested = Set<Int>()
        var mentions: [Int: Set<Variable>] = [:]
        for r in c.whenRules where !c.neverFires.contains(r) {
            guard let f = c.conditions[r] else { continue }
            let vars = f.variables
            mentions[r] = vars
            for case .field(let field) in vars { tested.insert(field) }
        }
        var out: [Diagnostic] = []
        for f in tested.sorted() {
            let field = c.model.fields[f]
            let count: Int
            switch field.type {
            case .scale, .enumeration: count = c.lowering.finiteCount(f) ?? 0
            default: continue
            }
            let v = Variable.field(f)
            // A rule that can fire and does not look at the field covers it all.
            if c.whenRules.contains(where: { !c.neverFires.contains($0) && !(mentions[$0]?.contains(v) ?? false) }) { continue }
            let narrowing = c.whenRules.filter { !c.neverFires.contains($0) && (mentions[$0]?.contains(v) ?? false) }
            var values: [Int?] = Array(0..<count)
            if c.lowering.universe(v).missing { values.append(nil) }
            var uncovered: [Int?] = []
            for value in values {
                var covered = false
                for r in narrowing {
                    guard let formula = c.conditions[r]?.substituting(v, index: value) else { continue }
                    if !c.neverHolds(formula) {
                        covered = true
                        break
                    }
                }
                if !covered { uncovered.append(value) }
            }
            if uncovered.isEmpty { continue }
            out.append(finding(f, uncovered, c))
        }
        return out
    }

    static func finding(_ f: Int, _ uncovered: [Int?], _ c: AnalysisContext) -> Diagnostic {
        let field = c.model.fields[f]
        let names = uncovered.map { index -> String in
            guard let index else { return "missing" }
            return "`\(levelName(field.type, index, c.model))`"
        }
        let list = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
        let hasOtherwise = !c.otherwiseRules.isEmpty
        let rest = hasOtherwise ? "only `otherwise` applies" : "such incidents require nothing"
        let message = "no `when` rule can fire when `\(field.name)` is \(list); \(rest)"
        var help: String
        if let first = uncovered.first, let index = first {
            help = "add a rule such as `when \(field.name) = \(levelName(field.type, index, c.model)): …`, or widen a condition"
        } else {
            help = "add a rule such as `when \(field.name) is missing: …`, or give the field a default"
        }
        if hasOtherwise { help += "; if `otherwise` is meant for them, write `# amends: allow W308` here" }
        let (place, notes) = c.placeForField(f)
        return Diagnostic(.coverageGap, message, source: place.source, span: place.span, help: help, notes: notes)
    }

    static func levelName(_ type: ValueType, _ index: Int, _ model: PolicyModel) -> String {
        switch type {
        case .scale(let s): return model.describe(.level(s, index))
        case .enumeration(let e): return model.describe(.choice(e, index))
        default: return "\(index)"
        }
    }
}
