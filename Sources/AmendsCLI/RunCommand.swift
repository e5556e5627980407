#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Amends

/// `amends run POLICY [RECORDS…]`: the main job.
enum RunCommand: Command {
    static let name = "run"
    static let summary = "run a policy on incident records: the required actions of each"
    static let usage = "amends run [OPTIONS] POLICY [RECORDS…]"
    static let help = """
    Reads incident records (JSON, JSON Lines or CSV files, or - for standard
    input; standard input too when no records are given) and writes, for
    each record in input order, the actions the policy requires: one JSON
    line per record, with deadlines and the rules that produced each action.
    A record that cannot be read gets an error line at its position and the
    rest go on: as many lines out as records in. With several inputs the
    records are numbered on from one input to the next, and every line names
    its input: an "input" member (the name as given, - for standard input),
    or `record 3 from b.csv` in text.

    options:
      --format json|text     JSON lines (default) or text for people (deadlines in
                             the calendar's time zone, then in UTC; with a
                             `done:` block each record is a worklist: overdue
                             first, then due soonest, margins in words)
      --now TIMESTAMP        the time deadlines count from when a record has no
                             clock value, `age` is measured at, and each
                             action's status is judged at (default:
                             $SOURCE_DATE_EPOCH when set, else the current
                             time; give one for repeatable output)
      --input-format json|jsonl|csv
                             the records' format when the file name does not say
      --threads N            evaluate on N threads (default: every core)
      --history FILE         earlier incidents, read before the records, for a policy
                             with `history by`: they are the history, not results
      --output FILE          write the results to FILE, replaced only when the run
                             is complete and every byte written (else left as it was)
      --status S,S…          only the actions with these statuses, and only the
                             records that have any (a worklist: `--status
                             overdue,open`); statuses are on_time, late, open,
                             overdue, done, not_tracked (Grammar.md §8,
                             "Progress"); needs a policy with a `done:` block
      --explain              why each rule did or did not fire and how each deadline
                             was counted: after each result (text), or as the
                             line's `explain` member (json), as `amends explain` gives it
      --for-report           each JSON line also has the record's `clock` and the
                             rules that `fired`, for `amends report --results`
      --keep FIELD,…         with --for-report: a `fields` member with these
                             fields' values (for `amends report --by FIELD`)

    A reader that stops reading (`amends run … | head -1`) ends the run
    early and quietly, with status 0.

    exit status: 0 every record read, 1 some records could not be read,
                 2 the policy has errors, a bad command line, an input not
                 readable to its end, or results that could not be written

    """

