/// The Loader reads a policy file and every file it `use`s.
///
/// `use "other.policy"` includes the other file's declarations and rules at
/// that point (its examples stay with it). Paths are relative to the file
/// that says `use`; a file is loaded once however often it is used; a circle
/// of uses is an error that shows the chain; at most 32 deep. Reading is
/// the only thing a policy can make the tool do to the file system, and
/// what it can read is contained (`E204`): a used path is relative, names a
/// `.policy` file, and stays inside the main policy's folder (its root),
/// `..` included; on disk, the file it resolves to (symbolic links
/// followed) must be a regular `.policy` file inside the root too.
package struct Loader {
    package static let maxDepth = 32

    /// The files of a policy and its statements in inclusion order.
    package struct Loaded: Sendable {
        /// Every file read, in the order first read (the main file first).
        package var files: [PolicyFile]
        /// Every statement, `use`s replaced by the used file's statements.
        package var items: [(file: Int, item: Item)]
        /// Index of the main file in `files`.
        package var main: Int
        /// Syntax and loading diagnostics of all files.
        package var diagnostics: [Diagnostic]
    }

    /// Reads files by path; tests and the REPL swap it for an in-memory one.
    package typealias ReadFile = @Sendable (String) -> Result<[UInt8], FileSystem.Failure>

    let read: ReadFile
    /// The main policy's folder: no used file may be outside it.
    var root = "."
    var files: [PolicyFile] = []
    var canonicalPaths: [String: Int] = [:]
    var items: [(file: Int, item: Item)] = []
    var diagnostics: [Diagnostic] = []
    /// Files being expanded (for cycle detection), with the `use` that led on.
    var stack: [(file: Int, use: SourceRef?)] = []

    package init(read: @escaping ReadFile = { FileSystem.read($0, limit: Lexer.maxFileSize) }) {
        self.read = read
    }

    /// Loads a policy from a file on disk.
    package static func load(path: String, read: @escaping ReadFile = { FileSystem.read($0, limit: Lexer.maxFileSize) })
        -> Result<Loaded, FileSystem.Failure> {
        var loader = Loader(read: read)
        switch read(path) {
        case .failure(let failure): return .failure(failure)
        case .success(let bytes):
            let source = SourceText(path: path, bytes: bytes)
            return .success(loader.run(source, canonical: FileSystem.canonical(path), directory: FileSystem.directory(of: path)))
        }
    }

    /// Loads a policy from text; its `use`s are relative to `directory`.
    package static func load(source: SourceText, directory: String = ".",
                            read: @escaping ReadFile = { FileSystem.read($0, limit: Lexer.maxFileSize) }) -> Loaded {
        var loader = Loader(read: read)
        return loader.run(source, canonical: "<\(source.path)>", directory: directory)
    }

    /// Loads a policy already parsed (the language server parses a file
    /// once for formatting, outline and checking); its `use`s are relative to `directory`.
    package static func load(file: PolicyFile, directory: String = ".",
                            read: @escaping ReadFile = { FileSystem.read($0, limit: Lexer.maxFileSize) }) -> Loaded {
        var loader = Loader(read: read)
        return loader.run(file, canonical: "<\(file.source.path)>", directory: directory)
    }

    mutating func run(_ source: SourceText, canonical: String, directory: String) -> Loaded {
        run(Parser.parse(source), canonical: canonical, directory: directory)
    }

    mutating func run(_ file: PolicyFile, canonical: String, directory: String) -> Loaded {
        root = directory
        let main = add(file, canonical: canonical)
        expand(main, directory: directory)
        return Loaded(files: files, items: items, main: main, diagnostics: diagnostics)
    }

    private mutating func add(_ file: PolicyFile, canonical: String) -> Int {
        files.append(file)
        canonicalPaths[canonical] = files.count - 1
        diagnostics += file.diagnostics
        return files.count - 1
    }

    /// Appends a file's statements, expanding its `use`s depth first.
    private mutating func expand(_ index: Int, directory: String, via use: SourceRef? = nil) {
        stack.append((index, use))
        defer { stack.removeLast() }
        let file = files[index]
        for item in file.items {
            guard case .use(let path) = item.kind else {
                items.append((index, item))
                continue
            }
            let ref = SourceRef(file.source, path.span)
            let target = FileSystem.join(directory, path.value)
            if let refusal = refusal(path.value, target: target) {
                diagnostics.append(Diagnostic(.useNotPolicy, refusal.message, source: file.source, span: path.span,
                                              help: refusal.help))
                continue
            }
            let canonical = FileSystem.canonical(target)
            if let existing = canonicalPaths[canonical] {
                if let position = stack.firstIndex(where: { $0.file == existing }) {
                    reportCycle(from: position, closing: ref, target: existing)
                }
                continue // loaded once
            }
            if stack.count >= Loader.maxDepth {
                diagnostics.append(Diagnostic(.useTooDeep, "`use` goes more than \(Loader.maxDepth) files deep",
                                              source: file.source, span: path.span,
                                              help: "use the shared files directly from the main policy"))
                continue
            }
            switch read(target) {
            case .failure(let failure):
                var help = "the path is relative to `\(file.source.path)`"
                // The suggestion comes from the `.policy` files of that one
                // folder (not of everything under it: `use "/x.policy"`
                // would walk the whole file system).
                let siblings = FileSystem.entries(of: FileSystem.directory(of: target), limit: 10_000)
                    .filter { $0.hasSuffix(".policy") }
                if let suggestion = Suggest.closest(to: String(path.value.split(separator: "/").last ?? ""), in: siblings) {
                    help = "did you mean `\(suggestion)`?"
                }
                diagnostics.append(Diagnostic(.useNotFound, "cannot use `\(path.value)`: \(failure.reason)",
                                              source: file.source, span: path.span, help: help))
            case .success(let bytes):
                let used = add(Parser.parse(SourceText(path: target, bytes: bytes)), canonical: canonical)
                expand(used, directory: FileSystem.directory(of: target), via: ref)
            }
        }
    }

    /// Why a `use` path is not followed, or nil: see the type's comment.
    private func refusal(_ path: String, target: String) -> (message: String, help: String)? {
        let contained = "a policy can use only `.policy` files in its own folder (`\(root)`) and below"
        guard path.hasSuffix(".policy") else {
            return ("only `.policy` files can be used, not `\(path)`", "name a policy file, e.g. `use \"common.policy\"`")
        }
        guard !path.hasPrefix("/") else {
            return ("`use` takes a path relative to the file, not `\(path)`", contained)
        }
        guard FileSystem.isInside(target, root) else {
            return ("`\(path)` is outside the main policy's folder", contained)
        }
        // On disk: where the path really leads (the in-memory files of
        // tests and the REPL have no links to follow).
        guard let real = FileSystem.resolved(target) else { return nil }
        guard let realRoot = FileSystem.resolved(root), FileSystem.isInside(real, realRoot) else {
            return ("`\(path)` leads outside the main policy's folder, to `\(real)`", contained)
        }
        guard real.hasSuffix(".policy") else {
            return ("`\(path)` leads to `\(real)`, which is not a `.policy` file", contained)
        }
        guard FileSystem.isRegularFile(real) else {
            return ("`\(path)` is not a regular file", "name a policy file, e.g. `use \"common.policy\"`")
        }
        return nil
    }

    private mutating func reportCycle(from position: Int, closing: SourceRef, target: Int) {
        var notes: [Diagnostic.Note] = []
        for k in (position + 1)..<stack.count {
            if let use = stack[k].use {
                notes.append(Diagnostic.Note("`\(use.source.path)` uses `\(files[stack[k].file].source.path)`",
                                             source: use.source, span: use.span))
            }
        }
        let chain = (stack[position...].map { files[$0.file].source.path } + [files[target].source.path])
            .map { "`\($0)`" }.joined(separator: " -> ")
        diagnostics.append(Diagnostic(.useCycle, "`use` goes in a circle: \(chain)", source: closing.source, span: closing.span,
                                      help: "move what both files need into a third file that both use", notes: notes))
    }
}
