import Amends

/// `amends parse FILE…`: the syntax tree as S-expressions, for debugging the
/// language itself.
enum ParseCommand: Command {
    static let name = "parse"
    static let summary = "print the syntax tree as S-expressions (for debugging the language)"
    static let usage = "amends parse FILES…"
    static let help = """
    Prints each file's syntax tree as S-expressions, one line per statement,
    and its syntax errors.

    """

    static func main(_ args: [String]) -> Int32 {
        guard let parsed = parse(args) else { return 2 }
        guard !parsed.operands.isEmpty else { return CLI.usage("no policy file given", command: "parse") }
        var status: Int32 = 0
        let renderer = DiagnosticRenderer(color: wantsColor(fd: 2))
        for path in parsed.operands {
            switch FileSystem.read(path, limit: Lexer.maxFileSize) {
            case .failure(let failure):
                Console.err.write("error: \(failure)\n")
                status = 2
            case .success(let bytes):
                let file = Parser.parse(SourceText(path: path, bytes: bytes))
                Console.out.write(SExpr.dump(file))
                Console.err.write(renderer.render(file.diagnostics))
                if file.diagnostics.hasErrors && status == 0 { status = 1 }
            }
        }
        return status
    }
}
