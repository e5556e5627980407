import Testing
@testable import Amends
@testable import AmendsCLI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The REPL's input side apart from the editor: what an entry is and when
/// it is finished, scripts read from a pipe, the history file and Tab
/// completion against a policy.
struct REPLInputTests {
    // MARK: - What an entry is

    @Test func entriesAreToldApartByHowTheyStart() {
        #expect(InputShape.kind(of: "when severity >= high: notify a") == .declaration)
        #expect(InputShape.kind(of: "  scale x: a < b") == .declaration)
        #expect(InputShape.kind(of: "roles: a") == .declaration)
        #expect(InputShape.kind(of: "{severity: high}") == .incident)
        #expect(InputShape.kind(of: ".load x.policy") == .command)
        #expect(InputShape.kind(of: "exit") == .exit)
        #expect(InputShape.kind(of: "quit ") == .exit)
        #expect(InputShape.kind(of: "severity >= high") == .condition)
        #expect(InputShape.kind(of: "whenever = 1") == .condition)
        #expect(InputShape.kind(of: "   ") == .empty)
        #expect(InputShape.kind(of: "# just a note") == .empty)
    }

    @Test func whatPeopleTypeInOtherREPLsIsToldApart() {
        for word in ["help", ":help", "?", " help ", ":h", "help load", "? keys"] {
            #expect(InputShape.kind(of: word) == .help, "\(word)")
        }
        for word in ["exit", "quit", "exit()", ":q", ":quit"] { #expect(InputShape.kind(of: word) == .exit, "\(word)") }
        #expect(InputShape.kind(of: "clear") == .clearScreen)
        #expect(InputShape.kind(of: "cls") == .clearScreen)
        #expect(InputShape.kind(of: ".clear") == .command)
        #expect(InputShape.kind(of: ":load x.policy") == .command)
        // Still conditions: more than a word after `help`, or an operator.
        #expect(InputShape.kind(of: "help = yes") == .condition)
        #expect(InputShape.kind(of: "clear and urgent") == .condition)
        #expect(!InputShape.needsMore("help") && !InputShape.needsMore(":help"))
    }

    @Test func anEntryGoesOnWhileItIsUnfinished() {
        #expect(!InputShape.needsMore("when severity >= high: notify a"))
        #expect(InputShape.needsMore("when severity >= high:"))
        #expect(InputShape.needsMore("when severity >= high:  # a comment"))
        #expect(InputShape.needsMore("rule \"x\" when a:\n  notify b"))
        #expect(!InputShape.needsMore("rule \"x\" when a:\n  notify b\n"))
        #expect(!InputShape.needsMore("rule \"x\" when a:\n  notify b\n   "))
        #expect(InputShape.needsMore("{severity: high,"))
        #expect(!InputShape.needsMore("{severity: high,\n tier: basic}"))
        #expect(InputShape.needsMore("{note: \"a } b\""))
        #expect(InputShape.needsMore("severity >= high and"))
        #expect(InputShape.needsMore("tier in [basic,"))
        #expect(!InputShape.needsMore("{note: \"ends with:\"}"))
        #expect(!InputShape.needsMore(".load a.policy:"))
        #expect(!InputShape.needsMore(""))
    }

    @Test func aColonOutsideStringsBracketsAndTimesIsFound() {
        #expect(InputShape.topLevelColon("severity: high") != nil)
        #expect(InputShape.topLevelColon("reported < 2026-03-03T09:00:00Z") == nil)
        #expect(InputShape.topLevelColon("note = \"a: b\" # c: d") == nil)
        #expect(InputShape.topLevelColon("tier in [a] and x = 1") == nil)
    }

    @Test func scriptsEndABlockAtAnUnindentedLine() {
        var a = EntryAssembler()
        var entries: [String] = []
        for line in ["when a:", "  notify b", "{severity: high,", "  tier: basic}", "", "", "scale s: x < y",
                     "record r:", "  f: s", "  # a note", "# a comment inside", "  g: text"] {
            entries += a.feed(line)
        }
        if let last = a.finish() { entries.append(last) }
        #expect(entries == ["when a:\n  notify b", "{severity: high,\n  tier: basic}", "scale s: x < y",
                            "record r:\n  f: s\n  # a note\n# a comment inside\n  g: text"])
    }

    @Test func aScriptFromAPipeRunsEveryEntryAndFailsWhenOneDid() throws {
        let policy = "scale severity: low < high\nrecord incident:\n  severity: severity\nroles: owner\n"
            + "when severity = high: notify owner\n"
        func run(_ script: String) -> (output: String, errors: String, status: Int32) {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { return ("", "no pipe", -1) }
            let bytes = Array(script.utf8)
            _ = bytes.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
            close(fds[1])
            defer { close(fds[0]) }
            var reader = ScriptReader(session: Session(clock: { 0 }), prompt: false, input: fds[0])
            var output = ""
            var errors = ""
            let status = reader.run { chunk in
                if chunk.isError { errors += chunk.text } else { output += chunk.text }
            }
            return (output, errors, status)
        }
        let good = run(policy + "{severity: high}\r\nseverity = high\n")
        #expect(good.status == 0)
        #expect(good.output == """
        + scale severity: low < high
        + record incident: 1 field
        + roles: owner
        + rule <input-4>:1: when severity = high
          notify owner  [<input-4>:1]
        true
          severity is high, which is = high

        """)
        #expect(!good.output.contains("\u{1B}") && !good.errors.contains("\u{1B}"))
        // The warnings `amends check` gives go to standard error, and do not fail the script.
        #expect(good.errors.contains("warning[W308]") && !good.errors.contains("error["))
        let bad = run(policy + "{severity: hgh}\n{severity: low}")
        #expect(bad.status == 1)
        #expect(bad.errors.contains("<input-5>:1:12: error[E102]"))
        #expect(bad.output.hasSuffix("  no actions required\n"))
        let exits = run(".exit\n{severity: hgh}\n")
        #expect(exits.status == 0 && exits.output.isEmpty && exits.errors.isEmpty)
    }

    // MARK: - History

    @Test func historyKeepsBlocksWholeOnOneLine() {
        for entry in ["when a:\n  notify b", "back\\slash", "a\\nb", "tail\\", "é 漢"] {
            #expect(History.decode(History.encode(entry)) == entry)
            #expect(!History.encode(entry).contains("\n"))
        }
    }

    @Test func historyIsAFileAppendedAfterEachEntryAndBounded() {
        let path = "/tmp/amends-history-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(path) }
        var h = History(path: path)
        #expect(h.entries.isEmpty)
        h.add("{severity: high}")
        h.add("{severity: high}") // the same again is kept once
        h.add("when a:\n  notify b")
        h.add("   ")
        #expect(History(path: path).entries == ["{severity: high}", "when a:\n  notify b"])
        for i in 0..<(2 * History.limit + 5) { h.add("entry \(i)") }
        let reread = History(path: path)
        #expect(reread.entries.count == History.limit)
        #expect(reread.entries.last == "entry \(2 * History.limit + 4)")
        // The file was compacted, not left to grow.
        if case .success(let bytes) = FileSystem.read(path) {
            #expect(bytes.filter { $0 == 0x0A }.count <= 2 * History.limit)
        }
    }

    @Test func theHistoryFileComesFromTheEnvironment() {
        func path(_ env: [String: String]) -> String? { History.defaultPath { env[$0] } }
        #expect(path(["HOME": "/home/ann"]) == "/home/ann/.amends_history")
        #expect(path(["HOME": "/home/ann", "AMENDS_HISTORY": "/tmp/h"]) == "/tmp/h")
        #expect(path(["HOME": "/home/ann", "AMENDS_HISTORY": ""]) == nil)
        #expect(path([:]) == nil)
    }

    // MARK: - Completion

    /// Made for each use, not kept in a `static let`: a policy model held
    /// until the process exits is reached only through enum payloads whose
    /// spare bits hold the case (tagged pointers), which LeakSanitizer
    /// cannot follow, so `swift test --sanitize=address` reported its
    /// `define`'s condition and a `one of` field's type as leaks.
    static var completer: Completer {
        let policy = """
        scale severity: low < medium < high
        record incident:
          severity: severity
          category: one of billing, delivery
          urgent: yes/no
          customer.name: text?
        roles: supervisor, owner
        remedies: refund, credit
        define serious: severity >= high

        """
        let compiled = Driver.compile(source: SourceText(path: "t.policy", text: policy))
        return Completer(model: compiled.model, directory: FileSystem.directory(of: #filePath))
    }

    static func complete(_ before: String) -> [String] {
        let found = completer.complete(before)
        let word = String(Array(before)[found.start...])
        return found.candidates.filter { $0.hasPrefix(word) }
    }

    @Test func completesWhatTheLanguageAllowsThere() {
        #expect(Self.complete(".lo") == [".load "])
        #expect(Self.complete(".format j") == ["json"])
        #expect(Self.complete(".help ke") == ["keys"])
        #expect(Self.complete("ru") == ["rule "])
        #expect(Self.complete("se") == ["severity ", "serious ", "serious: "])
        #expect(Self.complete("{sev") == ["severity: "])
        #expect(Self.complete("{severity: high, cu") == ["customer.name: "])
        #expect(Self.complete("{severity: h") == ["high"])
        #expect(Self.complete("severity >= ") == ["low ", "medium ", "high "])
        #expect(Self.complete("category in [billing, ") == ["billing ", "delivery "])
        #expect(Self.complete("urgent = ") == ["yes ", "no "])
        #expect(Self.complete("when serious: notify ") == ["supervisor ", "owner "])
        #expect(Self.complete("when serious: notify owner, s") == ["supervisor "])
        #expect(Self.complete("when serious: escalate to o") == ["owner "])
        #expect(Self.complete("when serious: offer refund, ") == ["refund ", "credit "])
        #expect(Self.complete("when serious: respond within 1 hour by ") == ["phone ", "email ", "chat ", "in person "])
        #expect(Self.complete("when serious: require apology with re") == ["repair ", "responsibility ", "regret "])
        #expect(Self.complete("when serious: fo") == ["follow up in "])
        #expect(Self.complete("rule \"x\" when serious:\n  of") == ["offer "])
        #expect(Self.complete("severity is ") == [])
        #expect(Self.complete("severity i") == ["is missing ", "is present ", "in "])
    }

    @Test func completesFileNamesAfterLoad() {
        // This test file's folder holds `cases/` and the Swift test files.
        #expect(Self.complete(".load ca") == ["cases/"])
        #expect(Self.complete(".load cases/sem").first == "cases/semantics/")
        #expect(Self.complete(".load cases/semantics/wai") == ["cases/semantics/waive.policy"])
        #expect(Self.complete(".save REPLIn") == ["REPLInputTests.swift"])
        #expect(Self.complete(".load REPLIn") == [])
    }

    @Test func loadCompletesOnlyWhereItLooks() throws {
        // `~` is not the home folder to `.load` (it reads paths relative to
        // where the REPL started), so completion does not look there either.
        let folder = SessionTests.Folder()
        #expect(mkdir(folder.path + "/~", 0o700) == 0)
        defer {
            unlink(folder.path + "/~/here.policy")
            rmdir(folder.path + "/~")
        }
        folder.write("~/here.policy", "scale s: a < b\n")
        let completer = Completer(model: Driver.compile(source: SourceText(path: "t.policy", text: "")).model, directory: folder.path)
        let found = completer.complete(".load ~/")
        #expect(found.candidates == ["~/here.policy"])
        var session = SessionTests.session(folder)
        #expect(!session.run(".load ~/here.policy").failed)
        #expect(Completer.files("nowhere/", in: folder.path, suffix: ".policy").isEmpty)
    }

    @Test func dropCompletesTheTypedRules() {
        let folder = SessionTests.Folder()
        var s = SessionTests.loaded(folder)
        _ = s.run("rule \"mine\" when severity = low: notify owner")
        let completer = Completer(model: s.policy.model, directory: folder.path)
        #expect(completer.complete(".drop ").candidates == ["4", "\"mine\""])
    }

    // MARK: - Long output on a terminal

    @Test func longLinesWrapAtSpacesUnderWhatTheyContinue() {
        let note = "  = note: for example, `{severity: low}` requires `notify owner`; with `severity: medium` it requires none"
        #expect(OutputWrap.wrap(note, width: 40) == """
          = note: for example, `{severity: low}`
                  requires `notify owner`; with
                  `severity: medium` it requires
                  none
        """)
        let action = "  respond within 2 hours by phone, due 2026-03-02T11:00:00Z  [policies/standard.policy:54 \"valued client\"]"
        #expect(OutputWrap.wrap(action, width: 60) == """
          respond within 2 hours by phone, due 2026-03-02T11:00:00Z
              [policies/standard.policy:54 "valued client"]
        """)
        // Source and caret lines stay whole; short lines and line ends stay as they are.
        let gutter = "12 | when severity >= high and tier >= premium and caused_by = us: notify supervisor\n   |      ^~~~\n"
        #expect(OutputWrap.wrap(gutter, width: 30) == gutter)
        #expect(OutputWrap.wrap("short\n\nlines\n", width: 30) == "short\n\nlines\n")
        // Colour codes take no room.
        let dim = "\u{1B}[2m" + String(repeating: "a", count: 30) + "\u{1B}[0m"
        #expect(OutputWrap.wrap(dim, width: 30) == dim)
    }

    @Test func theHistoryHelpNamesTheFileInUse() {
        #expect(History.keeping(environment: { $0 == "AMENDS_HISTORY" ? "/tmp/h" : "/home/x" }) == .file("/tmp/h"))
        #expect(History.keeping(environment: { $0 == "HOME" ? "/home/x" : nil }) == .file("/home/x/.amends_history"))
        #expect(History.keeping(environment: { $0 == "AMENDS_HISTORY" ? "" : "/home/x" }) == .off("`AMENDS_HISTORY` is set and empty"))
        var s = Session(clock: { 0 })
        #expect(s.run(".help keys").text.contains("History is not kept: history is kept only when the REPL reads from a terminal."))
        s.history = .file("/tmp/elsewhere/hist")
        let keys = s.run(".help keys").text
        #expect(keys.contains("History is kept in /tmp/elsewhere/hist"))
        #expect(!keys.contains("~/.amends_history"))
    }
}
