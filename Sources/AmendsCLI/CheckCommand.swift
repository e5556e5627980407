import Amends

/// `amends check PATHS…`: validate policies for CI.
enum CheckCommand: Command {
    static let name = "check"
    static let summary = "validate policies (files, or folders searched for *.policy)"
    static let usage = "amends check PATHS…"
    static let help = """
    Checks every policy file given, and every *.policy file under each folder
    given, and prints each problem as file:line:col with the source line, a
    caret under the mistake and a suggested fix.

    exit status: 0 clean, 1 errors found, 2 bad command line or unreadable file

    """

    static func main(_ args: [String]) -> Int32 {
        guard let parsed = parse(args) else { return 2 }
        guard !parsed.operands.isEmpty else {
            return CLI.usage("no policy files or folders given", command: "check", help: "try `amends check policies/`")
        }
        let (paths, problems) = PolicyPaths.expand(parsed.operands)
        for problem in problems { Console.err.write("error: \(problem)\n") }
        if !problems.isEmpty { return 2 }
        let renderer = DiagnosticRenderer(color: wantsColor(fd: 1))
        var errors = 0
        var warnings = 0
        var unreadable = false
        for path in paths {
            switch FileSystem.read(path, limit: Lexer.maxFileSize) {
            case .failure(let failure):
                Console.err.write("error: \(failure)\n")
                unreadable = true
            case .success(let bytes):
                let file = Parser.parse(SourceText(path: path, bytes: bytes))
                Console.out.write(renderer.render(file.diagnostics))
                errors += file.diagnostics.errorCount
                warnings += file.diagnostics.warningCount
            }
        }
        Console.out.write(Summary.line(errors: errors, warnings: warnings, files: paths.count) + "\n")
        if unreadable { return 2 }
        return errors > 0 ? 1 : 0
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
