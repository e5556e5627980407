import Amends

/// Where `amends explain` gets its record: inline text, a file (its Nth
/// record) or standard input (`-`).
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
            return literal(operand, name: "<record>", compiled: compiled, program: program)
        }
        let bytes: [UInt8]
        if operand == "-" {
            switch FileSystem.read("/dev/stdin", limit: Lexer.maxFileSize) {
            case .success(let b): bytes = b
            case .failure(let failure): return .failure(Failure(message: "\(failure)", status: 2))
            }
        } else {
            switch FileSystem.read(operand, limit: Lexer.maxFileSize) {
            case .success(let b): bytes = b
            case .failure(let failure):
                var help: String?
                if operand.contains(":") && !operand.contains("/") {
                    help = "to give the record itself, write it in braces: '{\(operand)}'"
                }
                return .failure(Failure(message: "\(failure)", help: help, status: 2))
            }
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let lower = operand.lowercased()
        if lower.hasSuffix(".csv") {
            return .failure(Failure(message: "`explain` does not read CSV files yet",
                                    help: "give the record as JSON or in braces: '{severity: high}'", status: 2))
        }
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
                .filter { !trimmed($0).isEmpty }
            guard number <= lines.count else {
                return .failure(Failure(message: "`\(operand)` has \(lines.count) records, so there is no record \(number)", status: 2))
            }
            return literal(String(lines[number - 1]), name: "\(operand) (record \(number))", compiled: compiled, program: program)
        }
        if trimmed(text).first == "[" {
            return element(text, number: number, name: operand, compiled: compiled, program: program)
        }
        if number != 1 {
            return .failure(Failure(message: "`\(operand)` holds one record, so there is no record \(number)", status: 2))
        }
        return literal(text, name: operand, compiled: compiled, program: program)
    }

    static func trimmed<S: StringProtocol>(_ s: S) -> Substring {
        var t = Substring(s)
        while let c = t.first, c == " " || c == "\t" || c == "\n" || c == "\r" { t = t.dropFirst() }
        while let c = t.last, c == " " || c == "\t" || c == "\n" || c == "\r" { t = t.dropLast() }
        return t
    }

    static func literal(_ text: String, name: String, compiled: Driver.Compiled,
                        program: Program) -> Result<RecordLiteral.Read, Failure> {
        RecordLiteral.read(text, name: name, compiled: compiled, program: program)
            .mapError { Failure(diagnostics: $0.diagnostics, status: 1) }
    }

    /// Record `number` of a JSON array of records.
    static func element(_ text: String, number: Int, name: String, compiled: Driver.Compiled,
                        program: Program) -> Result<RecordLiteral.Read, Failure> {
        RecordLiteral.read(text, name: name, element: number, compiled: compiled, program: program)
            .mapError { Failure(diagnostics: $0.diagnostics, message: $0.message, status: $0.diagnostics.isEmpty ? 2 : 1) }
    }
}
