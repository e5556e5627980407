import Amends

/// A SessionPolicy is the policy a REPL session has built so far: the files
/// loaded with `.load` (each as if the session said `use` it) and the
/// declarations and rules typed at the prompt, in order, compiled together.
///
/// Each piece is parsed once and kept; the whole policy is checked again for
/// every entry (policies are small, and checking is fast). An entry that
/// would give the policy an error is not added, so the accepted policy
/// always compiles.
///
/// Incidents and conditions are checked as a probe: text compiled together
/// with the policy as its main file (an `example` whose `given` is the
/// incident, a rule whose condition is the one typed), so they are read and
/// typed exactly as an example's record and a rule's condition are.
struct SessionPolicy: Sendable {
    /// A Piece is one loaded file (with what it `use`s) or one typed entry.
    struct Piece: Sendable {
        enum Origin: Sendable, Equatable {
            /// A file, by the path the user gave.
            case file(String)
            /// A typed entry: its number and text.
            case entry(Int, String)
        }
        var origin: Origin
        var loaded: Loader.Loaded
    }

    /// The name probes are compiled under (never shown: their diagnostics
    /// are moved onto the text the user typed).
    static let probePath = "<repl>"

    private(set) var pieces: [Piece] = []
    /// The accepted policy, compiled.
    private(set) var compiled: Driver.Compiled
    /// What `amends check` says of the accepted policy: its warnings, the
    /// analyses' findings and the domain lints (`PolicyCheck`), allow
    /// comments applied. The session shows those an entry adds.
    private(set) var findings: [Diagnostic] = []
    /// `use` and `.load` paths are relative to it.
    let directory: String
    let read: Loader.ReadFile

    /// - Parameters:
    ///   - directory: where relative paths start. Paths are shown as typed
    ///     (relative to it); only reading joins them to it.
    init(directory: String = ".", read: @escaping Loader.ReadFile = { FileSystem.read($0, limit: Lexer.maxFileSize) }) {
        self.directory = directory
        self.read = { path in read(path.hasPrefix("/") ? path : FileSystem.join(directory, path)) }
        self.compiled = SessionPolicy.compile([], probe: Probe(), directory: directory, read: self.read)
    }

    var model: PolicyModel { compiled.model }
    var files: [String] {
        pieces.compactMap { if case .file(let path) = $0.origin { return path } else { return nil } }
    }
    var entries: [(number: Int, text: String)] {
        pieces.compactMap { if case .entry(let n, let text) = $0.origin { return (n, text) } else { return nil } }
    }

    // MARK: - Pieces

    /// Reads and parses a file (and what it uses).
    func loadFile(_ path: String) -> Result<Piece, FileSystem.Failure> {
        Loader.load(path: path, read: read).map { Piece(origin: .file(path), loaded: $0) }
    }

    /// Parses a typed entry, named `<input-N>` in messages.
    func parseEntry(_ text: String, number: Int) -> Piece {
        let source = SourceText(path: "<input-\(number)>", text: text + "\n")
        return Piece(origin: .entry(number, text), loaded: Loader.load(source: source, directory: ".", read: read))
    }

    /// The policy with `extra` added (and a probe as its main file).
    func trying(_ extra: [Piece], probe: Probe = Probe()) -> Driver.Compiled {
        SessionPolicy.compile(pieces + extra, probe: probe, directory: directory, read: read)
    }

    /// Just these pieces, compiled (for `.reload`, `.clear`, `.drop`, `.undo`
    /// and a replaced rule), with a probe as the main file when given.
    func compiling(_ pieces: [Piece], probe: Probe = Probe()) -> Driver.Compiled {
        SessionPolicy.compile(pieces, probe: probe, directory: directory, read: read)
    }

    /// Adds pieces whose compiled result has no errors; returns the
    /// findings that were not there before.
    @discardableResult
    mutating func accept(_ extra: [Piece], compiled: Driver.Compiled) -> [Diagnostic] {
        replace(pieces + extra, compiled: compiled)
    }

    /// Replaces every piece (`.reload`, `.clear`, `.drop`, `.undo`, a
    /// replaced rule); returns the findings that were not there before.
    @discardableResult
    mutating func replace(_ pieces: [Piece], compiled: Driver.Compiled) -> [Diagnostic] {
        self.pieces = pieces
        self.compiled = compiled
        let before = Set(findings.map { SessionPolicy.key($0) })
        findings = SessionPolicy.check(pieces, directory: directory, read: read)
        return findings.filter { !before.contains(SessionPolicy.key($0)) }
    }

