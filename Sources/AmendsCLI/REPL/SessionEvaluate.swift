import Amends

/// Incidents, conditions and `.explain`: reading a typed record against the
/// session policy and saying what it requires and why.
extension Session {
    /// An incident read against the policy, ready to evaluate.
    struct Reading {
        var compiled: Driver.Compiled
        var program: Program
        var record: RecordBuffer
        /// The fields the incident gave (the others are defaults or missing).
        var given: Set<Int>
        /// The probe rule's index, when a condition was checked with it.
        var probeRule: Int?
    }

    /// What went wrong reading an incident or a condition.
    enum ReadFailure: Error {
        case diagnostics([Diagnostic])
        case noRecord
    }

    // MARK: - Reading

    /// Reads `incident` (and checks `condition`, when given) against the
    /// session policy: both are compiled with it as a probe.
    func read(incident: SourceText?, condition: SourceText?) -> Result<Reading?, ReadFailure> {
        var probe = Probe()
        if let condition {
            probe.add("when ")
            probe.add(typed: condition)
            probe.add(": task \"repl condition\"\n")
        }
        if let incident {
            guard policy.model.recordName != nil else { return .failure(.noRecord) }
            probe.add("example \"repl incident\":\n  given ")
            probe.add(typed: incident)
            probe.add("\n  expect nothing\n")
        }
        let compiled = policy.trying([], probe: probe)
        if compiled.hasErrors {
            return .failure(.diagnostics(compiled.diagnostics.filter { $0.level == .error }.map(probe.relocate)))
        }
        let probeRule = compiled.model.rules.last { $0.file == SessionPolicy.probePath }?.index
        guard incident != nil, let program = compiled.program, let example = compiled.model.examples.last else {
            return .success(nil)
        }
        let runner = ExampleRunner(program: program)
        var record = runner.record(for: example)
        record.now = Double(now)
        return .success(Reading(compiled: compiled, program: program, record: record,
                                given: Set(example.record.map(\.field)), probeRule: probeRule))
    }

    func failure(_ failure: ReadFailure) -> Reply {
        switch failure {
        case .noRecord:
            return problem("the session has no record to read an incident into",
                           help: "`.load` a policy, or declare one, e.g. `record incident:` with a field per line")
        case .diagnostics(let diagnostics):
            var reply = Reply()
            reply.error(render(diagnostics))
            reply.failed = true
            return reply
        }
    }

    // MARK: - Incidents

    /// An incident: the actions it requires, with deadlines and the rules
    /// they come from.
    mutating func evaluateIncident(_ text: String) -> Reply {
        let source = SourceText(path: "<input-\(nextEntryNumber())>", text: text)
        switch read(incident: source, condition: nil) {
        case .failure(let f): return failure(f)
        case .success(nil): return problem("the incident could not be read")
        case .success(let reading?):
            incident = Incident(source: source, number: entryCount)
            return actions(reading, number: entryCount)
        }
    }

    /// The actions an incident requires, in the session's format.
    func actions(_ reading: Reading, number: Int) -> Reply {
        var reply = Reply()
        let evaluator = Evaluator(program: reading.program)
        let writer = ResultWriter(program: reading.program)
        let out = OutputBuffer()
        withExtendedLifetime(evaluator) {
            let evaluation = evaluator.evaluate(reading.record)
            switch format {
            case .json: writer.writeLine(record: number, evaluation, reading.record, into: out)
            case .text: writer.writeText(record: number, evaluation, reading.record, into: out)
            }
        }
        switch format {
        case .json:
            // A line for programs: never wrapped.
            reply.chunks.append(Reply.Chunk(text: String(decoding: out.bytes, as: UTF8.self), isError: false, wraps: false))
        case .text:
            // The first line is the `record N` heading of `run`; the REPL needs none.
            let text = String(decoding: out.bytes, as: UTF8.self)
            reply.say(String(text.drop { $0 != "\n" }.dropFirst()))
            reply.say(notes(reading).map { style.dim("  note: " + $0) + "\n" }.joined())
        }
        return reply
    }

    /// What the user may not have meant: a missing clock, missing fields.
    func notes(_ reading: Reading) -> [String] {
        let model = reading.compiled.model
        var notes: [String] = []
        if let clock = model.clockField, model.fields.indices.contains(clock), !reading.record.isPresent(clock) {
            notes.append("no `\(model.fields[clock].name)`, so deadlines count from now (\(ISOTime.string(utc: now)))")
        }
        let missing = model.fields.indices.filter {
            model.fields[$0].isRequired && !reading.record.isPresent($0) && $0 != model.clockField
        }
        if !missing.isEmpty {
            notes.append("not given: " + missing.map { "`\(model.fields[$0].name)`" }.joined(separator: ", ")
                         + " (a comparison with a missing value is false)")
        }
        return notes
    }

