/// Silencing findings: `# amends: allow CODE` comments in a policy, and a
/// set of codes allowed for a whole run (`amends check --allow CODE`).
///
/// A comment after code on a line silences findings of the named codes that
/// start on that line:
///
///     category: one of billing, other  # amends: allow W308
///
/// A comment alone on its line silences them on the next line that holds
/// code (blank lines and other comment lines in between are skipped, so
/// several such comments can stand above one line):
///
///     # amends: allow W310 -- the small-account team calls every client
///     when severity = medium: notify account_manager
///
/// A rule's header or a `define` written over several lines counts as one
/// line: a comment above it, or after its last line, covers all of them.
///
/// Codes are separated by commas or spaces and may be given by name
/// (`never-holds`); ` -- ` or a second `#` ends the list (what follows is a
/// reason, for people). Only warnings can be allowed: an error means the
/// policy cannot run. A malformed comment is W312; one that silences nothing
/// is W311.
package enum Suppression {
    /// One code named in one allow comment.
    package struct Entry: Sendable {
        package var code: DiagnosticCode
        package var source: SourceText
        /// The code as written in the comment.
        package var span: Span
        /// The 1-based line whose findings it silences.
        package var line: Int
        /// The lines it covers: `line`, or every line of the rule header or
        /// `define` that `line` is part of.
        package var lines: ClosedRange<Int>

        package init(code: DiagnosticCode, source: SourceText, span: Span, line: Int, lines: ClosedRange<Int>? = nil) {
            self.code = code
            self.source = source
            self.span = span
            self.line = line
            self.lines = lines ?? line...line
        }
    }

    /// The allow comments of a file, and the problems with them (W312).
    package static func entries(in file: PolicyFile) -> (entries: [Entry], problems: [Diagnostic]) {
        var entries: [Entry] = []
        var problems: [Diagnostic] = []
        let source = file.source
        let statements = statementLines(file)
        for comment in file.comments {
            let bytes = source.bytes
            var i = comment.span.start + 1 // past `#`
            let end = comment.span.end
            func skipSpaces() { while i < end && (bytes[i] == 0x20 || bytes[i] == 0x09) { i += 1 } }
            skipSpaces()
            let marker = Array("amends:".utf8)
            guard end - i >= marker.count, Array(bytes[i..<(i + marker.count)]) == marker else { continue }
            i += marker.count
            skipSpaces()
            let wordStart = i
            while i < end && isWordByte(bytes[i]) { i += 1 }
            let directive = source.text(Span(start: wordStart, end: i))
            guard directive == "allow" else {
                problems.append(Diagnostic(.invalidAllow, directive.isEmpty ? "`# amends:` needs a directive" : "unknown directive `\(directive)`",
                                           source: source, span: Span(start: wordStart, end: max(i, wordStart + 1)),
                                           help: "the only directive is `allow`, e.g. `# amends: allow W308`"))
                continue
            }
            let target = comment.ownLine ? nextCodeLine(after: comment.span.start, source) : source.location(of: comment.span.start).line
            let lines = statements.first { $0.contains(target) } ?? target...target
            var named = 0
            while i < end {
                while i < end && (bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == UInt8(ascii: ",")) { i += 1 }
                if i >= end || bytes[i] == UInt8(ascii: "#") { break }
                if bytes[i] == UInt8(ascii: "-") && i + 1 < end && bytes[i + 1] == UInt8(ascii: "-") { break }
                let start = i
                while i < end && bytes[i] != 0x20 && bytes[i] != 0x09 && bytes[i] != UInt8(ascii: ",") && bytes[i] != UInt8(ascii: "#") { i += 1 }
                let span = Span(start: start, end: i)
                let word = source.text(span)
                named += 1
                guard let code = code(named: word) else {
                    let known = DiagnosticCode.allCases.filter { $0.info.level != .error }
                    problems.append(Diagnostic(.invalidAllow, "unknown code `\(word)` in `# amends: allow`", source: source, span: span,
                                               help: Suggest.didYouMean(word, in: known.map(\.rawValue) + known.map(\.info.name))
                                                   ?? "name a warning code such as `W308`; `amends help check` lists them"))
                    continue
                }
                if code.info.level == .error {
                    problems.append(Diagnostic(.invalidAllow, "`\(code.rawValue)` is an error, and errors cannot be allowed", source: source, span: span,
                                               help: "fix the error; only warnings (`W…`) can be allowed"))
                    continue
                }
                entries.append(Entry(code: code, source: source, span: span, line: target, lines: lines))
            }
            if named == 0 {
                problems.append(Diagnostic(.invalidAllow, "`# amends: allow` names no code", source: source,
                                           span: Span(start: wordStart, end: wordStart + 5),
                                           help: "name the warnings to allow, e.g. `# amends: allow W308`"))
            }
        }
        return (entries, problems)
    }

    /// A code by its number (`W308`) or its name (`coverage-gap`).
    package static func code(named word: String) -> DiagnosticCode? {
        if let code = DiagnosticCode(rawValue: word.uppercased()) { return code }
        return DiagnosticCode.allCases.first { $0.info.name == word.lowercased() }
    }

    /// The diagnostics left once allow comments and the run's allowed codes
    /// have silenced theirs, how many were silenced, and W311 for each
    /// comment entry in `unusedIn` (the main file, when its analyses ran)
    /// that silenced nothing.
    package static func apply(_ diagnostics: [Diagnostic], entries: [Entry], allowed: Set<DiagnosticCode>,
                             unusedIn: SourceText?) -> (kept: [Diagnostic], silenced: Int) {
        var byLine: [LineKey: [Int]] = [:]
        for (k, e) in entries.enumerated() {
            for line in e.lines { byLine[LineKey(e.source, line), default: []].append(k) }
        }
        var used = Set<Int>()
        var kept: [Diagnostic] = []
        var silenced = 0
        for d in diagnostics {
            if d.level != .error, let candidates = byLine[LineKey(d.source, d.location.line)],
               let k = candidates.first(where: { entries[$0].code == d.code }) {
                used.insert(k)
                silenced += 1
                continue
            }
            kept.append(d)
        }
        if let main = unusedIn {
            for (k, e) in entries.enumerated() where !used.contains(k) && e.source === main {
                let place = e.lines.count > 1 ? "lines \(e.lines.lowerBound) to \(e.lines.upperBound)" : "line \(e.line)"
                kept.append(Diagnostic(.unusedAllow, "`\(e.code.rawValue)` is allowed here, but no such finding is on \(place)",
                                       source: e.source, span: e.span,
                                       help: "remove it from the comment; the finding it was for is gone, or is on another line"))
            }
        }
        var final: [Diagnostic] = []
        for d in kept {
            if d.level != .error && allowed.contains(d.code) {
                silenced += 1
            } else {
                final.append(d)
            }
        }
        return (final.sortedForDisplay(), silenced)
    }

    // MARK: - Helpers

    /// The lines of each rule header, `define` and mark written over more than one.
    static func statementLines(_ file: PolicyFile) -> [ClosedRange<Int>] {
        file.items.compactMap { item -> ClosedRange<Int>? in
            let span: Span
            switch item.kind {
            case .rule(let rule): span = rule.headerSpan
            case .define, .mark: span = item.span
            default: return nil
            }
            let first = file.source.location(of: span.start).line
            let last = file.source.location(of: max(span.start, span.end - 1)).line
            return last > first ? first...last : nil
        }
    }

    struct LineKey: Hashable {
        let source: ObjectIdentifier
        let line: Int
        init(_ source: SourceText, _ line: Int) {
            self.source = ObjectIdentifier(source)
            self.line = line
        }
    }

    static func isWordByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || b == UInt8(ascii: "_")
    }

    /// The first line after the one holding `offset` that is neither blank
    /// nor a comment (the line after the last one, at the end of the file).
    static func nextCodeLine(after offset: Int, _ source: SourceText) -> Int {
        var index = source.lineIndex(of: offset) + 1
        while index < source.lineCount {
            let range = source.lineRange(index: index)
            var i = range.lowerBound
            while i < range.upperBound && (source.bytes[i] == 0x20 || source.bytes[i] == 0x09) { i += 1 }
            if i < range.upperBound && source.bytes[i] != UInt8(ascii: "#") { return index + 1 }
            index += 1
        }
        return index + 1
    }
}
