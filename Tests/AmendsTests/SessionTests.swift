import Testing
@testable import Amends
@testable import AmendsCLI
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The REPL session without a terminal: scripted entries in, the text they
/// print out, for every kind of entry and every command, errors included.
/// The clock is fixed; files live in a fresh temporary folder per test.
struct SessionTests {
    // MARK: - Fixtures

    static let policy = """
    policy "Recovery"

    scale severity: low < medium < high < critical
    scale tier: basic < premium < enterprise

    record incident:
      id: text?
      severity: severity
      tier: tier = basic
      category: one of billing, delivery, outage
      caused_by: one of us, vendor, customer = us
      amount: number?
      reported: time

    deadlines from reported
    roles: supervisor, account_manager, owner
    remedies: refund, credit

    define valued: tier >= premium or amount > 5000

    when severity >= high: notify supervisor; follow up in 3 days

    rule "valued client" when valued and caused_by = us:
      respond within 2 hours by phone
      offer refund, credit

    otherwise:
      follow up in 7 days

    """

    /// 2026-03-02T09:00:00Z, a Monday.
    static let monday: Int64 = 1_772_442_000

    /// A temporary folder, removed with what was written to it.
    final class Folder {
        let path: String
        private var names: Set<String> = []

        init() {
            var template = Array("/tmp/amends-session-XXXXXX".utf8CString)
            path = template.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress, mkdtemp(base) != nil else { return "/tmp" }
                return String(cString: base)
            }
        }

        func write(_ name: String, _ text: String) {
            names.insert(name)
            _ = FileSystem.writeAtomically(path + "/" + name, Array(text.utf8))
        }

        func read(_ name: String) -> String? {
            guard case .success(let bytes) = FileSystem.read(path + "/" + name) else { return nil }
            return String(decoding: bytes, as: UTF8.self)
        }

        func forget(_ name: String) { names.insert(name) }

