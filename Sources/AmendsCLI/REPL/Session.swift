import Amends

/// A Session is the REPL without a terminal: entries in, text out.
///
/// An entry is what the user typed before Enter finished it (one line, or a
/// block over several). The session decides what it is (`InputShape`):
/// a declaration or rule is added to the session policy if the policy still
/// compiles; an incident is read as a record and the actions it requires are
/// shown; a condition is evaluated against the last incident; a `.command`
/// does what it says. The terminal front end and the script reader both
/// feed it, and the tests drive it directly.
struct Session: Sendable {
    /// How incidents' actions are printed.
    enum Format: String, Sendable, CaseIterable {
        case text, json
    }

    /// A Reply is what one entry printed, whether it failed (a script that
    /// has a failed entry exits with status 1), and whether to leave.
    struct Reply: Sendable, Equatable {
        /// One piece of output, for standard output or standard error.
        struct Chunk: Sendable, Equatable {
            var text: String
            var isError: Bool
            /// Whether a terminal may wrap its long lines at spaces (not
            /// JSON, which a program may read back).
            var wraps = true
        }
        var chunks: [Chunk] = []
        var failed = false
        var exit = false
        /// `clear` (or Ctrl-L): a terminal clears its screen; a script ignores it.
        var clearScreen = false

        /// Everything printed, in order.
        var text: String { chunks.map(\.text).joined() }

        mutating func say(_ text: String) { chunks.append(Chunk(text: text, isError: false)) }
        mutating func error(_ text: String) { chunks.append(Chunk(text: text, isError: true)) }
    }

    /// An Incident is the last incident typed: its text, kept so it can be
    /// read again after the policy changed.
    struct Incident: Sendable {
        var source: SourceText
        /// Its `<input-N>` number (the `record` of JSON output).
        var number: Int
    }

    var policy: SessionPolicy
    var format: Format
    let style: Style
    /// The time deadlines count from when an incident has no clock field,
    /// and `age` is measured at, unless `.now` fixed one.
    let clock: @Sendable () -> Int64
    var fixedNow: Int64?
    /// Entries typed so far that are not commands (names `<input-N>`).
    var entryCount = 0
    var incident: Incident?
    /// Changes to the typed entries, newest last, for `.undo`.
    var edits: [Edit] = []
    /// Where the history is kept, for `.help keys`.
    var history: HistoryKeeping = .off("history is kept only when the REPL reads from a terminal")

    /// Where the entries typed are kept across sessions.
    enum HistoryKeeping: Sendable, Equatable {
        case file(String)
        /// Not kept, and why.
        case off(String)
    }

    init(directory: String = ".", color: Bool = false, format: Format = .text,
         clock: @escaping @Sendable () -> Int64,
         read: @escaping Loader.ReadFile = { FileSystem.read($0, limit: Lexer.maxFileSize) }) {
        self.policy = SessionPolicy(directory: directory, read: read)
        self.format = format
        self.style = Style(color: color)
        self.clock = clock
    }

    var now: Int64 { fixedNow ?? clock() }

    // MARK: - Entries

    /// Runs one entry.
    mutating func run(_ entry: String) -> Reply {
        let text = InputShape.normalized(entry)
        var kind = InputShape.kind(of: text)
        // `help` or `clear` is a condition when the policy has a field or define so named.
        if kind == .help || kind == .clearScreen, names(InputShape.firstWord(text)) { kind = .condition }
        switch kind {
        case .empty: return Reply()
        case .exit:
            var reply = Reply()
            reply.exit = true
            return reply
        case .help:
            // `help`, `:help`, `?`, and any of them with a topic.
            let words = Session.words(String(text.trimmingWhitespace))
            return help(words.count > 1 ? words[1] : nil)
        case .clearScreen:
            var reply = Reply()
            reply.clearScreen = true
            return reply
        case .command: return command(String(text.trimmingWhitespace))
        case .declaration: return declare(text)
        case .incident: return evaluateIncident(text)
        case .condition: return evaluateCondition(text)
        }
    }

    /// Whether the session policy has a field or define named `name`.
    func names(_ name: String) -> Bool {
        let model = policy.model
        return model.fieldIndex(name) != nil || model.defines.contains { $0.name == name }
    }

    /// The next `<input-N>` name's number.
    mutating func nextEntryNumber() -> Int {
        entryCount += 1
        return entryCount
    }

