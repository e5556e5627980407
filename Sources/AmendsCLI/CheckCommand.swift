import Amends

/// `amends check PATHS…`: validate policies for CI.
enum CheckCommand: Command {
    static let name = "check"
    static let summary = "validate policies (files, folders, or - for standard input)"
    static let usage = "amends check [--format human|json|sarif|github] [--allow CODES] [--deny-warnings] PATHS…"
    static let formats = ["human", "json", "sarif", "github"]

    static var help: String {
        let text = """
        Checks every policy file given, and every *.policy and *.examples file
        under each folder given (`-`: a policy on standard input, named <stdin>,
        its `use`s relative to the working folder): its syntax, its names and types, its examples' records, and then,
        for a policy without errors, what it does (conditions that never hold,
        rules that add nothing, names never used, waivers with nothing to waive,
        levels no rule covers, higher levels that get less) and the lints from
        the service-recovery research. A file that another checked file `use`s
        is reported once, under its own name.

        The lints read what the policy marks as serious and whose fault an
        incident is (`serious: severity >= high`, `our fault: caused_by = us`,
        `client fault: caused_by = customer`; Grammar.md §4); without a mark,
        levels named `high` or `critical` are serious, and a `caused_by` or
        `fault` field's values `us` and `customer` (or `client`) say whose fault.

        options:
          --format FORMAT   human (the default: file:line:col, the source line, a
                            caret and a suggested fix), json (a stable report,
                            see docs/check.md), sarif (SARIF 2.1.0 for code
                            scanning) or github (workflow annotations)
          --allow CODES     silence these warnings for the whole run; codes or
                            names, repeatable, comma-separated (--allow W308,W310)
          --deny-warnings   warnings fail the run as errors do

        In a policy, `# amends: allow W308` after code silences that finding on
        its line; on a line of its own, on the next line with code. A rule
        header or define over several lines counts as one line. Errors
        cannot be allowed.

        The summary line goes to standard output after the human format, and
        to standard error with the other formats (standard output then holds
        only the report).

        exit status: 0 clean, 1 warnings with --deny-warnings, 2 a policy with
                     errors, a bad command line or a path that cannot be read
                     (the same as `run` and `test`: docs/ci.md)

        codes:

        """
        return text + CodeDocs.list() + "\nEach code is documented with a bad and a good example in docs/check.md.\n"
    }

    static func main(_ args: [String]) -> Int32 {
        guard let parsed = parse(args, valued: ["--format", "--allow"], switches: ["--deny-warnings"]) else { return 2 }
        let format: String
        do {
            format = try parsed.choice("--format", formats, default: "human")
        } catch let problem as Arguments.Problem {
            return CLI.usage(problem, command: name)
        } catch {
            return 2
        }
        var allowed = Set<DiagnosticCode>()
        for word in parsed.all("--allow").flatMap({ $0.split(separator: ",") }).map({ String($0).trimmed }) where !word.isEmpty {
            guard let code = Suppression.code(named: word) else {
                let warnings = DiagnosticCode.allCases.filter { $0.info.level != .error }
                return CLI.usage("unknown code `\(word)` for `--allow`", command: name,
                                 help: Suggest.didYouMean(word, in: warnings.map(\.rawValue) + warnings.map(\.info.name))
                                     ?? "`amends help check` lists the codes")
            }
            guard code.info.level != .error else {
                return CLI.usage("`\(code.rawValue)` is an error, and errors cannot be allowed", command: name,
                                 help: "fix the error; only warnings (`W…`) can be allowed")
            }
            allowed.insert(code)
        }
        guard !parsed.operands.isEmpty else {
            return CLI.usage("no policy files or folders given", command: name, help: "try `amends check policies/`")
        }
        let run = CheckRun(options: PolicyCheck.Options(allowed: allowed), denyWarnings: parsed.has("--deny-warnings"))
        let report = run.run(operands: parsed.operands)
        for u in report.unreadable { Console.err.write("error: \(u.message)\n") }
        switch format {
        case "json":
            Console.out.write(report.json())
            Console.err.write(report.summaryLine + "\n")
        case "sarif":
            Console.out.write(report.sarif(root: WorkingFolder.path))
            Console.err.write(report.summaryLine + "\n")
        case "github":
            Console.out.write(report.github())
            Console.err.write(report.summaryLine + "\n")
        default:
            // Rendering thousands of findings is worth every core too.
            let renderer = DiagnosticRenderer(color: wantsColor(fd: 1))
            let batches = stride(from: 0, to: report.diagnostics.count, by: 256).map {
                Array(report.diagnostics[$0..<min($0 + 256, report.diagnostics.count)])
            }
            for text in CheckRun.parallelMap(batches, { renderer.render($0) }) { Console.out.write(text) }
            Console.out.write(report.summaryLine + "\n")
        }
        return report.exitCode
    }
}

private extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmed: String {
        var s = self[...]
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return String(s)
    }
}

/// Turns the paths a user gave into policy files: files as given, folders
/// searched recursively for `*.policy`.
enum PolicyPaths {
    static func expand(_ operands: [String], suffixes: [String] = [".policy"]) -> (files: [String], problems: [String]) {
        var files: [String] = []
        var problems: [String] = []
        for operand in operands {
            if FileSystem.isDirectory(operand) {
                let found = FileSystem.files(under: operand, suffixes: suffixes)
                if found.isEmpty {
                    problems.append("no \(suffixes.joined(separator: " or ")) files under `\(operand)`")
                }
                files += found
            } else if FileSystem.exists(operand) {
                files.append(operand)
            } else {
                problems.append("cannot read `\(operand)`: no such file or directory")
            }
        }
        var seen = Set<String>()
        files = files.filter { seen.insert(FileSystem.canonical($0)).inserted }
        return (files, problems)
    }
}

enum Summary {
    static func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

    /// `2 errors, 3 warnings in 7 files`
    static func line(errors: Int, warnings: Int, files: Int) -> String {
        "\(plural(errors, "error")), \(plural(warnings, "warning")) in \(plural(files, "file"))"
    }
}