    static func main(_ args: [String]) -> Int32 {
        guard let parsed = parse(args, valued: ["--format", "--now", "--threads", "--output", "--input-format", "--history", "--status", "--keep"],
                                 switches: ["--explain", "--for-report"]) else { return 2 }
        guard let policyPath = parsed.operands.first else {
            return CLI.usage("no policy given", command: name, help: "try `amends run policies/standard.policy policies/standard.jsonl`")
        }
        var inputs = Array(parsed.operands.dropFirst())
        if inputs.isEmpty {
            if isatty(0) == 1 {
                return CLI.usage("no records given", command: name,
                                 help: "name record files after the policy, or pipe records in: `… | amends run \(policyPath) -`")
            }
            inputs = ["-"]
        }
        let format: Runner.Format
        var inputFormat: RecordFormat?
        do {
            format = Runner.Format(rawValue: try parsed.choice("--format", ["json", "text"], default: "json")) ?? .json
            if let f = parsed.value("--input-format") {
                let chosen = try parsed.choice("--input-format", ["json", "jsonl", "ndjson", "csv"], default: f)
                inputFormat = RecordFormat(name: chosen)
            }
        } catch let problem as Arguments.Problem {
            return CLI.usage(problem, command: name)
        } catch { return 2 }

        // The policy.
        let compiled: Driver.Compiled
        switch Driver.compile(path: policyPath) {
        case .failure(let failure):
            Console.err.write("error: \(failure)\n")
            return 2
        case .success(let c): compiled = c
        }
        let errors = compiled.diagnostics.filter { $0.level == .error }
        guard let program = compiled.program, errors.isEmpty else {
            Console.err.write(DiagnosticRenderer(color: wantsColor(fd: 2)).render(errors))
            Console.err.write("error: `\(policyPath)` has \(Summary.plural(errors.count, "error")); no records were run\n")
            return 2
        }

        // Options.
        var options = Runner.Options()
        options.format = format
        if let text = parsed.value("--now") {
            switch TimestampLiteral.parse(Array(text.utf8)) {
            case .success(let t): options.now = program.schema.zone.epochSeconds(t)
            case .failure(let error):
                return CLI.usage("`--now` needs a timestamp: \(error.message)", command: name,
                                 help: "write it as 2026-03-02T09:00:00Z")
            }
        } else {
            options.now = CLI.defaultNow()
        }
        if let text = parsed.value("--threads") {
            guard let n = Int(text), n >= 1, n <= 256 else {
                return CLI.usage("`--threads` needs a number from 1 to 256, not `\(text)`", command: name)
            }
            options.threads = n
        }
        if let text = parsed.value("--status") {
            let words = ProgressStatus.allCases.map(\.jsonName)
            var statuses = Set<ProgressStatus>()
            for word in text.split(separator: ",", omittingEmptySubsequences: false) {
                guard let status = ProgressStatus(rawValue: String(word)) else {
                    return CLI.usage("`--status` takes statuses separated by commas, not `\(word)`", command: name,
                                     help: "the statuses are \(words.joined(separator: ", ")), e.g. `--status overdue,open`")
                }
                statuses.insert(status)
            }
            guard program.tracking != nil else {
                return CLI.usage("`\(policyPath)` tracks no progress: it has no `done:` block", command: name,
                                 help: "say which record field shows each action was done (Grammar.md §4, `done:`), e.g.\n    done:\n      respond: responded_at")
            }
            options.statuses = statuses
        }
        if parsed.has("--for-report") || parsed.value("--keep") != nil {
            var keep: [Int] = []
            let names = program.schema.fields.map(\.name)
            for text in parsed.all("--keep") {
                for word in text.split(separator: ",") {
                    guard let f = names.firstIndex(of: String(word)) else {
                        let suggestion = Suggest.closest(to: String(word), in: names).map { "did you mean `\($0)`? " } ?? ""
                        return CLI.usage("`--keep`: the record has no field `\(word)`", command: name,
                                         help: suggestion + "the fields are \(names.map { "`\($0)`" }.joined(separator: ", "))")
                    }
                    if !keep.contains(f) { keep.append(f) }
                }
            }
            options.members = ReportMembers.maker(program: program, keep: keep)
        }
        if parsed.has("--explain") {
            options.annotate = { program, record in RunExplain.annotate(program, record, format: format) }
        }

        // Open every input first: a missing file is a command-line mistake.
        var streams: [(String, RecordStream)] = []
        for input in inputs {
            switch RecordStream.open(input, format: inputFormat) {
            case .failure(let failure):
                Console.err.write("error: \(failure)\n")
                return 2
            case .success(let stream): streams.append((input, stream))
            }
        }

        let output: OutputTarget
        if let path = parsed.value("--output") {
            switch OutputTarget.file(path) {
            case .failure(let failure):
                Console.err.write("error: cannot write `\(path)`: \(failure.reason)\n")
                return 2
            case .success(let target): output = target
            }
        } else {
            output = OutputTarget()
        }

        let runner = Runner(program: program, options: options)
        if let path = parsed.value("--history") {
            guard program.model.historyKey != nil else {
                return CLI.usage("`--history` is for a policy that reads history, and \(policyPath) has no `history by` line",
                                 command: name, help: "add `history by FIELD` to the policy, or leave `--history` out")
            }
            switch RecordStream.open(path, format: inputFormat) {
            case .failure(let failure):
                Console.err.write("error: \(failure)\n")
                return 2
            case .success(let stream):
                let summary = runner.readHistory(stream)
                if let failure = stream.failure {
                    Console.err.write("error: reading the history `\(path)` stopped: \(failure)\n")
                    return 2
                }
                if summary.errors > 0 {
                    Console.err.write("warning: \(Summary.plural(summary.errors, "record")) of \(summary.records) in the history `\(path)` could not be read and are left out of it\n")
                }
            }
        }
        var number = 1
        var failed = 0
        var readError = false
        for (input, stream) in streams {
            let summary = runner.run(stream, firstNumber: number, inputName: streams.count > 1 ? input : nil,
                                     writeOrStop: { bytes in output.write(bytes) })
            if stream.format == .csv, let map = stream.columnMap(for: program.schema) {
                for warning in map.warnings { Console.err.write("warning: \(input): \(warning)\n") }
            }
            if summary.stopped { break }     // the output is gone: nothing more to do
            if let failure = stream.failure {
                Console.err.write("error: reading `\(input)` stopped: \(failure)\n")
                readError = true
            }
            number += summary.records
            failed += summary.errors
        }
        switch output.finish(complete: !readError) {
        case .readerGone:
            return 0        // `amends run … | head -1`: the reader has what it wanted
        case .failed(let reason):
            Console.err.write("error: could not write the results to \(output.name): \(reason)\n")
            if let path = output.path { Console.err.write("  = note: `\(path)` was left as it was\n") }
            return 2
        case .discarded:
            if let path = output.path { Console.err.write("  = note: the results are incomplete, so `\(path)` was left as it was\n") }
        case .written:
            break
        }
        if failed > 0 {
            Console.err.write("\(Summary.plural(failed, "record")) of \(number - 1) could not be read\n")
        }
        if readError { return 2 }
        return failed > 0 ? 1 : 0
    }
}

