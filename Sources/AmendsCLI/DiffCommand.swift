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
    static let usage = "amends diff [OPTIONS] OLD NEW [RECORDS…]"
    static let help = """
    OLD and NEW are policy files (or - for one read from standard input,
    whose `use`s are found from the current folder), or two folders, whose
    .policy files are compared by relative path (a file on one side only is
    reported, and is a difference).

    With RECORDS, runs every record through both policies and says, for
    each record whose required actions differ, what was added, removed and
    changed: a deadline earlier or later and by how much, components,
    remedies, channel, the assignee, waives. Then a summary counts each
    distinct change, with up to 3 example records. With CSV records, a
    column one policy reads that the input lacks, or a field the two read
    from different columns, is warned about.

    Without RECORDS, finds from the two policies alone the distinct ways an
    incident is treated differently, each with a witness incident (a `given`
    line to paste into an example, and a JSON record in --format json), each
    confirmed by running both policies on it; or proves that no incident is
    treated differently; or says it could not decide within the bound: at
    most --budget solver steps (default 2000000: about 2 s with the release
    build on 2 cores; the shipped policies need under 4000).

    Either way the actions are compared, not the rules: a rule only renamed,
    moved or reformatted is no change in what is required, nor is a waive
    that removes nothing. docs/diff.md has the JSON schema.

        git show main:policies/x.policy | amends diff - policies/x.policy records.jsonl
        amends diff --format markdown old-policies/ policies/

    options:
      --format text|json|markdown
                             for people (default), for programs, or Markdown to post
                             as a pull-request comment (a table and <details>)
      --now TIMESTAMP        the time deadlines count from when a record has no
                             clock value, and `age` is measured at (default:
                             $SOURCE_DATE_EPOCH when set, else now)
      --input-format json|jsonl|csv
                             the records' format when the file name does not say
      --budget STEPS         without records: the solver steps allowed in all

    exit status: 0 nothing required changes (without records: proved),
                 1 something does (or a record is read by one policy only, or
                 a file is in one folder only), 2 a policy has errors, a bad
                 command line, an input not readable to its end, or (without
                 records) it could not be decided within the bound

    """

    /// The options every pair of policies is compared with.
    struct Options {
        var format: DiffReport.Format
        var inputFormat: RecordFormat?
        var now: String?
        var budget = PolicyComparison.defaultBudget
    }

    static func main(_ args: [String]) -> Int32 {
        guard let parsed = parse(args, valued: ["--format", "--now", "--input-format", "--budget"]) else { return 2 }
        let operands = parsed.operands
        guard operands.count >= 2 else {
            return CLI.usage("`amends diff` needs the old policy and the new policy", command: name,
                             help: "try `amends diff old.policy new.policy` or `amends diff old.policy new.policy records.jsonl`")
        }
        var options: Options
        do {
            let chosen = try parsed.choice("--format", DiffReport.Format.allCases.map(\.rawValue), default: "text")
            options = Options(format: DiffReport.Format(rawValue: chosen) ?? .text, now: parsed.value("--now"))
            if let f = parsed.value("--input-format") {
                options.inputFormat = RecordFormat(name: try parsed.choice("--input-format", ["json", "jsonl", "ndjson", "csv"], default: f))
            }
        } catch let problem as Arguments.Problem {
            return CLI.usage(problem, command: name)
        } catch { return 2 }
        if let text = parsed.value("--budget") {
            guard let n = Int(text), n > 0, n <= 1_000_000_000 else {
                return CLI.usage("`--budget` needs a number of solver steps from 1 to 1000000000, not `\(text)`", command: name)
            }
            options.budget = n
        }
        let policies = Array(operands[0..<2])
        let inputs = Array(operands.dropFirst(2))
        if policies.allSatisfy({ $0 == "-" }) {
            return CLI.usage("only one of OLD and NEW can be read from standard input", command: name)
        }
        if policies.contains("-") && inputs.contains("-") {
            return CLI.usage("standard input cannot hold both a policy and records", command: name)
        }
        let folders = policies.map { $0 != "-" && FileSystem.isDirectory($0) }
        if folders[0] != folders[1] {
            return CLI.usage("OLD and NEW must both be policy files or both be folders", command: name,
                             help: "compare `\(policies[folders[0] ? 1 : 0])` with the file of the same name in `\(policies[folders[0] ? 0 : 1])`")
        }
        if folders[0] { return compareFolders(policies[0], policies[1], inputs: inputs, options) }
        return compare(policies[0], policies[1], inputs: inputs, options)
    }

    // MARK: - Folders

    /// Compares the `.policy` files of two folders by relative path; a file
    /// on one side only is reported (and is a difference).
    static func compareFolders(_ oldDir: String, _ newDir: String, inputs: [String], _ options: Options) -> Int32 {
        func relative(_ dir: String) -> [String] {
            let prefix = dir.hasSuffix("/") ? dir : dir + "/"
            return FileSystem.files(under: dir, suffixes: [".policy"]).map { $0.hasPrefix(prefix) ? String($0.dropFirst(prefix.count)) : $0 }
        }
        let oldFiles = Set(relative(oldDir)), newFiles = Set(relative(newDir))
        let all = oldFiles.union(newFiles).sorted()
        func join(_ dir: String, _ path: String) -> String { (dir.hasSuffix("/") ? dir : dir + "/") + path }
        var status: Int32 = 0
        if options.format == .json {
            var j = JSONBytes()
            j.raw("{\"old\":")
            j.string(oldDir)
            j.raw(",\"new\":")
            j.string(newDir)
            j.raw(",\"files\":[")
            Console.out.write(String(decoding: j.bytes, as: UTF8.self))
        }
        if all.isEmpty { Console.err.write("warning: neither `\(oldDir)` nor `\(newDir)` holds a .policy file\n") }
        for (k, path) in all.enumerated() {
            if options.format == .json && k > 0 { Console.out.write(",\n") }
            guard oldFiles.contains(path), newFiles.contains(path) else {
                let side = oldFiles.contains(path) ? "old" : "new"
                switch options.format {
                case .json:
                    var j = JSONBytes()
                    j.raw("{\"path\":")
                    j.string(path)
                    j.raw(",\"only\":")
                    j.string(side)
                    j.raw("}")
                    Console.out.write(String(decoding: j.bytes, as: UTF8.self))
                case .text:
                    Console.out.write("== \(path): only in \(side == "old" ? oldDir : newDir) (\(side == "old" ? "removed" : "added"))\n\n")
                case .markdown:
                    Console.out.write("### `\(path)`: only in `\(side == "old" ? oldDir : newDir)` (\(side == "old" ? "removed" : "added"))\n\n")
                }
                status = max(status, 1)
                continue
            }
            if options.format == .text { Console.out.write("== \(path)\n") }
            let s = compare(join(oldDir, path), join(newDir, path), inputs: inputs, options)
            if options.format != .json { Console.out.write("\n") }
            status = max(status, s)
        }
        if options.format == .json { Console.out.write("]}\n") }
        return status
    }

    // MARK: - Two policies

    /// Compares two policy files: over records when some are given, else from the policies alone.
    static func compare(_ oldPath: String, _ newPath: String, inputs: [String], _ options: Options) -> Int32 {
        // The policies: errors reported as `amends check` reports them.
        var programs: [Program] = []
        var mains: [String] = []
        var failed = false
        for path in [oldPath, newPath] {
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
        let report = DiffReport(format: options.format, oldName: display(oldPath), newName: display(newPath))

        if inputs.isEmpty {
            if options.now != nil {
                Console.err.write("warning: `--now` is for comparing records; without records each incident found states its own `now`\n")
            }
            var comparison = PolicyComparison(old: old, new: new, budget: options.budget)
            let result = comparison.run()
            Console.out.write(report.policies(result))
            switch result.verdict {
            case .same: return 0
            case .differs: return 1
            case .undecided: return 2
            }
        }

        var now: Int64
        if let text = options.now {
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
            switch RecordStream.open(input, format: options.inputFormat) {
            case .failure(let failure):
                Console.err.write("error: \(failure)\n")
                return 2
            case .success(let stream): streams.append((input, stream))
            }
        }
        for (input, stream) in streams {
            for warning in columnWarnings(stream, old: old, new: new) { Console.err.write("warning: \(input): \(warning)\n") }
        }

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

    /// What a CSV input's header means for the comparison: a column one
    /// policy reads that the input lacks (every record then lacks that
    /// field, for that policy), and a field the two policies read from
    /// different columns. Empty for JSON.
    static func columnWarnings(_ stream: RecordStream, old: Program, new: Program) -> [String] {
        guard let oldMap = stream.columnMap(for: old.schema), let newMap = stream.columnMap(for: new.schema) else { return [] }
        var out: [String] = []
        for (label, program, map) in [("old", old, oldMap), ("new", new, newMap)] {
            for (f, field) in program.model.fields.enumerated() where map.columns.indices.contains(f) && map.columns[f] == nil {
                var message = "the \(label) policy reads `\(field.name)` from the column `\(field.key)`, which the input does not have: "
                    + (field.isRequired ? "no record can be read by the \(label) policy"
                       : field.defaultValue != nil ? "every record takes its default for it"
                       : "it is missing in every record")
                if let near = Suggest.closest(to: field.key, in: map.header) { message += "; did you mean `\(near)`?" }
                out.append(message)
            }
        }
        for (f, field) in old.model.fields.enumerated() {
            guard let g = new.model.fieldIndex(field.name), oldMap.columns.indices.contains(f), newMap.columns.indices.contains(g),
                  let a = oldMap.columns[f], let b = newMap.columns[g], a != b,
                  oldMap.header.indices.contains(a), newMap.header.indices.contains(b) else { continue }
            out.append("`\(field.name)` is read from the column `\(oldMap.header[a])` by the old policy and from `\(newMap.header[b])` by the new one")
        }
        return out
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
