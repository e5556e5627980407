/// A record written in the language's own literal syntax, as an example's
/// `given` is: `{severity: high, tier: premium}`. Keys may be quoted and
/// values may be JSON strings, so a single JSON object reads too:
/// `{"severity": "high", "reported": "2026-03-02T09:00:00Z"}`.
///
/// Values are typed exactly as an example's are (the checker does it), and
/// mistakes are diagnostics pointing into the literal's text.
package enum RecordLiteral {
    /// A record read for explaining: the buffer the rules see, and which
    /// fields the input gave (the rest are defaults or missing); nil when
    /// the input does not say (a CSV row).
    package struct Read: Sendable {
        package var buffer: RecordBuffer
        package var given: Set<Int>?
    }

    /// Why a record could not be read: diagnostics about its text, or a
    /// message when the text is fine but holds no such record.
    package struct Failure: Error, Sendable {
        package var diagnostics: [Diagnostic]
        package var message: String?
        /// The input is fine but has no record of the number asked for.
        package var noSuchRecord: Bool

        package init(diagnostics: [Diagnostic], message: String? = nil, noSuchRecord: Bool = false) {
            self.diagnostics = diagnostics
            self.message = message
            self.noSuchRecord = noSuchRecord
        }
    }

    /// Reads `text` (named `name` in diagnostics) against a compiled policy.
    /// Defaults fill the fields it does not give; required fields it lacks
    /// stay missing (the explanation says so).
    package static func read(_ text: String, name: String = "<record>", compiled: Driver.Compiled,
                            program: Program) -> Result<Read, Failure> {
        read(text, name: name, element: nil, compiled: compiled, program: program)
    }

    /// Reads record `element` (from 1) of a list of records `[{…}, {…}]`,
    /// or, when `element` is nil, the one record `text` holds.
    package static func read(_ text: String, name: String, element: Int?, compiled: Driver.Compiled,
                            program: Program) -> Result<Read, Failure> {
        let source = SourceText(path: name, text: text)
        let lexer = Lexer.tokenize(source)
        var diagnostics = lexer.diagnostics
        var parser = Parser(source: source, tokens: lexer.tokens, strings: lexer.strings)
        skipLineBreaks(&parser)
        let opener: TokenKind = element == nil ? .lbrace : .lbracket
        guard parser.at(opener) else {
            let help = element == nil ? "write the record as `{severity: high, tier: premium}` or as a JSON object"
                                      : "write the records as a JSON array: `[{\"severity\": \"high\"}]`"
            diagnostics.append(Diagnostic(.expectedToken, element == nil ? "expected a record in braces" : "expected a list of records",
                                          source: source, span: parser.peek.span, help: help))
            return .failure(Failure(diagnostics: diagnostics))
        }
        var expr: Expr
        do {
            expr = try parser.parseValue()
        } catch {
            return .failure(Failure(diagnostics: diagnostics + parser.diagnostics))
        }
        diagnostics += parser.diagnostics
        skipLineBreaks(&parser)
        if !parser.at(.eof) {
            diagnostics.append(Diagnostic(.unexpectedToken, "unexpected text after the record", source: source,
                                          span: parser.peek.span, help: "give one record"))
        }
        if diagnostics.hasErrors { return .failure(Failure(diagnostics: diagnostics)) }
        if let element, case .list(let items) = expr.kind {
            guard items.indices.contains(element - 1) else {
                return .failure(Failure(diagnostics: [], message: "`\(name)` has \(items.count) records, so there is no record \(element)",
                                        noSuchRecord: true))
            }
            expr = items[element - 1]
        }
        guard case .record(let entries) = expr.kind else {
            return .failure(Failure(diagnostics: [Diagnostic(.expectedToken, "expected a record in braces", source: source, span: expr.span,
                                                            help: "write the record as `{severity: high}`")]))
        }
        var checker = Checker(compiled.loaded)
        checker.run()
        checker.diagnostics.removeAll()
        var values: [(field: Int, value: Value)] = []
        checker.flatten(entries, prefix: "", source, into: &values)
        if checker.diagnostics.hasErrors { return .failure(Failure(diagnostics: checker.diagnostics)) }
        return .success(buffer(values, program: program))
    }

    static func skipLineBreaks(_ parser: inout Parser) {
        while parser.at(.newline) || parser.at(.indent) || parser.at(.dedent) { parser.advance() }
    }

    /// The record of the example named `name` in a compiled policy.
    package static func example(named name: String, compiled: Driver.Compiled, program: Program) -> (Read, ExampleModel)? {
        guard let example = compiled.model.examples.first(where: { $0.name == name }) else { return nil }
        var read = buffer(example.record, program: program)
        if let now = example.now { read.buffer.now = Double(now) }
        return (read, example)
    }

    /// Typed values into a buffer, defaults applied; `now` is the clock
    /// field's time (or 0), for the caller to replace.
    static func buffer(_ values: [(field: Int, value: Value)], program: Program) -> Read {
        let schema = program.schema
        var record = RecordBuffer(fieldCount: schema.fields.count)
        for (field, value) in values { schema.assign(field, value, into: &record) }
        _ = schema.finish(&record, requireAll: false)
        if let clock = schema.clockField, record.isPresent(clock) { record.now = record.scalar(clock) }
        return Read(buffer: record, given: Set(values.map(\.field)))
    }
}