    /// What `amends check` says of the session saved as a policy: the typed
    /// entries are its main file (so their names are judged, as a main
    /// file's are), the loaded files files it `use`s. The typed entries are
    /// put together as a probe, and the findings moved back onto them.
    static func check(_ pieces: [Piece], directory: String, read: @escaping Loader.ReadFile) -> [Diagnostic] {
        var probe = Probe()
        var files: [Piece] = []
        for piece in pieces {
            if piece.origin.entryNumber != nil, let source = piece.source {
                probe.add(verbatim: source, span: Span(start: 0, end: max(0, source.bytes.count - 1)))
            } else {
                files.append(piece)
            }
        }
        let compiled = compile(files, probe: probe, directory: directory, read: read)
        // While the session has no rules, it is being declared: the analyses
        // (which judge what rules do) would only say that nothing is done.
        let options = PolicyCheck.Options(analyses: !compiled.model.rules.isEmpty)
        return PolicyCheck.run(compiled, options: options).diagnostics.map { d in
            let moved = probe.relocate(d)
            // A finding about a whole field goes on the main file's first
            // statement; with nothing typed there is none: put it where the
            // field is declared (its note says where).
            guard moved.source.path == probePath else { return moved }
            guard let i = moved.notes.firstIndex(where: { $0.source.map { $0.path != probePath } ?? false }),
                  let source = moved.notes[i].source, let span = moved.notes[i].span else { return moved }
            var placed = moved
            placed.source = source
            placed.span = span
            placed.notes.remove(at: i)
            return placed
        }.filter { $0.source.path != probePath }
    }

    /// What tells two findings of the session apart. A finding about a
    /// whole field (or mark) of a loaded file sits on the first typed
    /// statement, or at the declaration while nothing is typed: it is the
    /// same finding wherever it sits, so it is keyed by the declaration.
    static func key(_ d: Diagnostic) -> FindingKey {
        var key = FindingKey(d)
        if let note = d.notes.first(where: { $0.message.hasSuffix("is declared here") }),
           let source = note.source, let span = note.span, source.path != d.file {
            key.file = source.path
            key.start = span.start
            key.end = span.end
        }
        return key
    }

    // MARK: - Compiling

    /// Puts the pieces together as one loaded policy whose main file is the
    /// probe, as the Loader would for `use`: each file once (the first time
    /// it comes), its statements where it first comes; the probe's last.
    static func compile(_ pieces: [Piece], probe: Probe, directory: String, read: @escaping Loader.ReadFile) -> Driver.Compiled {
        var loaded = Loader.load(source: SourceText(path: probePath, text: probe.text), directory: ".", read: read)
        let probeItems = loaded.items
        var items: [(file: Int, item: Item)] = []
        var seen = Set(loaded.files.map { key($0.source, directory) })
        for piece in pieces {
            var map = [Int?](repeating: nil, count: piece.loaded.files.count)
            var added = Set<ObjectIdentifier>()
            for (i, file) in piece.loaded.files.enumerated() where seen.insert(key(file.source, directory)).inserted {
                map[i] = loaded.files.count
                loaded.files.append(file)
                added.insert(ObjectIdentifier(file.source))
            }
            for (file, item) in piece.loaded.items {
                if map.indices.contains(file), let target = map[file] { items.append((target, item)) }
            }
            loaded.diagnostics += piece.loaded.diagnostics.filter { added.contains(ObjectIdentifier($0.source)) }
        }
        loaded.items = items + probeItems
        return Driver.compile(loaded)
    }

    /// What tells two files apart: the real path, or the name of a typed entry.
    static func key(_ source: SourceText, _ directory: String) -> String {
        let path = source.path
        if path.hasPrefix("<") { return path }
        return FileSystem.canonical(path.hasPrefix("/") ? path : FileSystem.join(directory, path))
    }
}

/// A Probe is the text compiled as the session's main file to read an
/// incident or check a condition, made of pieces of what the user typed;
/// it knows where each piece sits, to move diagnostics back onto it.
struct Probe: Sendable {
    private(set) var text = ""
    /// Where each typed piece sits in `text`, and where it starts in its own source.
    private var segments: [(offset: Int, length: Int, source: SourceText, base: Int)] = []

    /// Adds text of the probe's own.
    mutating func add(_ fixed: String) { text += fixed }

    /// Adds what the user typed (on one line), remembering where it is.
    mutating func add(typed source: SourceText) {
        let line = InputShape.oneLine(String(decoding: source.bytes, as: UTF8.self))
        segments.append((text.utf8.count, line.utf8.count, source, 0))
        text += line
    }

    /// Adds part of a typed text as it is (a block statement, which must
    /// start on a line of its own).
    mutating func add(verbatim source: SourceText, span: Span) {
        let part = source.text(span)
        segments.append((text.utf8.count, part.utf8.count, source, span.start))
        text += part + "\n"
    }

    /// The diagnostic moved onto the typed text it is about.
    func relocate(_ d: Diagnostic) -> Diagnostic {
        guard d.source.path == SessionPolicy.probePath else { return d }
        let (source, span) = place(d.span)
        var moved = Diagnostic(d.code, d.message, source: source, span: span, help: d.help, notes: [], level: d.level)
        moved.notes = d.notes.map { note in
            guard let s = note.source, s.path == SessionPolicy.probePath, let nspan = note.span else { return note }
            let (ns, sp) = place(nspan)
            return Diagnostic.Note(note.message, source: ns, span: sp)
        }
        return moved
    }

    private func place(_ span: Span) -> (SourceText, Span) {
        // The segment holding the span's start, else the nearest one before it.
        guard let segment = segments.last(where: { $0.offset <= span.start }) ?? segments.first else {
            return (SourceText(path: SessionPolicy.probePath, text: text), span)
        }
        let start = min(max(0, span.start - segment.offset), segment.length)
        let end = min(max(start, span.end - segment.offset), segment.length)
        return (segment.source, Span(start: start + segment.base, end: end + segment.base))
    }
}
