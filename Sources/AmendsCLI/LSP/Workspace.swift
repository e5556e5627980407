import Amends

/// A Workspace holds the documents the editor has open and what Amends
/// makes of them. Each open document is compiled as a policy of its own
/// (`Driver.compile`, with its `use`d files read from the open documents
/// first, then from disk); its findings are `amends check`'s
/// (`PolicyCheck.run`), so the editor shows what CI will say.
struct Workspace {
    /// An open document: its text and the version the editor gave it.
    struct Document {
        var uri: String
        var path: String
        var version: Int
        var source: SourceText
    }

    /// What one document compiles to: the policy (with every file it
    /// uses) and the index of its names. Immutable, so the diagnostics
    /// worker reads it on its own thread while requests read it on the main one.
    final class Analysis: Sendable {
        let compiled: Driver.Compiled
        let index: SymbolIndex
        /// The canonical paths of the files it uses (not its own).
        let usedPaths: Set<String>

        init(compiled: Driver.Compiled) {
            self.compiled = compiled
            index = SymbolIndex(compiled)
            usedPaths = Set(compiled.loaded.files.indices.filter { $0 != compiled.loaded.main }
                .map { FileSystem.canonical(compiled.loaded.files[$0].source.path) })
        }

        /// `amends check`'s findings: syntax, names and types, then (when
        /// there are no errors and `analyses`) the analyses and the domain
        /// lints, less what `# amends: allow` silences. The slow part (the
        /// analyses): `amends lsp` makes them off the main thread.
        func findings(analyses: Bool) -> [Diagnostic] {
            PolicyCheck.run(Driver.withProgram(compiled), options: PolicyCheck.Options(analyses: analyses)).diagnostics
        }

        /// The policy's own file (not one it uses).
        var main: PolicyFile? {
            compiled.loaded.files.indices.contains(compiled.loaded.main) ? compiled.loaded.files[compiled.loaded.main] : nil
        }

        /// The loaded file whose path is `path`, if any.
        func file(_ path: String) -> PolicyFile? {
            compiled.loaded.files.first { $0.source.path == path }
        }
    }

    /// A DiagnosticsJob is what one publish of diagnostics needs, taken on
    /// the main thread (each open policy compiled, and whether it gets the
    /// analyses): `run` makes the findings, on any thread, and the result
    /// is published only if no text changed meanwhile (`generation`).
    struct DiagnosticsJob: Sendable {
        struct Item: Sendable {
            var uri: String
            var analysis: Analysis
            var analyses: Bool
        }

        let generation: Int
        let items: [Item]

        /// The findings of each open policy, in order; nil when `cancelled`
        /// said the text changed (checked between policies).
        func run(cancelled: () -> Bool = { false }) -> DiagnosticsResult? {
            var findings: [[Diagnostic]] = []
            for item in items {
                if cancelled() { return nil }
                findings.append(item.analysis.findings(analyses: item.analyses))
            }
            return DiagnosticsResult(generation: generation, items: items, findings: findings)
        }
    }

    /// The findings of a DiagnosticsJob: `findings[k]` are `items[k]`'s.
    struct DiagnosticsResult: Sendable {
        let generation: Int
        let items: [DiagnosticsJob.Item]
        let findings: [[Diagnostic]]
    }

    /// The folder relative paths and non-file URIs are read from.
    let base: String
    private(set) var documents: [String: Document] = [:]
    private var analyses: [String: Analysis] = [:]
    /// Documents parsed alone (formatting, symbols and folding need no
    /// more), kept for their compile.
    private var parsedFiles: [String: PolicyFile] = [:]
    /// What was last published for each URI, to send only changes.
    private var published: [String: [UInt8]] = [:]
    /// The findings last published, by URI (hover and code actions read them).
    private(set) var findings: [String: [Diagnostic]] = [:]
    /// Whether the text changed since the findings were made.
    private(set) var stale = true
    /// Counts the changes to the open texts: a result made for an earlier
    /// generation is never published.
    private(set) var generation = 0

    init(base: String) { self.base = base }

    // MARK: - Text sync

