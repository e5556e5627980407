#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Amends

/// `amends report POLICY RECORDS…` or `amends report --results FILE…`: how
/// well the policy was kept over many incidents.
enum ReportCommand: Command {
    static let name = "report"
    static let summary = "how well a policy was kept over an export: on-time shares, lateness, trend"
    static let usage = "amends report [OPTIONS] POLICY RECORDS…  |  amends report [OPTIONS] --results FILE…"
    static let help = """
    For each action the policy required (by kind, and role or task text) and
    for each rule: how many incidents required it; how many were done on
    time, done late, overdue at --now, open, done (a yes/no field, or no
    deadline) and not tracked; the on-time share, on time / (on time + late
    + overdue): the actions whose deadline has been met or missed; and the
    median and 90th percentile of when they were done against the deadline.
    Then the rules that fire most and those that never fired, a trend per
    month or week of the clock field, and a breakdown by any field. Statuses
    need a policy with a `done:` block (Grammar.md §4); without one every
    action is not tracked. docs/report.md describes every figure.

    With --results the report is made from saved `amends run` JSON lines
    (several files, or - for standard input) instead of records: runs over
    parts of an archive add up to the report of the whole. Write them with
    `amends run --for-report` (each line then has the record's clock and
    fired rules) and `--keep FIELD` for each field to break down by.

    options:
      --now TIMESTAMP        the time statuses are judged at (default:
                             $SOURCE_DATE_EPOCH when set, else the current time)
      --from DATE, --to DATE only incidents whose clock is on or after --from
                             and on or before --to (dates, or timestamps; UTC)
      --every month|week     the trend's period (default month; weeks start
                             on Monday, UTC)
      --by FIELD             a breakdown by the value of FIELD
      --format text|json|csv|html
                             text for a terminal (default, 80 columns); JSON
                             or CSV (docs/report.md); html: one page with
                             charts, no network, printable
      --output FILE          write the report to FILE
      --results              the operands are saved `amends run` results
      --policy FILE          with --results: the policy, to list the rules
                             that never fired and to name the report
      --input-format json|jsonl|csv
                             the records' format when the file name does not say
      --threads N            evaluate on N threads (default: every core)

    exit status: 0 every record read, 1 some records (or result lines)
                 could not be read, 2 the policy has errors, a bad command
                 line, or an input or output that failed

    """