/// Where results go: standard output, or a file that replaces its target
/// only once the run is complete and every byte is written (the results
/// go to a temporary file beside it, synced, then renamed over it). On any
/// failure, or a signal that ends the run, the temporary file is removed
/// and the target is left as it was.
final class OutputTarget {
    /// How writing ended.
    enum Outcome: Equatable {
        case written
        /// Standard output's reader went away (a closed pipe): not an error.
        case readerGone
        case failed(String)
        /// The run was incomplete: the file was not replaced.
        case discarded
    }

    struct Failure: Error {
        var reason: String
    }

    /// The file being written, nil for standard output.
    let path: String?
    private let temp: String?
    private var fd: Int32
    /// The `errno` of the first write to the file that failed.
    private var error: Int32?

    /// For messages: "`out.jsonl`" or "standard output".
    var name: String { path.map { "`\($0)`" } ?? "standard output" }

    /// Standard output.
    init() {
        path = nil
        temp = nil
        fd = 1
    }

    private init(path: String, temp: String, fd: Int32) {
        self.path = path
        self.temp = temp
        self.fd = fd
    }

    /// A file, written beside `path` until `finish`.
    static func file(_ path: String) -> Result<OutputTarget, Failure> {
        let temp = path + ".amends-tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { return .failure(Failure(reason: FileSystem.describe(errno: errno))) }
        var st = stat()
        if stat(path, &st) == 0 { fchmod(fd, st.st_mode & 0o7777) }    // the target keeps its mode
        PendingFile.set(temp)
        return .success(OutputTarget(path: path, temp: temp, fd: fd))
    }

    /// Writes results; false once the output is gone (the run then stops).
    func write(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard temp != nil else {
            Console.out.write(unbuffered: bytes)
            return !Console.out.closed
        }
        guard error == nil else { return false }
        let raw = UnsafeRawBufferPointer(bytes)
        guard let base = raw.baseAddress else { return true }
        var offset = 0
        while offset < raw.count {
            let n = Glibc.write(fd, base + offset, raw.count - offset)
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                error = n < 0 ? errno : EIO
                return false
            }
            offset += n
        }
        return true
    }

    /// Flushes; for a file, syncs it and renames it into place when the run
    /// is `complete` and every write succeeded, else removes it.
    func finish(complete: Bool) -> Outcome {
        guard let temp, let path else {
            Console.out.flush()
            if Console.out.readerGone {
                _ = Console.out.takeFailure()
                return .readerGone
            }
            if let failure = Console.out.takeFailure() { return .failed(FileSystem.describe(errno: failure)) }
            return .written
        }
        defer { PendingFile.clear() }
        if let error {
            close(fd)
            unlink(temp)
            return .failed(FileSystem.describe(errno: error))
        }
        guard complete else {
            close(fd)
            unlink(temp)
            return .discarded
        }
        if fsync(fd) != 0 || close(fd) != 0 || rename(temp, path) != 0 {
            let reason = FileSystem.describe(errno: errno)
            unlink(temp)
            return .failed(reason)
        }
        return .written
    }
}

/// The temporary output file of a run, removed if a signal (Ctrl-C, a
/// `kill`) ends the process before the run does: the target is then left
/// as it was, and nothing half-written stays beside it.
enum PendingFile {
    // Read only by the signal handler, set and cleared on the main thread.
    nonisolated(unsafe) static var path: UnsafeMutablePointer<CChar>?
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// The signals whose handler was replaced (not those ignored on entry,
    /// as `nohup` leaves SIGHUP).
    nonisolated(unsafe) static var caught: [Int32] = []

    static func set(_ temp: String) {
        path = strdup(temp)
        for s in signals {
            let before = signal(s, removeAndDie)
            if isIgnored(before) {
                signal(s, SIG_IGN)
            } else {
                caught.append(s)
            }
        }
    }

    static func isIgnored(_ handler: __sighandler_t?) -> Bool {
        unsafeBitCast(handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }

    static func clear() {
        for s in caught { signal(s, SIG_DFL) }
        caught = []
        let p = path
        path = nil
        free(p)
    }
}

/// A signal handler: only async-signal-safe calls (unlink, signal, raise).
private func removeAndDie(_ s: Int32) {
    if let p = PendingFile.path { unlink(p) }
    signal(s, SIG_DFL)
    raise(s)
}