    // MARK: - Conditions

    /// A condition: checked against the policy, then evaluated against the
    /// last incident, with the values that decided it.
    mutating func evaluateCondition(_ text: String) -> Reply {
        let number = nextEntryNumber()
        if let colon = InputShape.topLevelColon(text) {
            let before = text[..<colon].trimmingWhitespace
            let after = text[text.index(after: colon)...].trimmingWhitespace
            if InputShape.firstWord(before) == before && !before.isEmpty {
                return problem("`\(before): \(after)` is neither a condition nor an incident",
                               help: "compare with `=`: `\(before) = \(after)`; or type an incident in braces: `{\(before): \(after)}`")
            }
            return problem("a condition has no `:`; `\(InputShape.oneLine(text).trimmingWhitespace)` looks like a rule",
                           help: "start a rule with `when`: `when \(InputShape.oneLine(text).trimmingWhitespace)`")
        }
        let source = SourceText(path: "<input-\(number)>", text: text)
        switch read(incident: incident?.source, condition: source) {
        case .failure(let f): return failure(f)
        case .success(nil):
            var reply = Reply()
            reply.say(style.dim("the condition is valid; type an incident (`{field: value, …}`) to evaluate it") + "\n")
            return reply
        case .success(let reading?):
            var reply = Reply()
            let model = reading.compiled.model
            guard let index = reading.probeRule, model.rules.indices.contains(index),
                  let condition = model.rules[index].condition,
                  reading.program.rules.indices.contains(index), reading.program.rules[index].condition != nil else {
                return problem("the condition could not be evaluated")
            }
            let holds = reading.program.holds(rule: index, reading.record)
            reply.say((holds ? style.yes("true") : style.no("false")) + "\n")
            for line in ConditionWhy.lines(condition, reading.record, model: model, given: reading.given) {
                reply.say("  " + line + "\n")
            }
            return reply
        }
    }

    // MARK: - Explain

    /// `.explain`: every rule, whether it fired for the last incident and
    /// the values its condition looked at; then the actions.
    func explain() -> Reply {
        guard let incident else {
            return problem("there is no incident to explain", help: "type one first, e.g. `{severity: high}`")
        }
        switch read(incident: incident.source, condition: nil) {
        case .failure(let f): return failure(f)
        case .success(nil): return problem("the incident could not be read")
        case .success(let reading?):
            var reply = Reply()
            let model = reading.compiled.model
            let firedRules = Evaluator.outcome(of: reading.record, under: reading.program).fired.map(\.index)
            reply.say(style.bold("rules for \(incident.source.path):") + "\n")
            if model.rules.isEmpty { reply.say("  (the policy has no rules)\n") }
            for rule in model.rules {
                let fired = firedRules.contains(rule.index)
                let ref = "\(rule.file):\(rule.line)"
                let header = Session.header(rule.headerRef.source, rule.headerRef.span)
                let mark = fired ? style.yes("fired    ") : style.no("not fired")
                reply.say("  \(mark)  \(ref)  \(header)\n")
                if let condition = rule.condition {
                    for line in ConditionWhy.lines(condition, reading.record, model: model, given: reading.given) {
                        reply.say("             " + style.dim(line) + "\n")
                    }
                } else {
                    let anyWhen = firedRules.contains { model.rules[$0].condition != nil }
                    reply.say("             " + style.dim(anyWhen ? "a `when` rule fired" : "no `when` rule fired") + "\n")
                }
            }
            reply.say(style.bold("actions:") + "\n")
            reply.chunks += actions(reading, number: incident.number).chunks
            return reply
        }
    }

    /// `.incident`: the last incident as typed and every field's value.
    func showIncident() -> Reply {
        guard let incident else {
            return problem("there is no incident yet", help: "type one, e.g. `{severity: high}`")
        }
        switch read(incident: incident.source, condition: nil) {
        case .failure(let f): return failure(f)
        case .success(nil): return problem("the incident could not be read")
        case .success(let reading?):
            var reply = Reply()
            reply.say(style.dim("\(incident.source.path):") + " " + String(decoding: incident.source.bytes, as: UTF8.self) + "\n")
            let model = reading.compiled.model
            let width = model.fields.map(\.name.count).max() ?? 0
            for f in model.fields.indices {
                let name = model.fields[f].name
                let pad = String(repeating: " ", count: max(0, width - name.count))
                let shown = ConditionWhy.describe(field: f, reading.record, model: model, given: reading.given)
                reply.say("  \(name)\(pad)  \(shown)\n")
            }
            reply.say("  " + style.dim("now is \(ISOTime.string(utc: now))") + "\n")
            return reply
        }
    }
}
