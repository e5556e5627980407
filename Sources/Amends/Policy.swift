/// A Policy is a checked, compiled policy, ready to evaluate incidents: the
/// library's entry point.
///
///     import Amends
///     let policy = try Policy(path: "policies/standard.policy")
///     let outcome = try policy.evaluate(json: Array(#"{"severity": "high"}"#.utf8),
///                                       now: 1_772_442_000)
///     for action in outcome.actions { print(action.summary, action.because) }
///
/// A Policy is immutable and `Sendable`; evaluating is thread-safe (each
/// call uses its own scratch space). For many records in a row on one
/// thread, an `Evaluator` on `program` avoids that allocation.
public struct Policy: Sendable {
    package let program: Program
    /// Warnings the checker found (errors make loading fail).
    public let warnings: [Diagnostic]

    /// Loads, checks and compiles the policy file at `path` (with the files it `use`s).
    public init(path: String) throws(PolicyError) {
        switch Driver.compile(path: path) {
        case .failure(let failure): throw PolicyError(diagnostics: [], message: "\(failure)")
        case .success(let compiled): try self.init(compiled)
        }
    }

    /// Checks and compiles policy text; `use` paths are relative to `directory`.
    public init(source: String, path: String = "<string>", directory: String = ".") throws(PolicyError) {
        try self.init(Driver.compile(source: SourceText(path: path, text: source), directory: directory))
    }

    init(_ compiled: Driver.Compiled) throws(PolicyError) {
        guard let program = compiled.program else {
            let errors = compiled.diagnostics.filter { $0.level == .error }
            throw PolicyError(diagnostics: errors, message: "the policy has \(errors.count) error\(errors.count == 1 ? "" : "s")")
        }
        self.program = program
        self.warnings = compiled.diagnostics.filter { $0.level != .error }
    }

    /// The checked model: names, fields, rules.
    package var model: PolicyModel { program.model }

    /// Evaluates one incident given as the bytes of a JSON object.
    /// - Parameter now: seconds since the epoch; the deadline base when the
    ///   record has no clock value, and the time `age` is measured at.
    public func evaluate(json: [UInt8], now: Int64) throws(RecordError) -> Outcome {
        switch JSONValue.parse(json) {
        case .failure(let error):
            let (line, column) = error.location(in: json)
            throw RecordError(message: "invalid JSON at line \(line), column \(column): \(error.message)")
        case .success(let value):
            return try evaluate(value, now: now)
        }
    }

    /// Evaluates one incident given as a JSON value (an object).
    public func evaluate(_ record: JSONValue, now: Int64) throws(RecordError) -> Outcome {
        var buffer = RecordBuffer(fieldCount: program.schema.fields.count)
        if let error = program.schema.read(record, into: &buffer) { throw RecordError(message: error.message) }
        return evaluate(buffer, now: now)
    }

    /// Evaluates one incident given as a dictionary of its values, keyed as
    /// a JSON record's keys are (a nested dictionary reaches dotted fields):
    ///
    ///     try policy.evaluate(["severity": "high", "reported": "2026-03-02T09:00:00Z"], now: now)
    public func evaluate(_ record: [String: JSONValue], now: Int64) throws(RecordError) -> Outcome {
        try evaluate(JSONValue(record), now: now)
    }

    /// Evaluates a record already decoded into slots.
    package func evaluate(_ record: RecordBuffer, now: Int64) -> Outcome {
        var record = record
        record.now = Double(now)
        let evaluator = Evaluator(program: program)
        evaluator.evaluate(record)
        return evaluator.outcome(tracking: record)
    }
}

/// Why a policy could not be loaded: its errors, rendered by
/// `DiagnosticRenderer` or read one by one.
public struct PolicyError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public var message: String

    public var description: String {
        diagnostics.isEmpty ? message : DiagnosticRenderer(color: false).render(diagnostics)
    }
}

/// Why a record could not be read.
public struct RecordError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