    mutating func open(uri: String, version: Int, text: [UInt8]) {
        let path = DocumentURI.path(uri)
        documents[uri] = Document(uri: uri, path: path, version: version, source: SourceText(path: path, bytes: text))
        invalidate()
    }

    mutating func close(uri: String) {
        documents[uri] = nil
        invalidate()
    }

    /// Applies `didChange` content changes in order: a change with a
    /// `range` replaces that range (UTF-16 positions in the text as the
    /// earlier changes left it); one without replaces the whole text.
    mutating func change(uri: String, version: Int?, changes: [JSONValue]) throws(RPCError) {
        guard var document = documents[uri] else { throw RPCError.invalidParams("`\(uri)` is not open") }
        var bytes = document.source.bytes
        var source = document.source
        for change in changes {
            guard let text = change["text"]?.string else { throw RPCError.invalidParams("a content change needs a `text`") }
            if let range = change["range"], range != .null {
                let start = source.offset(of: try LSPPosition(range["start"]))
                let end = max(start, source.offset(of: try LSPPosition(range["end"])))
                bytes.replaceSubrange(start..<end, with: Array(text.utf8))
            } else {
                bytes = Array(text.utf8)
            }
            source = SourceText(path: document.path, bytes: bytes)
        }
        document.source = source
        if let version { document.version = version }
        documents[uri] = document
        invalidate()
    }

    private mutating func invalidate() {
        analyses.removeAll()
        parsedFiles.removeAll()
        stale = true
        generation &+= 1
    }

    // MARK: - Analyses

    /// The document at `uri`: the open one, or else the file on disk.
    func document(_ uri: String) -> Document? {
        if let open = documents[uri] { return open }
        let path = DocumentURI.path(uri)
        guard case .success(let bytes) = FileSystem.read(path, limit: Lexer.maxFileSize) else { return nil }
        return Document(uri: uri, path: path, version: 0, source: SourceText(path: path, bytes: bytes))
    }

    /// The analysis of the document at `uri` (compiled on first use after a change).
    mutating func analysis(_ uri: String) -> Analysis? {
        if let done = analyses[uri] { return done }
        guard let document = document(uri) else { return nil }
        let analysis = compile(document)
        analyses[uri] = analysis
        return analysis
    }

    /// The document's own file, parsed: its analysis's when it has one,
    /// else parsed alone.
    mutating func parsed(_ uri: String) -> PolicyFile? {
        if let done = analyses[uri] { return done.main }
        if let done = parsedFiles[uri] { return done }
        guard let document = document(uri) else { return nil }
        let file = Parser.parse(document.source)
        parsedFiles[uri] = file
        return file
    }

    /// Loads and checks the document and the files it uses (the program
    /// is compiled with the analyses, off the main thread).
    private func compile(_ document: Document) -> Analysis {
        var open: [String: [UInt8]] = [:]
        for other in documents.values { open[FileSystem.canonical(other.path)] = other.source.bytes }
        let snapshot = open
        let read: Loader.ReadFile = { path in
            if let bytes = snapshot[FileSystem.canonical(path)] { return .success(bytes) }
            return FileSystem.read(path, limit: Lexer.maxFileSize)
        }
        let directory = FileSystem.directory(of: document.path)
        let loaded = parsedFiles[document.uri].map { Loader.load(file: $0, directory: directory, read: read) }
            ?? Loader.load(source: document.source, directory: directory, read: read)
        return Analysis(compiled: Driver.compile(loaded, program: false))
    }

    /// The analyses that include the file at `path`: the document's own
    /// first, then every open policy that uses it.
    mutating func analyses(covering uri: String) -> [Analysis] {
        var result: [Analysis] = []
        if let own = analysis(uri) { result.append(own) }
        let path = FileSystem.canonical(DocumentURI.path(uri))
        for other in documents.keys.sorted() where other != uri {
            if let a = analysis(other), a.compiled.loaded.files.contains(where: { FileSystem.canonical($0.source.path) == path }) {
                result.append(a)
            }
        }
        return result
    }

    // MARK: - Diagnostics

