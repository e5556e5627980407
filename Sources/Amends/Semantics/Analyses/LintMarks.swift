/// What the service-recovery lints take as serious, as our fault and as the
/// client's fault: the policy's marks (`serious: severity >= p2`,
/// `our fault: origin = internal`, `client fault: origin = customer`), or,
/// for a kind the policy does not mark, the default its names give:
///
/// - serious: for each scale field with a level named `high` or `critical`,
///   that level and above (`severity >= high`);
/// - our fault: for each `one of` field whose name says cause or fault
///   (`caused_by`), the value `us`, `we` or `ours` (`caused_by = us`);
/// - the client's fault: for such a field, the value `customer` or `client`.
///
/// A default is a condition built from the model, so a declared mark and a
/// default are used the same way: lowered to a formula for the solver, and
/// run on the example incident to confirm it.

/// A LintMark is one set of incidents a lint reasons about.
struct LintMark {
    var kind: MarkKind
    var condition: Condition
    var formula: Formula
    /// As a policy writes it: `severity >= high`.
    var text: String
    /// Its negation, for helps: `caused_by != customer`, `not (origin = internal)`.
    var negatedText: String
    /// The field a default reads (nil for a declared mark).
    var field: Int?
    /// Its lowest serious level, for a default `serious` (the level index).
    var threshold: Int?
    /// The declaration, or for a default the field's.
    var ref: SourceRef

    var isDeclared: Bool { field == nil }
}

/// The marks of a policy, by kind: one when declared, else the defaults.
struct LintMarks {
    var serious: [LintMark] = []
    var ourFault: [LintMark] = []
    var clientFault: [LintMark] = []

    init(model: PolicyModel, lowering: inout Lowering) {
        for kind in MarkKind.allCases {
            var found: [LintMark] = []
            if let mark = model.marks[kind] {
                found = [LintMark(kind: kind, condition: mark.condition, formula: lowering.formula(mark.condition),
                                  text: mark.text, negatedText: LintMarks.negation(of: mark.condition, text: mark.text, model),
                                  field: nil, threshold: nil, ref: mark.ref)]
            } else {
                found = LintMarks.defaults(kind, model).map { d in
                    var d = d
                    d.formula = lowering.formula(d.condition)
                    return d
                }
            }
            switch kind {
            case .serious: serious = found
            case .ourFault: ourFault = found
            case .clientFault: clientFault = found
            }
        }
    }

    /// The defaults the names give, when the policy declares no mark of `kind`.
    static func defaults(_ kind: MarkKind, _ model: PolicyModel) -> [LintMark] {
        var out: [LintMark] = []
        for (f, field) in model.fields.enumerated() {
            let ref = field.declaration
            switch (kind, field.type) {
            case (.serious, .scale(let s)):
                let levels = model.scales[s].levels
                guard let threshold = levels.firstIndex(where: { ["high", "critical"].contains($0.lowercased()) }) else { continue }
                let condition = Condition(.compare(.greaterEqual, .field(f), .value(.level(s, threshold))), ref)
                out.append(LintMark(kind: kind, condition: condition, formula: .yes, text: "\(field.name) >= \(levels[threshold])",
                                    negatedText: "\(field.name) < \(levels[threshold])", field: f, threshold: threshold, ref: ref))
            case (.ourFault, .enumeration(let e)), (.clientFault, .enumeration(let e)):
                let word = (field.name.split(separator: ".").last.map(String.init) ?? field.name).lowercased()
                guard word.contains("caus") || word.contains("fault") else { continue }
                let values = model.enumerations[e].values
                let names = kind == .ourFault ? ["us", "we", "ours"] : ["customer", "client"]
                guard let v = values.firstIndex(where: { names.contains($0.lowercased()) }) else { continue }
                let condition = Condition(.compare(.equal, .field(f), .value(.choice(e, v))), ref)
                out.append(LintMark(kind: kind, condition: condition, formula: .yes, text: "\(field.name) = \(values[v])",
                                    negatedText: "\(field.name) != \(values[v])", field: f, threshold: nil, ref: ref))
            default:
                continue
            }
        }
        return out
    }

    /// `a != b` for `a = b`, `a < b` for `a >= b`, else `not (…)`.
    static func negation(of condition: Condition, text: String, _ model: PolicyModel) -> String {
        if case .compare(let op, .field(let f), .value(let v)) = condition.kind, model.fields.indices.contains(f) {
            return "\(model.fields[f].name) \(op.negated.rawValue) \(model.describe(v))"
        }
        return "not (\(text))"
    }
}

extension AnalysisContext {
    /// Whether a mark's condition holds for an example incident, by the
    /// plain interpreter (the confirmation of the solver's answer).
    func holds(_ mark: LintMark, _ incident: ExampleIncident) -> Bool {
        ReferenceInterpreter(model: model).holds(mark.condition, in: record(incident))
    }

    /// Where a finding about a mark goes: the declaration, or for a default
    /// its field's (see `placeForField`).
    func place(for mark: LintMark) -> (SourceRef, [Diagnostic.Note]) {
        if let f = mark.field { return placeForField(f) }
        guard let main = mainSource, mark.ref.source !== main else { return (mark.ref, []) }
        let first = compiled.loaded.items.first { $0.file == compiled.loaded.main }?.item.span ?? Span.none
        return (SourceRef(main, first), [Diagnostic.Note("`\(mark.kind.rawValue):` is declared here", source: mark.ref.source, span: mark.ref.span)])
    }

    /// Runs the whole compiled policy on an incident, when the budget of
    /// whole runs allows: confirming a finding this way costs time in
    /// proportion to the rules, so a policy with very many findings would
    /// be checked in time that grows with findings times rules.
    mutating func boundedOutcome(_ incident: ExampleIncident) -> Outcome? {
        guard wholeRunsLeft > 0 else { return nil }
        wholeRunsLeft -= 1
        return outcome(incident)
    }
}
