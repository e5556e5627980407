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
    rest go on: as many lines out as records in.

    options:
      --format json|text     JSON lines (default) or text for people
      --now TIMESTAMP        the time deadlines count from when a record has no
                             clock value, and `age` is measured at
                             (default: now; give it for repeatable output)
      --input-format json|jsonl|csv
                             the records' format when the file name does not say
      --threads N            evaluate on N threads (default: every core)
      --output FILE          write the results to FILE, replaced only when complete
      --explain              why each rule did or did not fire and how each deadline
                             was counted: after each result (text), or as the
                             line's `explain` member (json), as `amends explain` gives it

    exit status: 0 every record read, 1 some records could not be read,
                 2 the policy has errors, or a bad command line or unreadable input

    """

    static func main(_ args: [String]) -> Int32 {
        guard let parsed = parse(args, valued: ["--format", "--now", "--threads", "--output", "--input-format"],
                                 switches: ["--explain"]) else { return 2 }
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
            var ts = timespec()
            clock_gettime(CLOCK_REALTIME, &ts)
            options.now = Int64(ts.tv_sec)
        }
        if let text = parsed.value("--threads") {
            guard let n = Int(text), n >= 1, n <= 256 else {
                return CLI.usage("`--threads` needs a number from 1 to 256, not `\(text)`", command: name)
            }
            options.threads = n
        }
        if parsed.has("--explain") {
            options.annotate = { evaluator, record in RunExplain.annotate(evaluator, record, format: format) }
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
            guard let target = OutputTarget.file(path) else {
                Console.err.write("error: cannot write `\(path)`\n")
                return 2
            }
            output = target
        } else {
            output = .stdout
        }

        let runner = Runner(program: program, options: options)
        var number = 1
        var failed = 0
        var readError = false
        for (input, stream) in streams {
            let summary = runner.run(stream, firstNumber: number, inputName: streams.count > 1 ? input : nil) { bytes in
                output.write(bytes)
            }
            if stream.format == .csv, let map = stream.columnMap(for: program.schema) {
                for warning in map.warnings { Console.err.write("warning: \(input): \(warning)\n") }
            }
            if let failure = stream.failure {
                Console.err.write("error: reading `\(input)` stopped: \(failure)\n")
                readError = true
            }
            number += summary.records
            failed += summary.errors
        }
        guard output.finish() else {
            Console.err.write("error: could not write the results\n")
            return 2
        }
        if failed > 0 {
            Console.err.write("\(Summary.plural(failed, "record")) of \(number - 1) could not be read\n")
        }
        if readError { return 2 }
        return failed > 0 ? 1 : 0
    }
}

/// Where results go: standard output, or a file that replaces its target
/// only once complete (written beside it, then renamed).
enum OutputTarget {
    case stdout
    case temporary(fd: Int32, temp: String, path: String, failed: Bool)

    static func file(_ path: String) -> OutputTarget? {
        let temp = path + ".amends-tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        return fd < 0 ? nil : .temporary(fd: fd, temp: temp, path: path, failed: false)
    }

    func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        switch self {
        case .stdout:
            Console.out.write(unbuffered: bytes)
        case .temporary(let fd, _, _, _):
            var offset = 0
            let raw = UnsafeRawBufferPointer(bytes)
            guard let base = raw.baseAddress else { return }
            while offset < raw.count {
                let n = Glibc.write(fd, base + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; return }
                offset += n
            }
        }
    }

    /// Flushes; for a file, syncs and renames it into place. False on failure.
    func finish() -> Bool {
        switch self {
        case .stdout:
            Console.out.flush()
            return true
        case .temporary(let fd, let temp, let path, _):
            let ok = fsync(fd) == 0 && close(fd) == 0 && rename(temp, path) == 0
            if !ok { unlink(temp) }
            return ok
        }
    }
}