    /// `textDocument/publishDiagnostics` notifications for every file whose
    /// findings changed since the last call, made here and now (tests; the
    /// server makes them off the main thread with `diagnosticsJob` and `publish`).
    mutating func diagnosticNotifications() -> [JSONValue] {
        let job = diagnosticsJob()
        guard let result = job.run() else { return [] }
        return publish(result)
    }

    /// The job that makes the findings of every open policy: each compiled
    /// here (quick), the analyses left to `run`. As `amends check` over the
    /// open files, a file another open policy uses gets no analyses of its
    /// own (its users' cover it).
    mutating func diagnosticsJob() -> DiagnosticsJob {
        let all = documents.keys.sorted().compactMap { uri in analysis(uri).map { (uri, $0) } }
        var usedByOthers = Set<String>()
        for (_, a) in all { usedByOthers.formUnion(a.usedPaths) }
        let items = all.map { uri, analysis in
            let own = documents[uri].map { FileSystem.canonical($0.path) } ?? uri
            return DiagnosticsJob.Item(uri: uri, analysis: analysis, analyses: !usedByOthers.contains(own))
        }
        return DiagnosticsJob(generation: generation, items: items)
    }

    /// The notifications for a job's findings: each open policy's, grouped
    /// by the file they are in (a used file's under its own URI), each
    /// finding once, for every file whose findings changed since the last
    /// publish. Nothing when the text changed since the job was made: its
    /// findings are stale, and the next job's replace them.
    mutating func publish(_ result: DiagnosticsResult) -> [JSONValue] {
        guard result.generation == generation else { return [] }
        var byURI: [String: [Diagnostic]] = [:]
        var seen = Set<FindingKey>()
        for (item, found) in zip(result.items, result.findings) {
            byURI[item.uri, default: []] += []
            for d in found {
                let target = uriOf(d.source.path, main: item.analysis, uri: item.uri)
                guard seen.insert(FindingKey(d, file: target)).inserted else { continue }
                byURI[target, default: []].append(d)
            }
        }
        findings = byURI
        stale = false
        var notifications: [JSONValue] = []
        for uri in Set(byURI.keys).union(published.keys).sorted() {
            let diagnostics = (byURI[uri] ?? []).map { LSPDiagnostics.json($0, workspace: self) }
            var params: JSONValue = ["uri": .string(uri), "diagnostics": .array(diagnostics)]
            if let version = documents[uri]?.version, case .object(var members) = params {
                members.append((key: "version", value: .int(version)))
                params = .object(members)
            }
            let text = JSONValue.array(diagnostics).serializedBytes()
            if published[uri] == text { continue }
            published[uri] = text
            notifications.append(["jsonrpc": "2.0", "method": "textDocument/publishDiagnostics", "params": params])
        }
        return notifications
    }

    /// The findings for `uri` as hover and code actions read them: the
    /// published ones, or, when the text changed since, the compiler's
    /// (syntax, names, types: quick to make); the analyses' wait for the
    /// next publish (made off the main thread once the input waiting is read).
    mutating func currentFindings(_ uri: String) -> [Diagnostic] {
        if !stale { return findings[uri] ?? [] }
        return analysis(uri)?.compiled.diagnostics ?? []
    }

    /// The URI of a file a diagnostic or a symbol is in.
    func uriOf(_ path: String, main analysis: Analysis, uri: String) -> String {
        let loaded = analysis.compiled.loaded
        if loaded.files.indices.contains(loaded.main) && loaded.files[loaded.main].source.path == path { return uri }
        return self.uri(path)
    }

    /// The URI of a path: an open document's own URI when it is open.
    func uri(_ path: String) -> String {
        if let open = documents.values.first(where: { $0.path == path }) { return open.uri }
        let canonical = FileSystem.canonical(path)
        if let open = documents.values.first(where: { $0.path == path || FileSystem.canonical($0.path) == canonical }) {
            return open.uri
        }
        return DocumentURI.uri(path, base: base)
    }

    /// The source of the file at `path` as this analysis read it.
    func source(_ path: String, in analysis: Analysis) -> SourceText? {
        analysis.file(path)?.source
    }
}
