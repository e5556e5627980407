#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Amends
import Dispatch

/// A CheckRun checks many policy files as one run: every file is loaded and
/// checked as a policy of its own (so its examples are checked), a file
/// that another file of the run `use`s gets no analyses of its own (its
/// users' analyses cover its rules), and a finding in a file reached
/// several ways is reported once, under the path the run knows it by.
/// Files are loaded and checked on every core; the report does not depend
/// on the order the work finishes in.
struct CheckRun {
    var options: PolicyCheck.Options
    var denyWarnings = false

    /// The name a policy read from standard input (`-`) has in diagnostics.
    static let stdinName = "<stdin>"

    /// Checks the files and folders of `operands`; `-` is a policy read
    /// from `stdin`, named `<stdin>`, whose `use`s are relative to the
    /// working folder (its root, as for a policy typed into the REPL).
    func run(operands: [String],
             stdin: () -> Result<[UInt8], TextError> = FmtCommand.readStandardInput) -> CheckReport {
        var (paths, problems) = CheckRun.expand(operands)
        var unreadable = problems.map { CheckReport.Unreadable(path: $0.path, message: $0.message) }
        var stdinSource: SourceText?
        if paths.contains("-") {
            switch stdin() {
            case .success(let bytes): stdinSource = SourceText(path: CheckRun.stdinName, bytes: bytes)
            case .failure(let failure): unreadable.append(CheckReport.Unreadable(path: "-", message: failure.message))
            }
            paths = paths.map { $0 == "-" ? CheckRun.stdinName : $0 }
            if stdinSource == nil { paths.removeAll { $0 == CheckRun.stdinName } }
        }

        // 1. Load every file (parse it and what it uses) to learn who uses whom.
        var loads: [(path: String, loaded: Loader.Loaded)] = []
        var checked: [String] = []
        let fromStdin = stdinSource
        let loaded = CheckRun.parallelMap(paths) { path -> Result<Loader.Loaded, FileSystem.Failure> in
            if path == CheckRun.stdinName, let fromStdin { return .success(Loader.load(source: fromStdin, directory: ".")) }
            return Loader.load(path: path)
        }
        for (path, result) in zip(paths, loaded) {
            switch result {
            case .failure(let failure):
                unreadable.append(CheckReport.Unreadable(path: path, message: "\(failure)"))
            case .success(let loaded):
                loads.append((path, loaded))
                checked.append(path)
            }
        }
        var names = PathNames()
        for (path, _) in loads { names.prefer(path) }
        var usedByOthers = Set<String>()
        for (_, loaded) in loads {
            for (k, file) in loaded.files.enumerated() where k != loaded.main {
                usedByOthers.insert(names.canonical(file.source.path))
            }
        }

        // 2. Check each, then merge the findings.
        var seen = Set<FindingKey>()
        var diagnostics: [Diagnostic] = []
        var silenced = 0
        let jobs = loads.map { load -> (Loader.Loaded, PolicyCheck.Options) in
            var fileOptions = options
            fileOptions.analyses = options.analyses && !usedByOthers.contains(names.canonical(load.path))
            return (load.loaded, fileOptions)
        }
        let results = CheckRun.parallelMap(jobs) { PolicyCheck.run(Driver.compile($0.0), options: $0.1) }
        for result in results {
            silenced += result.silenced
            for d in result.diagnostics {
                let key = FindingKey(d, file: names.canonical(d.file))
                guard seen.insert(key).inserted else { continue }
                diagnostics.append(names.renamed(d))
            }
        }
        return CheckReport(files: checked, diagnostics: diagnostics.sortedForDisplay(), unreadable: unreadable,
                           silenced: silenced, denyWarnings: denyWarnings)
    }

    /// Files as given (`-` for standard input, once), folders searched
    /// recursively for `*.policy` and `*.examples` (as `test` and `fmt`
    /// search them); each file once. A path that does not exist, or a
    /// folder with neither in it, is a problem with that path.
    static func expand(_ operands: [String]) -> (files: [String], problems: [(path: String, message: String)]) {
        var files: [String] = []
        var problems: [(path: String, message: String)] = []
        for operand in operands {
            if operand == "-" {
                if !files.contains("-") { files.append("-") }
            } else if FileSystem.isDirectory(operand) {
                let found = FileSystem.files(under: operand, suffixes: [".policy", ".examples"])
                if found.isEmpty { problems.append((operand, "no `*.policy` or `*.examples` files under `\(operand)`")) }
                files += found
            } else if FileSystem.exists(operand) {
                files.append(operand)
            } else {
                problems.append((operand, "cannot read `\(operand)`: no such file or directory"))
            }
        }
        var seen = Set<String>()
        files = files.filter { $0 == "-" || seen.insert(FileSystem.canonical($0)).inserted }
        return (files, problems)
    }

    /// `transform` applied to every item on every core, results in order.
    static func parallelMap<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
        guard items.count > 1 else { return items.map(transform) }
        let slots = Slots<R>(count: items.count)
        DispatchQueue.concurrentPerform(iterations: items.count) { k in
            slots.set(k, transform(items[k]))
        }
        // INVARIANT: concurrentPerform runs every iteration once, so every slot is filled.
        return slots.values.compactMap { $0 }
    }

    /// Results written from many threads, each to its own slot.
    final class Slots<R: Sendable>: @unchecked Sendable {
        // INVARIANT: `stored` is only read and written on `queue`.
        private let queue = DispatchQueue(label: "amends.check.results")
        private var stored: [R?]

        init(count: Int) { stored = Array(repeating: nil, count: count) }

        func set(_ k: Int, _ value: R) { queue.sync { stored[k] = value } }

        var values: [R?] { queue.sync { stored } }
    }


    /// The name each file is shown under: the path the run was given for
    /// it, whichever way a `use` reached it.
    struct PathNames {
        private var canonicalOf: [String: String] = [:]
        private var preferred: [String: String] = [:]
        private var renamedSources: [ObjectIdentifier: SourceText] = [:]

        mutating func canonical(_ path: String) -> String {
            if let known = canonicalOf[path] { return known }
            let c = FileSystem.canonical(path)
            canonicalOf[path] = c
            return c
        }

        mutating func prefer(_ path: String) {
            let c = canonical(path)
            if preferred[c] == nil { preferred[c] = path }
        }

        /// The diagnostic with its file (and its notes' files) under their preferred names.
        mutating func renamed(_ d: Diagnostic) -> Diagnostic {
            var out = d
            out.source = source(d.source)
            out.notes = d.notes.map { note in
                var n = note
                n.source = note.source.map { source($0) }
                return n
            }
            return out
        }

        private mutating func source(_ s: SourceText) -> SourceText {
            let c = canonical(s.path)
            guard let name = preferred[c], name != s.path else { return s }
            if let done = renamedSources[ObjectIdentifier(s)] { return done }
            let renamed = SourceText(path: name, bytes: s.bytes)
            renamedSources[ObjectIdentifier(s)] = renamed
            return renamed
        }
    }
}

/// The absolute working folder, for SARIF's `%SRCROOT%`.
enum WorkingFolder {
    static var path: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "/" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