    /// A declaration or rule: added when the whole policy still compiles.
    /// A rule or define named as a typed one replaces it, in its place.
    /// An `example` typed at the prompt is checked and run at once. The
    /// warnings and findings the entry adds are shown as `amends check`
    /// shows them.
    mutating func declare(_ text: String) -> Reply {
        var reply = Reply()
        let piece = policy.parseEntry(text, number: nextEntryNumber())
        guard let source = piece.source else { return problem("the entry could not be read") }
        let items = Session.mainItems(piece)
        // Examples are checked where the checker looks at them: in the main file.
        var probe = Probe()
        for item in items {
            if case .example = item.kind { probe.add(verbatim: source, span: item.span) }
        }
        let placed = placing(piece)
        let compiled = policy.compiling(placed.pieces, probe: probe)
        if compiled.hasErrors {
            // The accepted policy has no errors, so every error is this entry's doing.
            reply.error(render(compiled.diagnostics.filter { $0.level == .error }.map(probe.relocate)))
            reply.failed = true
            return reply
        }
        // What the checker says of the examples (in the probe), then what
        // `check` says of the policy that is new with this entry.
        let exampleWarnings = compiled.diagnostics.filter { $0.source.path == SessionPolicy.probePath }.map(probe.relocate)
        let fresh = policy.replace(placed.pieces, compiled: probe.text.isEmpty ? compiled : policy.compiling(placed.pieces))
        edits.append(placed.edit)
        for what in placed.replaced { reply.say(style.dim("~ replaced \(what)") + "\n") }
        var examples = compiled.model.examples.makeIterator()
        var results: [Reply.Chunk] = []
        for item in items {
            reply.say(style.dim("+ " + summary(item, in: source)) + "\n")
            if case .example = item.kind, let example = examples.next(), let program = compiled.program {
                let result = runExample(example, program: program)
                results += result.chunks
                if result.failed { reply.failed = true }
            }
        }
        reply.chunks += results
        let warnings = exampleWarnings + fresh
        if !warnings.isEmpty { reply.error(render(warnings.sortedForDisplay())) }
        return reply
    }

    /// Runs an example typed at the prompt: passes, or what differs.
    func runExample(_ example: ExampleModel, program: Program) -> Reply {
        var reply = Reply()
        let result = ExampleRunner(program: program).run(example)
        if result.passed {
            reply.say(style.yes("passed") + "\n")
            return reply
        }
        reply.failed = true
        reply.error(style.no("failed") + "\n")
        for m in result.missing { reply.error("  missing:    \(m.action.summary)\n") }
        for u in result.unexpected { reply.error("  unexpected: \(u.summary)\n") }
        for (e, a) in result.mismatched { reply.error("  expected:   \(e.action.summary)\n  got:        \(a.summary)\n") }
        for s in result.statusMismatches { reply.error("  expected:   \(s.expectedText)\n  got:        \(s.actualText)\n") }
        return reply
    }

    /// One line saying what a statement added.
    func summary(_ item: Item, in source: SourceText) -> String {
        let where_ = "\(source.path):\(source.location(of: item.span.start).line)"
        switch item.kind {
        case .policyName(let name): return "policy \(SExpr.quote(name.value))"
        case .scale(let s): return "scale \(s.name.name): " + s.levels.map(\.name.name).joined(separator: " < ")
        case .record(let r): return "record \(r.name.name): " + Summary.plural(r.fields.count, "field")
        case .deadlinesFrom(let name): return "deadlines from \(name.name)"
        case .names(let list): return "\(list.kind.rawValue): " + list.names.map(\.name).joined(separator: ", ")
        case .define(let d): return "define \(d.name.name)"
        case .mark(let m): return "\(m.kind.rawValue): " + source.text(m.condition.span)
        case .use(let path): return "use \(SExpr.quote(path.value))"
        case .calendar(let c): return "calendar" + (c.name.map { " \($0.name)" } ?? "")
        case .usingCalendar(let name): return "using calendar \(name.name)"
        case .historyKey(let name): return "history by \(name.name)"
        case .done(let d): return "done: " + Summary.plural(d.lines.count, "tracked action")
        case .rule(let rule):
            return "rule \(where_): " + Session.header(source, rule.headerSpan)
        case .example(let e): return "example \(SExpr.quote(e.name.value))"
        }
    }

    // MARK: - Output helpers

    /// A rule's header on one line, without its final `:`.
    static func header(_ source: SourceText, _ span: Span) -> String {
        var text = InputShape.oneLine(source.text(span)).trimmingWhitespace
        if text.hasSuffix(":") { text = text.dropLast().trimmingWhitespace }
        return String(text)
    }

    func render(_ diagnostics: [Diagnostic]) -> String {
        DiagnosticRenderer(color: style.color).render(diagnostics)
    }

    /// An error of the REPL itself (not about a policy): `error: …` and a help line.
    func problem(_ message: String, help: String? = nil) -> Reply {
        var reply = Reply()
        var text = style.error("error") + ": " + message + "\n"
        if let help { text += "  " + style.help("= help:") + " " + help + "\n" }
        reply.error(text)
        reply.failed = true
        return reply
    }
}

/// Style paints REPL output with ANSI colours when asked to, and leaves it
/// plain otherwise (scripts, pipes, NO_COLOR).
struct Style: Sendable {
    let color: Bool

    func paint(_ text: String, _ sgr: String) -> String { color ? "\u{1B}[\(sgr)m" + text + "\u{1B}[0m" : text }
    func dim(_ text: String) -> String { paint(text, "2") }
    func bold(_ text: String) -> String { paint(text, "1") }
    func error(_ text: String) -> String { paint(text, "1;31") }
    func help(_ text: String) -> String { paint(text, "1;32") }
    func yes(_ text: String) -> String { paint(text, "1;32") }
    func no(_ text: String) -> String { paint(text, "1;31") }
}
