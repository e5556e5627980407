import Amends

/// Where `amends explain` gets its record: inline text, a file (its Nth
/// record) or standard input (`-`). JSON and CSV are read by the same
/// readers as `amends run`; a record in the language's own literal syntax
/// (`{severity: high}`) as an example's `given` is.
enum ExplainInput {
    /// Why the record could not be read, and the exit status that goes with it.
    struct Failure: Error {
        var diagnostics: [Diagnostic] = []
        var message: String?
        var help: String?
        /// 1: the record is wrong; 2: the command line or the file is.
        var status: Int32
    }

    static func read(_ operand: String, number: Int, compiled: Driver.Compiled,
                     program: Program) -> Result<RecordLiteral.Read, Failure> {
        if trimmed(operand).first == "{" {
            if case .success(let value) = JSONValue.parse(operand) {
                return RecordLiteral.read(json: value, program: program)
                    .mapError { Failure(diagnostics: $0.diagnostics, message: $0.message, status: 1) }
            }
            return RecordLiteral.read(operand, name: "<record>", compiled: compiled, program: program)
                .mapError { Failure(diagnostics: $0.diagnostics, message: $0.message, status: 1) }
        }
        let stream: RecordStream
        switch RecordStream.open(operand) {
        case .success(let s): stream = s
        case .failure(let failure):
            var help: String?
            if operand.contains(":") && !operand.contains("/") {
                help = "to give the record itself, write it in braces: '{\(operand)}'"
            }
            return .failure(Failure(message: "\(failure)", help: help, status: 2))
        }
        return RecordLiteral.read(stream, number: number, program: program).mapError { failure in
            // No such record is a command-line mistake; a record that
            // cannot be read is the record's.
            Failure(diagnostics: failure.diagnostics, message: failure.message, status: failure.noSuchRecord ? 2 : 1)
        }
    }

    static func trimmed<S: StringProtocol>(_ s: S) -> Substring {
        var t = Substring(s)
        while let c = t.first, c == " " || c == "\t" || c == "\n" || c == "\r" { t = t.dropFirst() }
        while let c = t.last, c == " " || c == "\t" || c == "\n" || c == "\r" { t = t.dropLast() }
        return t
    }
}