    static func main(_ args: [String]) -> Int32 {
        guard let parsed = parse(args, valued: ["--format", "--now", "--from", "--to", "--by", "--every", "--output",
                                                "--policy", "--input-format", "--threads"],
                                 switches: ["--results"]) else { return 2 }
        let format: String, every: String
        do {
            format = try parsed.choice("--format", ["text", "json", "csv", "html"], default: "text")
            every = try parsed.choice("--every", ["month", "week"], default: "month")
        } catch let problem as Arguments.Problem {
            return CLI.usage(problem, command: name)
        } catch { return 2 }
        var from: Int64?, to: Int64?
        for option in ["--from", "--to"] {
            guard let text = parsed.value(option) else { continue }
            guard case .success(let t) = TimestampLiteral.parse(Array(text.utf8)) else {
                return CLI.usage("`\(option)` needs a date, not `\(text)`", command: name,
                                 help: "write it as 2016-03-01 (or a timestamp, 2016-03-01T09:00:00Z)")
            }
            var seconds = t.epochSeconds()
            // A date alone for --to takes in the whole day.
            if option == "--to" { seconds += t.hour == nil ? 86_400 : 1 }
            if option == "--from" { from = seconds } else { to = seconds }
        }
        if let from, let to, to <= from {
            return CLI.usage("`--to` is before `--from`", command: name)
        }
        let period = ReportPeriod(rawValue: every) ?? .month
        var report = Report(period: period, by: parsed.value("--by"), from: from, to: to)
        var context = ReportContext(title: "", now: nil)
        var failedLines = 0

        if parsed.has("--results") {
            guard !parsed.operands.isEmpty else {
                return CLI.usage("no results given", command: name,
                                 help: "name files of `amends run --for-report` output: `amends report --results jan.jsonl feb.jsonl`")
            }
            if let policyPath = parsed.value("--policy") {
                guard let program = compile(policyPath) else { return 2 }
                report.policyRules = ReportRunner.rules(of: program.program)
                context.title = program.title
            } else {
                context.title = parsed.operands.joined(separator: ", ")
            }
            if let text = parsed.value("--now") {
                // The statuses were judged when the results were written;
                // --now only says so in the heading.
                guard case .success(let t) = TimestampLiteral.parse(Array(text.utf8)) else {
                    return CLI.usage("`--now` needs a timestamp, not `\(text)`", command: name,
                                     help: "write it as 2026-03-02T09:00:00Z")
                }
                context.now = t.epochSeconds()
            }
            var names = ReportNames()
            var sum = ReportAccumulator(report)
            for path in parsed.operands {
                let bytes: [UInt8]
                if path == "-" {
                    bytes = readStandardInput()
                } else {
                    switch FileSystem.read(path) {
                    case .failure(let failure):
                        Console.err.write("error: \(failure)\n")
                        return 2
                    case .success(let b): bytes = b
                    }
                }
                var lineNumber = 0
                for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
                    lineNumber += 1
                    let text = String(decoding: line, as: UTF8.self)
                    if text.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { continue }
                    switch ReportRecord.parse(line: text, by: report.by, names: &names) {
                    case .success(let r): sum.add(r, names: names)
                    case .failure(let e):
                        failedLines += 1
                        if failedLines <= 20 { Console.err.write("error: \(path):\(lineNumber): \(e.message)\n") }
                    }
                }
            }
            if failedLines > 20 { Console.err.write("error: … \(failedLines - 20) more lines could not be read\n") }
            report = sum.finished(names: names)
            report.finish()
        } else {
            guard let policyPath = parsed.operands.first else {
                return CLI.usage("no policy given", command: name,
                                 help: "try `amends report policies/standard.policy policies/standard.jsonl`")
            }
            let inputs = Array(parsed.operands.dropFirst())
            guard !inputs.isEmpty else {
                return CLI.usage("no records given", command: name,
                                 help: "name record files after the policy, or - for standard input")
            }
            guard let compiled = compile(policyPath) else { return 2 }
            let program = compiled.program
            context.title = compiled.title
            let now: Int64
            if let text = parsed.value("--now") {
                switch TimestampLiteral.parse(Array(text.utf8)) {
                case .success(let t): now = program.schema.zone.epochSeconds(t)
                case .failure(let error):
                    return CLI.usage("`--now` needs a timestamp: \(error.message)", command: name,
                                     help: "write it as 2026-03-02T09:00:00Z")
                }
            } else {
                now = CLI.defaultNow()
            }
            context.now = now
            var byField: Int?
            if let by = report.by {
                let names = program.schema.fields.map(\.name)
                guard let f = names.firstIndex(of: by) else {
                    let suggestion = Suggest.closest(to: by, in: names).map { "did you mean `\($0)`? " } ?? ""
                    return CLI.usage("`--by`: the record has no field `\(by)`", command: name,
                                     help: suggestion + "the fields are \(names.map { "`\($0)`" }.joined(separator: ", "))")
                }
                byField = f
            }
            var inputFormat: RecordFormat?
            if let f = parsed.value("--input-format") {
                guard ["json", "jsonl", "ndjson", "csv"].contains(f) else {
                    return CLI.usage("`--input-format` must be json, jsonl or csv, not `\(f)`", command: name)
                }
                inputFormat = RecordFormat(name: f)
            }
            var threads = Runner.processorCount
            if let text = parsed.value("--threads") {
                guard let n = Int(text), n >= 1, n <= 256 else {
                    return CLI.usage("`--threads` needs a number from 1 to 256, not `\(text)`", command: name)
                }
                threads = n
            }
            let runner = ReportRunner(program: program, now: now, threads: threads, template: report, byField: byField)
            var streams: [(String, RecordStream)] = []
            for input in inputs {
                switch RecordStream.open(input, format: inputFormat) {
                case .failure(let failure):
                    Console.err.write("error: \(failure)\n")
                    return 2
                case .success(let stream): streams.append((input, stream))
                }
            }
            var whole = report
            whole.policyRules = ReportRunner.rules(of: program)
            for (input, stream) in streams {
                let part = runner.run(stream)
                if let failure = stream.failure {
                    Console.err.write("error: reading `\(input)` stopped: \(failure)\n")
                    return 2
                }
                if stream.format == .csv, let map = stream.columnMap(for: program.schema) {
                    for warning in map.warnings { Console.err.write("warning: \(input): \(warning)\n") }
                }
                whole.merge(part)
            }
            whole.finish()
            report = whole
        }

        let text: String
        switch format {
        case "json": text = report.json(context).rendered()
        case "csv": text = report.csv(context)
        case "html": text = report.html(context)
        default: text = report.text(context)
        }
        if let path = parsed.value("--output") {
            switch OutputTarget.file(path) {
            case .failure(let failure):
                Console.err.write("error: cannot write `\(path)`: \(failure.reason)\n")
                return 2
            case .success(let target):
                var bytes = Array(text.utf8)
                let ok = bytes.withUnsafeMutableBufferPointer { target.write(UnsafeBufferPointer($0)) }
                switch target.finish(complete: ok) {
                case .written: break
                case .readerGone: return 0
                case .failed(let reason):
                    Console.err.write("error: could not write the report to `\(path)`: \(reason)\n")
                    return 2
                case .discarded:
                    Console.err.write("error: could not write the report to `\(path)`\n")
                    return 2
                }
            }
        } else {
            Console.out.write(text)
            Console.out.flush()
            if let failure = Console.out.takeFailure(), !Console.out.readerGone {
                Console.err.write("error: could not write the report: \(FileSystem.describe(errno: failure))\n")
                return 2
            }
        }
        if report.errors > 0 {
            Console.err.write("\(report.errors) of \(report.records) records could not be read\n")
        }
        return report.errors > 0 || failedLines > 0 ? 1 : 0
    }

    struct Loaded {
        var program: Program
        var title: String
    }

    /// The policy, compiled, or nil after saying why not.
    static func compile(_ path: String) -> Loaded? {
        switch Driver.compile(path: path) {
        case .failure(let failure):
            Console.err.write("error: \(failure)\n")
            return nil
        case .success(let compiled):
            let errors = compiled.diagnostics.filter { $0.level == .error }
            guard let program = compiled.program, errors.isEmpty else {
                Console.err.write(DiagnosticRenderer(color: wantsColor(fd: 2)).render(errors))
                Console.err.write("error: `\(path)` has errors; no report was made\n")
                return nil
            }
            var title = path
            for item in compiled.loaded.items {
                if case .policyName(let s) = item.item.kind { title = s.value; break }
            }
            return Loaded(program: program, title: title)
        }
    }

    static func readStandardInput() -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return bytes
    }
}