        deinit {
            for name in names { unlink(path + "/" + name) }
            if path != "/tmp" { rmdir(path) }
        }
    }

    /// What a reply printed on standard output (not its diagnostics).
    static func said(_ reply: Session.Reply) -> String {
        reply.chunks.filter { !$0.isError }.map(\.text).joined()
    }

    /// What a reply printed on standard error.
    static func warned(_ reply: Session.Reply) -> String {
        reply.chunks.filter(\.isError).map(\.text).joined()
    }

    static func session(_ folder: Folder) -> Session {
        Session(directory: folder.path, clock: { SessionTests.monday })
    }

    /// A session with `standard.policy` loaded.
    static func loaded(_ folder: Folder) -> Session {
        folder.write("standard.policy", policy)
        var s = session(folder)
        let reply = s.run(".load standard.policy")
        #expect(!reply.failed, "\(reply.text)")
        return s
    }

    // MARK: - Declarations and rules

    @Test func declarationsAndRulesAreAddedAndChecked() {
        let folder = Folder()
        var s = Self.session(folder)
        #expect(s.run("scale severity: low < high").text == "+ scale severity: low < high\n")
        #expect(s.run("record incident:\n  severity: severity\n  opened: time?\n").text == "+ record incident: 2 fields\n")
        #expect(s.run("roles: supervisor, owner").text == "+ roles: supervisor, owner\n")
        // What was added goes to standard output; warnings (below) to standard error.
        #expect(Self.said(s.run("when severity >= high: notify supervisor")) == "+ rule <input-4>:1: when severity >= high\n")
        let block = s.run("rule \"low\" when severity = low:\n  notify owner within 1 hour\n")
        #expect(Self.said(block) == "+ rule <input-5>:1: rule \"low\" when severity = low\n")
        #expect(s.run(".rules").text == """
          1. when severity >= high  1 action, <input-4>:1
          2. rule "low" when severity = low  1 action, <input-5>:1

        """)
        #expect(s.run("{severity: low}").text == """
          notify owner within 1 hour, due 2026-03-02T10:00:00Z  [<input-5>:1 "low"]

        """)
    }

    @Test func aDeclarationWithAnErrorIsShownWithCaretsAndDropped() {
        let folder = Folder()
        var s = Self.loaded(folder)
        let reply = s.run("when severity >= high: notify supervisr")
        #expect(reply.failed)
        #expect(reply.text == """
        <input-1>:1:31: error[E104]: unknown role `supervisr`
          |
        1 | when severity >= high: notify supervisr
          |                               ^~~~~~~~~
          = help: did you mean `supervisor`?

        """)
        #expect(reply.chunks.allSatisfy { $0.isError })
        #expect(s.policy.model.rules.count == 3)
        // A clash with the loaded policy points back at it.
        let twice = s.run("scale tier: a < b")
        #expect(twice.failed && twice.text.contains("scale `tier` is declared twice"))
        #expect(twice.text.contains("= note: first declared here"))
        // A syntax error.
        let broken = s.run("when severity >= : notify owner")
        #expect(broken.failed && broken.text.hasPrefix("<input-3>:1:18: error"))
        #expect(s.policy.model.rules.count == 3)
    }

    @Test func examplesTypedAtThePromptRunAtOnce() {
        let folder = Folder()
        var s = Self.loaded(folder)
        let pass = s.run("""
        example "a critical incident":
          given {severity: critical, reported: 2026-03-02T09:00:00Z}
          expect notify supervisor
          expect follow up in 3 days

        """)
        #expect(!pass.failed)
        #expect(pass.text == "+ example \"a critical incident\"\npassed\n")
        let fail = s.run("""
        example "wrong":
          given {severity: low, reported: 2026-03-02T09:00:00Z}
          expect notify owner
        """)
        #expect(fail.failed)
        #expect(fail.text == """
        + example "wrong"
        failed
          missing:    notify owner
          unexpected: follow up in 7 days

        """)
        let bad = s.run("example \"bad\":\n  given {severity: hgh}\n  expect nothing")
        #expect(bad.failed && bad.text.hasPrefix("<input-3>:2:20: error[E102]: `hgh` is not a level of scale `severity`"))
    }

    // MARK: - Incidents

    @Test func anIncidentShowsItsActionsDeadlinesAndRules() {
        let folder = Folder()
        var s = Self.loaded(folder)
        let reply = s.run("{severity: critical, tier: enterprise, category: outage, reported: 2026-03-02T09:00:00Z}")
        #expect(!reply.failed)
        #expect(reply.text == """
          notify supervisor  [standard.policy:21]
          respond within 2 hours by phone, due 2026-03-02T11:00:00Z  [standard.policy:23 "valued client"]
          offer refund, credit  [standard.policy:23 "valued client"]
          follow up in 3 days, due 2026-03-05T09:00:00Z  [standard.policy:21]

        """)
    }

    @Test func anIncidentOverTwoLinesAndAsJSON() {
        let folder = Folder()
        var s = Self.loaded(folder)
        let two = s.run("{severity: low, category: billing,\n reported: 2026-03-02T09:00:00Z}")
        #expect(two.text == "  follow up in 7 days, due 2026-03-09T09:00:00Z  [standard.policy:27]\n")
        let json = s.run(#"{"severity": "high", "category": "billing", "reported": "2026-03-02T09:00:00Z", "id": "INC-7"}"#)
        #expect(json.text == """
          notify supervisor  [standard.policy:21]
          follow up in 3 days, due 2026-03-05T09:00:00Z  [standard.policy:21]

        """)
        #expect(s.run(".format json").text == "format: json\n")
        #expect(s.run(".format").text == "format: json\n")
        #expect(s.run("{severity: low, category: billing, reported: 2026-03-02T09:00:00Z}").text
                == #"{"record":3,"actions":[{"kind":"follow_up","due":"2026-03-09T09:00:00Z","within":"P7D","because":[{"file":"standard.policy","line":27}]}]}"#
                + "\n")
        let wrong = s.run(".format yaml")
        #expect(wrong.failed && wrong.text.contains("`.format` takes `text` or `json`, not `yaml`"))
    }

    @Test func anIncidentWithoutAClockCountsFromNowAndSaysWhatIsMissing() {
        let folder = Folder()
        var s = Self.loaded(folder)
        #expect(s.run("{severity: high}").text == """
          notify supervisor  [standard.policy:21]
          follow up in 3 days, due 2026-03-05T09:00:00Z  [standard.policy:21]
          note: no `reported`, so deadlines count from now (2026-03-02T09:00:00Z)
          note: not given: `category` (a comparison with a missing value is false)

        """)
    }

    @Test func aBadIncidentIsShownWithCaretsOnWhatWasTyped() {
        let folder = Folder()
        var s = Self.loaded(folder)
        let level = s.run("{severity: hgh}")
        #expect(level.failed)
        #expect(level.text == """
        <input-1>:1:12: error[E102]: `hgh` is not a level of scale `severity`
          |
        1 | {severity: hgh}
          |            ^~~
          = help: did you mean `high`?

        """)
        let field = s.run("{severity: high,\n  teir: basic}")
        #expect(field.failed)
        #expect(field.text.hasPrefix("<input-2>:2:3: error[E123]: the record has no field `teir`"))
        #expect(field.text.contains("2 |   teir: basic}"))
        #expect(field.text.contains("did you mean `tier`?"))
        let unclosed = s.run("{severity: high")
        #expect(unclosed.failed && unclosed.text.contains("<input-3>:1:1: error"))
        #expect(s.incident == nil)
    }

    @Test func anIncidentNeedsARecord() {
        let folder = Folder()
        var s = Self.session(folder)
        let reply = s.run("{severity: high}")
        #expect(reply.failed)
        #expect(reply.text == """
        error: the session has no record to read an incident into
          = help: `.load` a policy, or declare one, e.g. `record incident:` with a field per line

        """)
    }

    // MARK: - Conditions

    @Test func aConditionIsEvaluatedAgainstTheLastIncidentWithWhy() {
        let folder = Folder()
        var s = Self.loaded(folder)
        let early = s.run("tier >= premium")
        #expect(!early.failed)
        #expect(early.text == "the condition is valid; type an incident (`{field: value, …}`) to evaluate it\n")
        _ = s.run("{severity: high, category: billing, amount: 7000}")
        #expect(s.run("tier >= premium").text == "false\n  tier is basic; the rule needs >= premium\n  tier is basic (default)\n")
        #expect(s.run("valued and severity > medium").text == """
        true
          valued holds: amount is 7000, which is > 5000; and severity is high, which is > medium
          valued means tier >= premium or amount > 5000
          tier is basic (default)

        """)
        #expect(s.run("id is missing or category in [billing,\n delivery]").text.hasPrefix("true\n  id is missing\n"))
        #expect(s.run("age > 1 day").text == "false\n  age is unknown: reported is missing; the rule needs > 1 day\n")
        _ = s.run(".now 2026-03-04T09:00:00Z")
        _ = s.run("{severity: high, category: billing, reported: 2026-03-02T09:00:00Z}")
        #expect(s.run("age > 1 day").text == "true\n  age is 2 days (from reported 2026-03-02T09:00:00Z to now 2026-03-04T09:00:00Z), which is > 1 day\n")
    }

    @Test func aBadConditionIsShownWithCarets() {
        let folder = Folder()
        var s = Self.loaded(folder)
        let reply = s.run("severity >= hgh")
        #expect(reply.failed)
        #expect(reply.text.hasPrefix("<input-1>:1:13: error[E102]: `hgh` is not a level of scale `severity`"))
        #expect(reply.text.contains("1 | severity >= hgh\n  |             ^~~"))
        let unknown = s.run("sevrity = high")
        #expect(unknown.failed && unknown.text.contains("did you mean `severity`?"))
        // A `:` makes it something else: say what it looks like.
        #expect(s.run("severity: high").text == """
        error: `severity: high` is neither a condition nor an incident
          = help: compare with `=`: `severity = high`; or type an incident in braces: `{severity: high}`

        """)
        let rule = s.run("severity >= high: notify owner")
        #expect(rule.failed && rule.text.contains("start a rule with `when`: `when severity >= high: notify owner`"))
        // A time of day has a `:` too.
        #expect(!s.run("reported < 2026-03-03T09:00:00Z").failed)
    }

    // MARK: - Commands

    @Test func explainSaysWhyEachRuleFiredOrNot() {
        let folder = Folder()
        var s = Self.loaded(folder)
        let none = s.run(".explain")
        #expect(none.failed && none.text.contains("there is no incident to explain"))
        _ = s.run("{severity: high, category: billing, reported: 2026-03-02T09:00:00Z}")
        #expect(s.run(".explain").text == """
        rules for <input-1>:
          fired      standard.policy:21  when severity >= high
                     severity is high, which is >= high
          not fired  standard.policy:23  rule "valued client" when valued and caused_by = us
                     valued does not hold: no alternative holds: tier is basic; the rule needs >= premium | amount is missing; the rule needs > 5000
                     valued means tier >= premium or amount > 5000
                     tier is basic (default)
                     caused_by is us (default)
          not fired  standard.policy:27  otherwise
                     a `when` rule fired
        actions:
          notify supervisor  [standard.policy:21]
          follow up in 3 days, due 2026-03-05T09:00:00Z  [standard.policy:21]

        """)
        #expect(s.run(".explain now").failed)
    }

    @Test func incidentShowsEveryField() {
        let folder = Folder()
        var s = Self.loaded(folder)
        #expect(s.run(".incident").failed)
        _ = s.run("{severity: high, amount: 12.5}")
        #expect(s.run(".incident").text == """
        <input-1>: {severity: high, amount: 12.5}
          id         missing
          severity   high
          tier       basic (default)
          category   missing
          caused_by  us (default)
          amount     12.5
          reported   missing
          now is 2026-03-02T09:00:00Z

        """)
    }

    @Test func loadFindsFilesAndRefusesBrokenOnes() {
        let folder = Folder()
        var s = Self.session(folder)
        folder.write("standard.policy", Self.policy)
        folder.write("extra.policy", "use \"standard.policy\"\nwhen severity = low: notify owner\n")
        let missing = s.run(".load standrd.policy")
        #expect(missing.failed)
        #expect(missing.text == """
        error: cannot load `standrd.policy`: no such file or directory
          = help: did you mean `standard.policy`?

        """)
        #expect(Self.said(s.run(".load extra.policy")) == "loaded extra.policy: 4 rules (with 1 used file)\n")
        #expect(s.policy.model.rules.count == 4)
        // Loading the used file again adds nothing: each file is loaded once.
        #expect(Self.said(s.run(".load standard.policy")) == "loaded standard.policy: \"Recovery\", 3 rules\n")
        #expect(s.policy.model.rules.count == 4)
        #expect(s.run(".load standard.policy").text == "`standard.policy` is already loaded; `.reload` reads it again\n")
        folder.write("broken.policy", "when severity >= hihg: notify owner\n")
        let broken = s.run(".load broken.policy")
        #expect(broken.failed)
        #expect(broken.text.contains("broken.policy:1:18: error[E102]"))
        #expect(broken.text.hasSuffix("nothing was loaded: the session is as it was\n"))
        #expect(s.policy.files == ["extra.policy", "standard.policy"])
        #expect(s.run(".load").failed)
    }

    @Test func reloadReadsTheFilesAgain() {
        let folder = Folder()
        var s = Self.loaded(folder)
        _ = s.run("when severity = low: notify owner")
        folder.write("standard.policy", Self.policy + "when category = outage: notify owner\n")
        #expect(s.run(".reload").text == "reloaded 1 file, 5 rules in the session\n")
        folder.write("standard.policy", Self.policy.replacing("supervisor, account_manager, owner", with: "supervisor"))
        let broken = s.run(".reload")
        #expect(broken.failed)
        #expect(broken.text.contains("unknown role `owner`"))
        #expect(broken.text.hasSuffix("not reloaded: the session is as it was\n"))
        #expect(s.policy.model.rules.count == 5)
    }

    @Test func saveWritesTheSessionAsAPolicyThatLoadsAgain() {
        let folder = Folder()
        var s = Self.loaded(folder)
        // Typed loosely; saved in the canonical layout.
        _ = s.run("when   category=outage :\n    notify owner within 1 hour\n    offer credit\n")
        _ = s.run("when severity >= hgh: notify owner") // refused: not saved
        folder.forget("session.policy")
        #expect(s.run(".save session.policy").text == "saved 1 loaded file and 1 entry to session.policy\n")
        #expect(folder.read("session.policy") == """
        # Saved from `amends repl`.

        use "standard.policy"

        when category = outage:
          notify owner within 1 hour
          offer credit

        """)
        var again = Self.session(folder)
        #expect(!again.run(".load session.policy").failed)
        #expect(again.policy.model.rules.count == 4)
        let incident = "{severity: low, category: outage, reported: 2026-03-02T09:00:00Z}"
        #expect(again.run(incident).text.contains("notify owner within 1 hour, due 2026-03-02T10:00:00Z  [session.policy:5]"))
        #expect(s.run(".save").failed)
        #expect(s.run(".save .").text.contains("it is a directory"))
    }

    @Test func saveNeverWritesOverALoadedFile() {
        let folder = Folder()
        folder.write("standard.policy", Self.policy)
        folder.write("extra.policy", "use \"standard.policy\"\nwhen severity = low: notify owner\n")
        var s = Self.session(folder)
        #expect(!s.run(".load extra.policy").failed)
        _ = s.run("when category = outage: notify owner")
        // The loaded file, by another spelling of its path, and a file it uses.
        for name in ["extra.policy", "./extra.policy", "standard.policy"] {
            let reply = s.run(".save \(name)")
            #expect(reply.failed, "\(name)")
            #expect(reply.text == """
                error: cannot save to `\(name)`: the session has loaded it, and the saved session `use`s it
                  = help: save to another file, e.g. `.save session.policy`

                """)
        }
        #expect(folder.read("standard.policy") == Self.policy)
        #expect(folder.read("extra.policy") == "use \"standard.policy\"\nwhen severity = low: notify owner\n")
        folder.forget("session.policy")
        #expect(!s.run(".save session.policy").failed)
    }

    @Test func clearForgetsEntries() {
        let folder = Folder()
        var s = Self.loaded(folder)
        _ = s.run("when severity = low: notify owner")
        _ = s.run("{severity: low}")
        #expect(s.run(".clear").text == "forgot 1 typed entry and the incident; loaded files stay\n")
        #expect(s.policy.model.rules.count == 3 && s.incident == nil)
        #expect(s.run(".clear all").text == "cleared: the session is empty\n")
        #expect(s.policy.model.rules.isEmpty)
        #expect(s.run(".rules").text.hasPrefix("the session has no rules yet"))
        #expect(s.run(".clear everything").failed)
    }

    @Test func nowShowsSetsAndFollowsTheClock() {
        let folder = Folder()
        var s = Self.session(folder)
        #expect(s.run(".now").text == "now: 2026-03-02T09:00:00Z (the clock)\n")
        #expect(s.run(".now 2026-03-03T10:30:00+01:00").text == "now: 2026-03-03T09:30:00Z\n")
        #expect(s.run(".now").text == "now: 2026-03-03T09:30:00Z\n")
        #expect(s.run(".now clock").text == "now follows the clock\n")
        let bad = s.run(".now tomorrow")
        #expect(bad.failed && bad.text.contains("`tomorrow` is not a date"))
    }

    @Test func helpListsCommandsAndTopics() {
        let folder = Folder()
        var s = Self.session(folder)
        let all = s.run(".help").text
        for command in Session.commands { #expect(all.contains(command.name), "\(command.name)") }
        #expect(all.contains("`.help keys`"))
        #expect(s.run(".help load").text.hasPrefix(".load FILE…: add policy files"))
        #expect(s.run(".help .save").text.hasPrefix(".save FILE:"))
        #expect(s.run(".help keys").text.contains("Ctrl-R"))
        #expect(s.run(".help entries").text.contains("{severity: high, tier: premium}"))
        let unknown = s.run(".help lod")
        #expect(unknown.failed && unknown.text.contains("did you mean `load`?"))
    }

    @Test func exitAndUnknownCommands() {
        let folder = Folder()
        var s = Self.session(folder)
        for word in [".exit", "exit", "quit", "  quit  "] { #expect(s.run(word).exit, "\(word)") }
        #expect(!s.run(".rules").exit)
        let typo = s.run(".lod x")
        #expect(typo.failed && typo.text == "error: unknown command `.lod`\n  = help: did you mean `.load`?\n")
        let extra = s.run(".rules all")
        #expect(extra.failed && extra.text.contains("`.rules` takes no arguments"))
        #expect(s.run("").text.isEmpty && s.run("# a comment").text.isEmpty)
    }

    @Test func colourOnlyWhenAsked() {
        let folder = Folder()
        folder.write("standard.policy", Self.policy)
        var plain = Session(directory: folder.path, clock: { SessionTests.monday })
        var coloured = Session(directory: folder.path, color: true, clock: { SessionTests.monday })
        for entry in [".load standard.policy", "{severity: hgh}", "severity > low"] {
            #expect(!plain.run(entry).text.contains("\u{1B}"))
            _ = coloured.run(entry)
        }
        #expect(coloured.run("{severity: hgh}").text.contains("\u{1B}[1;31m"))
    }
}
// MARK: - Issue 21

extension SessionTests {
    @Test func helpExitAndClearAreAnsweredAsMeant() {
        let folder = Folder()
        var s = Self.loaded(folder)
        let help = s.run(".help").text
        for word in ["help", ":help", "?", "help()"] {
            let reply = s.run(word)
            #expect(!reply.failed && reply.text == help, "\(word)")
        }
        #expect(s.run("help load").text == s.run(".help load").text)
        #expect(s.run(":help keys").text == s.run(".help keys").text)
        for word in ["exit", "quit", ":q", "exit()"] { #expect(s.run(word).exit, "\(word)") }
        // `clear` clears the screen and forgets nothing; `.clear` forgets the typed rules.
        _ = s.run("when category = outage: notify owner")
        let clear = s.run("clear")
        #expect(clear.clearScreen && clear.text.isEmpty && !clear.failed)
        #expect(s.policy.model.rules.count == 4)
        #expect(s.run(".help clear").text.contains("Forgets every rule and declaration typed"))
        #expect(s.run(".help").text.contains(".clear [all]         forget all typed rules and declarations"))
        #expect(s.run(".help keys").text.contains("`clear` (or Ctrl-L) clears the screen"))
        // Other REPLs' `:command`: how this one writes it.
        let colon = s.run(":load x.policy")
        #expect(colon.failed && colon.text == "error: REPL commands start with `.`, not `:`\n  = help: write `.load x.policy`\n")
        // A policy with a field named `help` or `clear` keeps it a condition.
        var named = Self.session(folder)
        _ = named.run("record incident:\n  help: yes/no\n  clear: yes/no\n")
        _ = named.run("{help: yes, clear: no}")
        #expect(named.run("help").text.hasPrefix("true"))
        #expect(named.run("clear").text.hasPrefix("false"))
    }

    @Test func entriesAndLoadsShowWhatCheckSaysThatIsNew() {
        let folder = Folder()
        folder.write("standard.policy", Self.policy)
        var s = Self.session(folder)
        // `.load` shows what `amends check standard.policy` shows.
        let load = s.run(".load standard.policy")
        #expect(!load.failed)
        #expect(Self.warned(load).contains("warning[W304]: the role `owner` is never used"))
        #expect(Self.warned(load).contains("warning[W310]"))
        // A typed rule: only what is new with it (W304 about `owner` is not repeated).
        let rule = s.run("when severity = low and category = billing: notify owner; require apology with regret")
        #expect(!rule.failed)
        #expect(Self.warned(rule).contains("<input-1>:1:59: warning[W401]: this apology leaves out `responsibility`"))
        #expect(!Self.warned(rule).contains("W304"))
        // Nothing new: nothing shown.
        #expect(Self.warned(s.run("define urgent: severity >= high")).contains("warning[W303]: `urgent` is never used"))
        #expect(Self.warned(s.run("roles: clerk")).contains("the role `clerk` is never used"))
        #expect(Self.warned(s.run("{severity: low}")).isEmpty)
        // An allow comment silences a finding, as in a file.
        let allowed = s.run("when severity = medium: notify clerk; require apology with regret  # amends: allow W401")
        #expect(!Self.warned(allowed).contains("warning[W401]") && Self.warned(allowed).contains("warning[W402]"))
    }

    @Test func aTypedRuleIsReplacedDroppedOrUndoneAlone() {
        let folder = Folder()
        var s = Self.loaded(folder)
        _ = s.run("rule \"outage\" when category = outage: notify owner")
        _ = s.run("define big: amount > 1000")
        _ = s.run("when big: notify account_manager")
        // Typed again under its name: replaced in its place, and said so.
        let again = s.run("rule \"outage\" when category = outage: notify supervisor")
        #expect(!again.failed)
        #expect(Self.said(again) == "~ replaced rule \"outage\" of <input-1>\n+ rule <input-4>:1: rule \"outage\" when category = outage\n")
        #expect(Self.said(s.run(".rules")).contains("  4. rule \"outage\" when category = outage  1 action, <input-4>:1\n  5. when big"))
        let outage = "{severity: low, category: outage, reported: 2026-03-02T09:00:00Z}"
        #expect(s.run(outage).text.contains("notify supervisor  [<input-4>:1 \"outage\"]"))
        // A define too.
        #expect(Self.said(s.run("define big: amount > 5000")).hasPrefix("~ replaced define `big` of <input-2>\n"))
        // `.drop` by number or name forgets one typed rule; the rest stays.
        #expect(Self.said(s.run(".drop 5")) == "- rule <input-3>:1: when big\n")
        #expect(s.policy.model.rules.count == 4)
        let fromFile = s.run(".drop 1")
        #expect(fromFile.failed && fromFile.text.contains("rule 1 comes from `standard.policy`, not from what was typed"))
        let unknown = s.run(".drop outgae")
        #expect(unknown.failed && unknown.text.contains("did you mean `outage`?"))
        #expect(s.run(".drop").failed && s.run(".drop 9").failed)
        // A define a rule needs cannot go.
        _ = s.run("when big: notify owner")
        let needed = s.run(".drop big")
        #expect(needed.failed && needed.text.contains("not dropped: the rest of the session needs it"))
        #expect(Self.said(s.run(".drop outage")) == "- rule <input-4>:1: rule \"outage\" when category = outage\n")
        // `.undo` takes back the last change, again and again.
        #expect(Self.said(s.run(".undo")) == "+ rule <input-4>:1: rule \"outage\" when category = outage\n")
        #expect(Self.said(s.run(".undo")) == "- rule <input-7>:1: when big\n")
        #expect(Self.said(s.run(".undo")) == "+ rule <input-3>:1: when big\n")
        #expect(Self.said(s.run(".undo")) == "- define big\n+ define big\n")
        #expect(s.policy.model.rules.count == 5)
        // Undoing the replacement brings the first `outage` rule back.
        #expect(Self.said(s.run(".undo")) == "- rule <input-4>:1: rule \"outage\" when category = outage\n+ rule <input-1>:1: rule \"outage\" when category = outage\n")
        #expect(s.run(outage).text.contains("notify owner  [<input-1>:1 \"outage\"]"))
        #expect(s.run(".help").text.contains(".drop NUMBER|NAME"))
        #expect(s.run(".help").text.contains(".undo"))
        _ = s.run(".clear")
        #expect(s.run(".undo").text.contains("there is nothing to undo"))
    }

    @Test func aRuleInAnEntryWithOtherStatementsIsDroppedAlone() {
        let folder = Folder()
        var s = Self.loaded(folder)
        _ = s.run("define big: amount > 1000\nrule \"big\" when big:\n  notify owner\nwhen severity = low: notify owner\n")
        #expect(s.policy.model.rules.count == 5)
        // The rule named `big` goes (a rule before a define of the same name); the rest of the entry stays.
        #expect(Self.said(s.run(".drop big")) == "- rule <input-1>:2: rule \"big\" when big\n")
        #expect(s.policy.model.rules.count == 4)
        #expect(s.policy.model.defines.contains { $0.name == "big" })
        #expect(Self.said(s.run(".rules")).contains("4. when severity = low  1 action, <input-1>:2"))
        #expect(Self.said(s.run(".undo")).contains("+ rule <input-1>:2: rule \"big\" when big\n"))
        #expect(s.policy.model.rules.count == 5)
        // A whole entry by its name.
        #expect(Self.said(s.run(".drop <input-1>")) == "- define big\n- rule <input-1>:2: rule \"big\" when big\n- rule <input-1>:4: when severity = low\n")
        #expect(s.policy.model.rules.count == 3)
    }

    @Test func saveIntoAnotherFolderWritesUsePathsThatLoadFromThere() {
        let folder = Folder()
        #expect(mkdir(folder.path + "/out", 0o700) == 0)
        #expect(mkdir(folder.path + "/lib", 0o700) == 0)
        defer {
            for name in ["lib/standard.policy", "lib/session.policy", "out/session.policy"] { unlink(folder.path + "/" + name) }
            rmdir(folder.path + "/out")
            rmdir(folder.path + "/lib")
        }
        folder.write("lib/standard.policy", Self.policy)
        var s = Self.session(folder)
        #expect(!s.run(".load lib/standard.policy").failed)
        _ = s.run("when category = outage: notify owner")
        // Into the loaded file's folder: `use` it from there.
        #expect(s.run(".save lib/session.policy").text == "saved 1 loaded file and 1 entry to lib/session.policy\n")
        #expect(folder.read("lib/session.policy")?.contains("use \"standard.policy\"\n") == true)
        var again = Self.session(folder)
        #expect(!again.run(".load lib/session.policy").failed)
        #expect(again.policy.model.rules.count == 4)
        // Where no `use` can reach it: said, and nothing written.
        let out = s.run(".save out/session.policy")
        #expect(out.failed)
        #expect(out.text == """
            error: cannot save to `out/session.policy`: a policy in `out` cannot `use` `lib/standard.policy`, which is outside that folder
              = help: a policy can `use` only files in its own folder and below; save where it can reach them, e.g. `.save session.policy`

            """)
        #expect(folder.read("out/session.policy") == nil)
    }

    @Test func aQuotedLevelIsReadAsARecordReadsIt() {
        let folder = Folder()
        var s = Self.loaded(folder)
        let reply = s.run(#"{severity: "Critical", tier: "ENTERPRISE", category: "Outage", reported: "2026-03-02T09:00:00Z"}"#)
        #expect(!reply.failed, "\(reply.text)")
        #expect(reply.text.contains("offer refund, credit"))
        #expect(s.run("tier = enterprise and category = outage").text.hasPrefix("true"))
        let wrong = s.run(#"{severity: "Critical!"}"#)
        #expect(wrong.failed && wrong.text.contains("`Critical!` is not a level of scale `severity`"))
    }

    @Test func theBannerComesBeforeWhatLoadingSays() {
        let folder = Folder()
        folder.write("standard.policy", Self.policy)
        var s = Self.session(folder)
        let opening = REPLCommand.start(&s, loading: ["standard.policy"], banner: true)
        let said = Self.said(opening)
        #expect(said.hasPrefix("amends \(Amends.version) repl: type .help for help"))
        #expect(said.hasSuffix("loaded standard.policy: \"Recovery\", 3 rules\n"))
        var plain = Self.session(folder)
        #expect(Self.said(REPLCommand.start(&plain, loading: ["standard.policy"], banner: false)) == "loaded standard.policy: \"Recovery\", 3 rules\n")
    }
}
