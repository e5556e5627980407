#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Amends

/// `amends explain POLICY RECORD`: why each rule did or did not fire for one
/// record, and where each action and deadline came from.
enum ExplainCommand: Command {
    static let name = "explain"
    static let summary = "why each rule did or did not fire for a record, and where each action came from"
    static let usage = "amends explain [--format text|json] [--now TIME] [--record N] POLICY (RECORD | --example NAME)"
    static let help = """
    Evaluates one record and explains it: the record as read (defaults
    marked), every rule with whether it fired and, when it did not, the first
    part of its condition that was false with the actual value
    (`severity is medium; the rule needs >= high`), and every required action
    with the rules that asked for it, the rules it overrode, how its deadline
    was counted (business hours over a weekend, closed dates) and what was
    waived.

    RECORD is one of:
      '{severity: high, tier: premium}'   a record as an example writes it
      '{"severity": "high"}'              a JSON object, read as `amends run` reads it
      x.json, x.jsonl, x.csv, -           a file or stdin: its first record (or --record N)
      --example NAME                      instead of RECORD: an example of the policy

    options:
      --format text|json   text for people (default), or one JSON document
      --now TIME           the time `age` is measured at, e.g. 2026-03-02T12:00:00Z
                           (default: an example's `now`, else $SOURCE_DATE_EPOCH
                           when set, else the current time)
      --record N           which record of a file to explain (1 = the first)
      --example NAME       explain the record of the policy's example NAME

    exit status: 0 explained, 1 the record cannot be read, 2 bad command line,
                 unreadable file or a policy with errors

    """

    static func main(_ args: [String]) -> Int32 {
        guard let parsed = parse(args, valued: ["--format", "--now", "--record", "--example"]) else { return 2 }
        let format: String
        do {
            format = try parsed.choice("--format", ["text", "json"], default: "text")
        } catch let problem as Arguments.Problem {
            return CLI.usage(problem, command: name)
        } catch {
            return 2
        }
        let example = parsed.value("--example")
        let wanted = example == nil ? 2 : 1
        guard parsed.operands.count == wanted else {
            if parsed.operands.isEmpty {
                return CLI.usage("no policy given", command: name, help: "try `amends explain policy.policy '{severity: high}'`")
            }
            if parsed.operands.count < wanted {
                return CLI.usage("no record given", command: name,
                                 help: "give a file, or the record itself: `amends explain \(parsed.operands[0]) '{severity: high}'`")
            }
            return CLI.usage("too many arguments: explain takes one policy and one record", command: name,
                             help: example == nil ? "quote an inline record: '{severity: high}'" : "`--example` replaces the record")
        }
        var recordNumber = 1
        if let text = parsed.value("--record") {
            guard let n = Int(text), n >= 1 else {
                return CLI.usage("`--record` takes a record number from 1, not `\(text)`", command: name)
            }
            recordNumber = n
        }

        // The policy.
        let policyPath = parsed.operands[0]
        let compiled: Driver.Compiled
        switch Driver.compile(path: policyPath) {
        case .failure(let failure):
            Console.err.write("error: \(failure)\n")
            return 2
        case .success(let c): compiled = c
        }
        let renderer = DiagnosticRenderer(color: wantsColor(fd: 2))
        guard let program = compiled.program else {
            Console.err.write(renderer.render(compiled.diagnostics.filter { $0.level == .error }))
            Console.err.write("error: `\(policyPath)` has errors; fix them before explaining records\n")
            return 2
        }

        // The time `age` is measured at.
        var now: Int64?
        if let text = parsed.value("--now") {
            guard let t = ISOTime.parseLocalOrUTC(Array(text.utf8)) else {
                return CLI.usage("`--now` takes a time such as 2026-03-02T12:00:00Z, not `\(text)`", command: name)
            }
            now = t.hasOffset ? t.seconds : program.schema.zone.utc(fromLocal: t.seconds)
        }

        // The record.
        let read: RecordLiteral.Read
        if let example {
            guard let (r, model) = RecordLiteral.example(named: example, compiled: compiled, program: program) else {
                let names = compiled.model.examples.map(\.name)
                var message = "error: `\(policyPath)` has no example named \(SExpr.quote(example))\n"
                if let s = Suggest.closest(to: example, in: names) {
                    message += "  = help: did you mean \(SExpr.quote(s))?\n"
                } else if names.isEmpty {
                    message += "  = help: the file has no examples\n"
                }
                Console.err.write(message)
                return 2
            }
            read = r
            if now == nil, let n = model.now { now = n }
        } else {
            switch ExplainInput.read(parsed.operands[1], number: recordNumber, compiled: compiled, program: program) {
            case .success(let r): read = r
            case .failure(let failure):
                if !failure.diagnostics.isEmpty { Console.err.write(renderer.render(failure.diagnostics)) }
                if let message = failure.message { Console.err.write("error: \(message)\n") }
                if let help = failure.help { Console.err.write("  = help: \(help)\n") }
                return failure.status
            }
        }
        // Without `--now`: an example's own time, else the current time.
        if now == nil && example == nil { now = CLI.defaultNow() }

        let explanation = Explainer.explain(program: program, record: read.buffer, now: now, given: read.given)
        Console.out.write(format == "json" ? explanation.json : explanation.text)
        return 0
    }
}
