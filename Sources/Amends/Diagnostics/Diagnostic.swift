/// A Diagnostic is one finding about a policy: an error that stops the policy
/// from being used, a warning a policy author should read, or a note.
///
/// Every diagnostic has a stable code (`E013`) used by SARIF output, by
/// `# amends: allow CODE` and by `--allow CODE`; a lowercase message without a
/// final period, with user text in backticks; the span it is about; and, where
/// a fix is likely, a `help` line.
public struct Diagnostic: Sendable, CustomStringConvertible {
    public enum Level: String, Sendable, Comparable {
        case error, warning, note

        public static func < (a: Level, b: Level) -> Bool { a.rank < b.rank }
        var rank: Int { self == .error ? 0 : self == .warning ? 1 : 2 }
    }

    /// A Note points at a second place that explains the first (the earlier
    /// declaration of a duplicate, the chain of a `use` cycle).
    public struct Note: Sendable {
        public var message: String
        package var source: SourceText?
        package var span: Span?

        package init(_ message: String, source: SourceText? = nil, span: Span? = nil) {
            self.message = message
            self.source = source
            self.span = span
        }
    }

    public var level: Level
    public var code: DiagnosticCode
    public var message: String
    package var source: SourceText
    package var span: Span
    public var notes: [Note]
    public var help: String?

    package init(_ code: DiagnosticCode, _ message: String, source: SourceText, span: Span,
                help: String? = nil, notes: [Note] = [], level: Level? = nil) {
        self.code = code
        self.level = level ?? code.info.level
        self.message = message
        self.source = source
        self.span = span
        self.help = help
        self.notes = notes
    }

    public var file: String { source.path }
    public var location: SourceLocation { source.location(of: span.start) }
    /// The location just past the span, for formats that want an end position.
    public var endLocation: SourceLocation { source.location(of: max(span.start, span.end)) }

    /// `file:line:col: level[CODE]: message`, the first line of the rendering.
    public var description: String {
        "\(file):\(location): \(level.rawValue)[\(code.rawValue)]: \(message)"
    }
}

extension Array where Element == Diagnostic {
    package var hasErrors: Bool { contains { $0.level == .error } }
    package var errorCount: Int { filter { $0.level == .error }.count }
    package var warningCount: Int { filter { $0.level == .warning }.count }

    /// In file, then position, then code order: how every tool prints them.
    package func sortedForDisplay() -> [Diagnostic] {
        enumerated().sorted { a, b in
            if a.element.file != b.element.file { return a.element.file < b.element.file }
            if a.element.span.start != b.element.span.start { return a.element.span.start < b.element.span.start }
            return a.offset < b.offset
        }.map(\.element)
    }
}

/// A failure described in words, for a message (`unknown time zone …`).
package struct TextError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    package init(_ message: String) { self.message = message }
    public var description: String { message }
}
