#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Amends

/// `amends fmt PATHS…`: rewrite policies into the canonical layout.
enum FmtCommand: Command {
    static let name = "fmt"
    static let summary = "rewrite policies into the canonical layout (--check for CI)"
    static let usage = "amends fmt [--check | --diff] PATHS…"
    static let help = """
    Rewrites every policy file given, and every *.policy and *.examples file
    under each folder given, into the one canonical layout (docs/fmt.md):
    two-space blocks, one space around operators, one spelling for each
    word, long lists wrapped at 100 columns, short one-line rules kept on one
    line, comments and blank-line groups kept. Statements are never
    reordered and the meaning never changes: the formatted file parses to
    the same syntax tree. A file is written (atomically) only when it changes.
    `-` formats standard input to standard output.

    A file with syntax errors is not touched: its errors are printed and the
    other files are still formatted.

    options:
      --check   change nothing; print the name of each file that would change
      --diff    change nothing; print a unified diff of each file that would change

    exit status: 0 all files formatted (with --check or --diff: already
    formatted), 1 with --check or --diff: some files would change, 2 bad
    command line, unreadable or unwritable file, or a file with syntax errors

    """

    enum Mode { case write, check, diff }

    static func main(_ args: [String]) -> Int32 {
        run(args, out: { Console.out.write($0) }, err: { Console.err.write($0) }, color: wantsColor(fd: 2))
    }

    /// The command with its streams passed in (the tests capture them).
    static func run(_ args: [String], out: (String) -> Void, err: (String) -> Void, color: Bool = false,
                    stdin: () -> Result<[UInt8], TextError> = readStandardInput) -> Int32 {
        let parsed: Arguments
        do {
            parsed = try Arguments(args, valued: [], switches: ["--check", "--diff"])
        } catch let problem as Arguments.Problem {
            return CLI.usage(problem, command: name)
        } catch {
            return 2
        }
        guard !parsed.operands.isEmpty else {
            return CLI.usage("no policy files or folders given", command: name, help: "try `amends fmt policies/`")
        }
        let mode: Mode = parsed.has("--diff") ? .diff : parsed.has("--check") ? .check : .write
        let usesStdin = parsed.operands.contains("-")
        if usesStdin && parsed.operands.count > 1 {
            return CLI.usage("`-` (standard input) cannot be mixed with other paths", command: name)
        }
        var inputs: [String] = ["-"]
        if !usesStdin {
            let (paths, problems) = PolicyPaths.expand(parsed.operands, suffixes: [".policy", ".examples"])
            for problem in problems { err("error: \(problem)\n") }
            if !problems.isEmpty { return 2 }
            inputs = paths
        }
        var broken = false
        var changed = false
        let renderer = DiagnosticRenderer(color: color)
        for path in inputs {
            let read = path == "-" ? stdin()
                : FileSystem.read(path, limit: Lexer.maxFileSize).mapError { TextError($0.description) }
            guard case .success(let bytes) = read else {
                if case .failure(let failure) = read { err("error: \(failure)\n") }
                broken = true
                continue
            }
            let shownPath = path == "-" ? "<stdin>" : path
            let file = Parser.parse(SourceText(path: shownPath, bytes: bytes))
            guard let formatted = Formatter.format(file) else {
                err(renderer.render(file.diagnostics))
                err("error: `\(shownPath)` has syntax errors; it was not formatted\n")
                broken = true
                continue
            }
            if path == "-" && mode == .write {
                out(formatted)
                continue
            }
            let output = Array(formatted.utf8)
            guard output != bytes else { continue }
            changed = true
            switch mode {
            case .check:
                out(shownPath + "\n")
            case .diff:
                let old = String(decoding: bytes, as: UTF8.self)
                out(UnifiedDiff.diff(from: old, to: formatted, oldName: shownPath, newName: shownPath))
            case .write:
                if let failure = FileSystem.writeAtomically(path, output) {
                    err("error: cannot write `\(path)`: \(failure.reason)\n")
                    broken = true
                }
            }
        }
        if broken { return 2 }
        return mode != .write && changed ? 1 : 0
    }

    /// Everything on standard input.
    static func readStandardInput() -> Result<[UInt8], TextError> {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(TextError("cannot read standard input: \(String(cString: strerror(errno)))"))
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
            if bytes.count > Lexer.maxFileSize {
                return .failure(TextError("standard input is over the limit of \(Lexer.maxFileSize) bytes"))
            }
        }
        return .success(bytes)
    }
}
