#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Amends

/// `amends diff OLD NEW RECORDS…`: what a policy change does to past incidents.
enum DiffCommand: Command {
    static let name = "diff"
    static let summary = "what a policy change requires differently of incident records"
    static let usage = "amends diff [OPTIONS] OLD NEW RECORDS…"
    static let help = """
    Runs every record through both policies, OLD and NEW (files, or - for
    one read from standard input, whose `use`s are found from the current
    folder), and says, for each record whose required actions differ, what
    was added, removed and changed: a deadline earlier or later and by how
    much, components, remedies, channel, the assignee, waives. Then a
    summary counts each distinct change, with up to 3 example records. The
    actions are compared, not the rules: a rule only renamed, moved or
    reformatted is no change in what is required (a note says so). Records
    one policy cannot read are said so and counted. docs/diff.md has the
    JSON schema.

        git show main:policies/x.policy | amends diff - policies/x.policy records.jsonl

    options:
      --format text|json|markdown
                             for people (default), for programs, or Markdown to post
                             as a pull-request comment (a table and <details>)
      --now TIMESTAMP        the time deadlines count from when a record has no
                             clock value, and `age` is measured at (default:
                             $SOURCE_DATE_EPOCH when set, else now)
      --input-format json|jsonl|csv
                             the records' format when the file name does not say

    Without records, comparing the two policies alone is not built yet.

    exit status: 0 nothing required changes, 1 something does (or a record
                 is read by one policy only), 2 a policy has errors, a bad
                 command line, an input not readable to its end

    """

    static func main(_ args: [String]) -> Int32 {
        guard let parsed = parse(args, valued: ["--format", "--now", "--input-format"]) else { return 2 }
        let operands = parsed.operands
        guard operands.count >= 2 else {
            return CLI.usage("`amends diff` needs the old policy, the new policy and records", command: name,
                             help: "try `amends diff old.policy new.policy records.jsonl`")
        }
        guard operands.count >= 3 else {
            return CLI.usage("no records given: comparing the two policies without records is not built yet", command: name,
                             help: "name record files after the policies: `amends diff \(operands[0]) \(operands[1]) records.jsonl`")
        }
        let format: DiffReport.Format
        var inputFormat: RecordFormat?
        do {
            let chosen = try parsed.choice("--format", DiffReport.Format.allCases.map(\.rawValue), default: "text")
            format = DiffReport.Format(rawValue: chosen) ?? .text
            if let f = parsed.value("--input-format") {
                inputFormat = RecordFormat(name: try parsed.choice("--input-format", ["json", "jsonl", "ndjson", "csv"], default: f))
            }
        } catch let problem as Arguments.Problem {
            return CLI.usage(problem, command: name)
        } catch { return 2 }
        let policies = Array(operands[0..<2])
        let inputs = Array(operands.dropFirst(2))
        if policies.allSatisfy({ $0 == "-" }) {
            return CLI.usage("only one of OLD and NEW can be read from standard input", command: name)
        }
        if policies.contains("-") && inputs.contains("-") {
            return CLI.usage("standard input cannot hold both a policy and records", command: name)
        }

        // The policies: errors reported as `amends check` reports them.
        var programs: [Program] = []
        var mains: [String] = []
        var failed = false
        for path in policies {
            guard let compiled = compile(path) else {
                failed = true
                continue
            }
            let errors = compiled.diagnostics.filter { $0.level == .error }
            guard let program = compiled.program, errors.isEmpty else {
                Console.err.write(DiagnosticRenderer(color: wantsColor(fd: 2)).render(errors))
                Console.err.write("error: `\(display(path))` has \(Summary.plural(errors.count, "error")); nothing was compared\n")
                failed = true
                continue
            }
            programs.append(program)
            let loaded = compiled.loaded
            if loaded.files.indices.contains(loaded.main) { mains.append(loaded.files[loaded.main].source.path) }
        }
        guard !failed, programs.count == 2 else { return 2 }
        let old = programs[0], new = programs[1]

        var now: Int64
        if let text = parsed.value("--now") {
            switch TimestampLiteral.parse(Array(text.utf8)) {
            case .success(let t): now = new.schema.zone.epochSeconds(t)
            case .failure(let error):
                return CLI.usage("`--now` needs a timestamp: \(error.message)", command: name,
                                 help: "write it as 2026-03-02T09:00:00Z")
            }
        } else {
            now = CLI.defaultNow()
        }

        var streams: [(String, RecordStream)] = []
        for input in inputs {
            switch RecordStream.open(input, format: inputFormat) {
            case .failure(let failure):
                Console.err.write("error: \(failure)\n")
                return 2
            case .success(let stream): streams.append((input, stream))
            }
        }

        let report = DiffReport(format: format, oldName: display(policies[0]), newName: display(policies[1]))
        let differ = RecordDiffer(old: old, new: new, now: now)
        if mains.count == 2 { (differ.oldMain, differ.newMain) = (mains[0], mains[1]) }
        var tally = DiffTally()
        var first = true
        var number = 1
        var readError = false
        Console.out.write(report.header())
        for (input, stream) in streams {
            number += differ.run(stream, firstNumber: number, inputName: streams.count > 1 ? input : nil) { r in
                tally.add(r)
                if DiffReport.shows(r) {
                    Console.out.write(report.record(r, first: first))
                    first = false
                }
                return !Console.out.closed     // `amends diff … | head`: stop quietly
            }
            if Console.out.closed { break }
            if let failure = stream.failure {
                Console.err.write("error: reading `\(input)` stopped: \(failure)\n")
                readError = true
            }
        }
        Console.out.write(report.summary(tally))
        if readError { return 2 }
        return tally.differs ? 1 : 0
    }

    /// How a policy operand is named in the report.
    static func display(_ path: String) -> String { path == "-" ? CheckRun.stdinName : path }

    /// Loads and compiles a policy file, or `-` from standard input (its
    /// `use`s relative to the current folder, as `amends check -` reads it);
    /// nil, after saying why, when it cannot be read.
    static func compile(_ path: String) -> Driver.Compiled? {
        if path == "-" {
            switch FmtCommand.readStandardInput() {
            case .failure(let failure):
                Console.err.write("error: \(failure.message)\n")
                return nil
            case .success(let bytes):
                return Driver.compile(source: SourceText(path: CheckRun.stdinName, bytes: bytes), directory: ".")
            }
        }
        switch Driver.compile(path: path) {
        case .failure(let failure):
            Console.err.write("error: \(failure)\n")
            return nil
        case .success(let compiled): return compiled
        }
    }
}
