// `amends diff OLD NEW RECORDS…` (docs/diff.md): what a policy change
// requires differently of the same records.
import Testing
@testable import Amends

@Suite struct DiffCommandTests {
    static let head = """
        scale severity: low < medium < high
        record incident:
          id: text
          severity: severity
          reported: time
        deadlines from reported
        roles: supervisor, owner
        channels: phone, email

        """

    static let old = head + """
        rule "serious" when severity >= high:
          notify supervisor
          respond within 2 hours by phone
          follow up in 7 days

        when severity = low:
          require apology with regret

        """

    static let records = """
        {"id": "A-1", "severity": "high", "reported": "2026-03-02T09:00:00Z"}
        {"id": "A-2", "severity": "low", "reported": "2026-03-02T09:00:00Z"}
        {"id": "A-3", "severity": "medium", "reported": "2026-03-02T09:00:00Z"}
        {"id": "A-4", "severity": "high", "reported": "2026-03-04T09:00:00Z"}

        """

    static let now = ["--now", "2026-03-01T00:00:00Z"]

    /// A folder with `old.policy`, `new.policy` (made from `old` by `edit`) and `r.jsonl`.
    static func folder(new: String, records: String = records) throws -> TempFolder {
        let f = try TempFolder()
        try f.write("old.policy", old)
        try f.write("new.policy", new)
        try f.write("r.jsonl", records)
        return f
    }

    static func diff(_ f: TempFolder, _ extra: [String] = []) -> Tool.Result {
        Tool.run(["diff"] + now + extra + [f.path + "/old.policy", f.path + "/new.policy", f.path + "/r.jsonl"])
    }

    static func replacing(_ a: String, _ b: String) -> String { old.replacingOccurrences(a, b) }

    @Test func aDeadlineChangeIsCountedAndDescribed() throws {
        let f = try Self.folder(new: Self.replacing("follow up in 7 days", "follow up in 3 days"))
        let r = Self.diff(f)
        #expect(r.status == 1)
        #expect(r.stdout.contains("record 1 (A-1)\n  follow up: 7 days → 3 days, 4 days earlier (due 2026-03-09T09:00:00Z → 2026-03-05T09:00:00Z)\n"))
        #expect(r.stdout.contains("  2 records: follow up: 7 days → 3 days\n      e.g. record 1 (A-1), record 4 (A-4)\n"))
        #expect(r.stdout.contains("2 of 4 records require something different; 2 the same"))
        #expect(!r.stdout.contains("record 2 (A-2)"))
    }

    @Test func anAddedAndARemovedAction() throws {
        let new = Self.replacing("  notify supervisor\n", "  escalate to owner within 1 hour\n")
        let f = try Self.folder(new: new)
        let r = Self.diff(f)
        #expect(r.status == 1)
        #expect(r.stdout.contains("record 1 (A-1)\n  no longer require notify supervisor\n  now require escalate to owner within 1 hour\n"))
        #expect(r.stdout.contains("  2 records: no longer require notify supervisor\n"))
        #expect(r.stdout.contains("  2 records: now require escalate to owner within 1 hour\n"))
    }

    @Test func aRenamedAndReformattedRuleIsNoChange() throws {
        let new = Self.replacing("rule \"serious\" when severity >= high:", "\n\nrule \"grave\" when   severity >= high :")
        let f = try Self.folder(new: new)
        let r = Self.diff(f)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("no change in what is required for any of the 4 records read by both policies"))
        #expect(r.stdout.contains("note: 3 records require the same actions, asked for by other rules"))
        #expect(!r.stdout.contains("record 1 (A-1)"), "rules renamed (A-1, A-4) or moved (A-2) require the same")
    }

    @Test func aChannelChange() throws {
        let f = try Self.folder(new: Self.replacing("by phone", "by email"))
        let r = Self.diff(f)
        #expect(r.status == 1)
        #expect(r.stdout.contains("record 1 (A-1)\n  respond: by phone → by email\n"))
        #expect(r.stdout.contains("  2 records: respond: by phone → by email\n"))
    }

    @Test func componentsAssigneeAndWaives() throws {
        let old = Self.old + "when severity = high: assign supervisor\n"
        let new = Self.old.replacingOccurrences("apology with regret", "apology with responsibility, regret")
            + "when severity = high: assign owner\nwhen severity = high: waive respond\n"
        let f = try TempFolder()
        try f.write("old.policy", old)
        try f.write("new.policy", new)
        try f.write("r.jsonl", Self.records)
        let r = Self.diff(f)
        #expect(r.status == 1)
        #expect(r.stdout.contains("  assign: supervisor → owner\n"))
        #expect(r.stdout.contains("  apology: regret → responsibility, regret\n"))
        #expect(r.stdout.contains("  no longer require respond within 2 hours by phone\n  now waive respond\n"))
    }

    @Test func recordsOnePolicyCannotRead() throws {
        let new = Self.replacing("scale severity: low < medium < high", "scale severity: low < medium < high < urgent")
        let records = Self.records + #"{"id": "A-5", "severity": "urgent", "reported": "2026-03-02T09:00:00Z"}"# + "\n"
            + #"{"id": "A-6", "severity": "dire", "reported": "2026-03-02T09:00:00Z"}"# + "\n"
        let f = try Self.folder(new: new, records: records)
        let r = Self.diff(f)
        #expect(r.status == 1, "a record read by one policy only is a difference")
        #expect(r.stdout.contains("record 5 (A-5) (line 5)\n  the old policy cannot read it: `severity` is \"urgent\""))
        #expect(r.stdout.contains("record 6 (A-6) (line 6)\n  neither policy can read it:") || r.stdout.contains("record 6 (line 6)\n  neither policy can read it:"))
        #expect(r.stdout.contains("note: 1 record can be read by the new policy but not by the old one"))
        #expect(r.stdout.contains("note: 1 record can be read by neither policy"))
    }

    @Test func oldFromStandardInput() throws {
        let f = try Self.folder(new: Self.replacing("follow up in 7 days", "follow up in 3 days"))
        let r = Tool.run(["diff"] + Self.now + ["-", f.path + "/new.policy", f.path + "/r.jsonl"], input: Self.old)
        #expect(r.status == 1)
        #expect(r.stdout.contains("summary: <stdin> → \(f.path)/new.policy"))
        #expect(!r.stdout.contains("note:"), "the rules of <stdin> and new.policy are the same rules")
        #expect(r.stdout.contains("2 records: follow up: 7 days → 3 days"))
    }

    @Test func severalInputsAreNumberedOnAndNamed() throws {
        let f = try Self.folder(new: Self.replacing("follow up in 7 days", "follow up in 3 days"))
        try f.write("s.jsonl", #"{"id": "B-1", "severity": "high", "reported": "2026-03-02T09:00:00Z"}"# + "\n")
        let r = Tool.run(["diff"] + Self.now + [f.path + "/old.policy", f.path + "/new.policy", f.path + "/r.jsonl", f.path + "/s.jsonl"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("record 1 from \(f.path)/r.jsonl (A-1)\n"))
        #expect(r.stdout.contains("record 5 from \(f.path)/s.jsonl (B-1)\n"))
        #expect(r.stdout.contains("3 of 5 records require something different"))
    }

    @Test func aReaderThatStopsReadingIsNotAnError() throws {
        let f = try Self.folder(new: Self.replacing("follow up in 7 days", "follow up in 3 days"))
        let r = Tool.shell("\"$AMENDS\" diff --now 2026-03-01T00:00:00Z \(f.path)/old.policy \(f.path)/new.policy \(f.path)/r.jsonl | head -1")
        #expect(r.stdout.hasPrefix("record 1 (A-1)\n"))
        #expect(r.stderr.isEmpty, "\(r.stderr)")
        let full = Tool.shell("\"$AMENDS\" diff --now 2026-03-01T00:00:00Z \(f.path)/old.policy \(f.path)/new.policy \(f.path)/r.jsonl > /dev/full")
        #expect(full.status == 2)
        #expect(full.stderr.contains("could not write to standard output"))
    }

    @Test func errorsAndUsageAreTwo() throws {
        let f = try Self.folder(new: "record incident:\n  seen: tme\n")
        let broken = Self.diff(f)
        #expect(broken.status == 2)
        #expect(broken.stderr.contains("error[") && broken.stderr.contains("new.policy` has 1 error"))
        let one = Tool.run(["diff", f.path + "/old.policy"])
        #expect(one.status == 2)
        #expect(one.stderr.contains("needs the old policy and the new policy"))
        #expect(one.stderr.contains("usage: amends diff"))
        let mixed = Tool.run(["diff", f.path, f.path + "/old.policy"])
        #expect(mixed.status == 2 && mixed.stderr.contains("both be policy files or both be folders"))
        #expect(Tool.run(["diff", "--budget", "0", f.path + "/old.policy", f.path + "/old.policy"]).status == 2)
        #expect(Tool.run(["diff", "--format", "yaml", f.path + "/old.policy", f.path + "/old.policy", f.path + "/r.jsonl"]).status == 2)
        #expect(Tool.run(["help", "diff"]).stdout.contains("usage: amends diff"))
    }

    @Test func foldersArePairedByRelativePath() throws {
        let f = try TempFolder()
        try f.write("a/x.policy", Self.old)
        try f.write("a/sub/same.policy", Self.old)
        try f.write("a/gone.policy", Self.old)
        try f.write("b/x.policy", Self.replacing("follow up in 7 days", "follow up in 3 days"))
        try f.write("b/sub/same.policy", Self.old)
        try f.write("b/added.policy", Self.old)
        let r = Tool.run(["diff", f.path + "/a", f.path + "/b"])
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("== added.policy: only in \(f.path)/b (added)\n"))
        #expect(r.stdout.contains("== gone.policy: only in \(f.path)/a (removed)\n"))
        #expect(r.stdout.contains("== sub/same.policy\nsummary: \(f.path)/a/sub/same.policy → \(f.path)/b/sub/same.policy, without records\n  no incident is treated differently"))
        #expect(r.stdout.contains("== x.policy\n1. follow up: 7 days → 3 days\n"))
        let recordsFolder = try Self.folder(new: Self.old)
        let records = Tool.run(["diff"] + Self.now + [f.path + "/a", f.path + "/b", recordsFolder.path + "/r.jsonl"])
        #expect(records.status == 1)
        #expect(records.stdout.contains("2 records: follow up: 7 days → 3 days"))
        let json = Tool.run(["diff", "--format", "json", f.path + "/a", f.path + "/b"])
        guard case .success(let doc) = JSONValue.parse(Array(json.stdout.utf8)), case .array(let files)? = doc["files"] else {
            Issue.record("not one JSON document: \(json.stdout)")
            return
        }
        #expect(files.count == 4)
        #expect(files.first?["only"] == .string("new") && files.first?["path"] == .string("added.policy"))
        let same = Tool.run(["diff", f.path + "/a/sub", f.path + "/b/sub"])
        #expect(same.status == 0, "\(same.stdout)")
    }

    @Test func csvColumnsOnePolicyLacksAreWarnedAbout() throws {
        let new = Self.replacing("  severity: severity\n", "  severity: severity from \"Severity level\"\n")
            .replacingOccurrences("  reported: time\n", "  reported: time\n  team: text?\n")
        let f = try Self.folder(new: new)
        try f.write("r.csv", "id,severity,reported\nA-1,high,2026-03-02T09:00:00Z\n")
        let r = Tool.run(["diff"] + Self.now + [f.path + "/old.policy", f.path + "/new.policy", f.path + "/r.csv"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("warning: \(f.path)/r.csv: the new policy reads `severity` from the column `Severity level`, which the input does not have: no record can be read by the new policy"))
        #expect(r.stderr.contains("the new policy reads `team` from the column `team`, which the input does not have: it is missing in every record"))
        let renamed = Self.replacing("  severity: severity\n", "  severity: severity from \"sev\"\n")
        let g = try Self.folder(new: renamed)
        try g.write("r.csv", "id,severity,sev,reported\nA-1,high,low,2026-03-02T09:00:00Z\n")
        let both = Tool.run(["diff"] + Self.now + [g.path + "/old.policy", g.path + "/new.policy", g.path + "/r.csv"])
        #expect(both.stderr.contains("`severity` is read from the column `severity` by the old policy and from `sev` by the new one"), "\(both.stderr)")
        let json = Tool.run(["diff"] + Self.now + [f.path + "/old.policy", f.path + "/new.policy", f.path + "/r.jsonl"])
        #expect(!json.stderr.contains("warning"), "JSON records have no header to warn about")
    }

    /// The GitHub Actions workflow in docs/ (docs/ci.md) uses amends as it is:
    /// every `amends` command line in it runs on a folder of policies.
    @Test func theWorkflowsCommandsRun() throws {
        guard case .success(let bytes) = FileSystem.read(Tool.packageRoot + "/docs/ci/amends-policies.yml") else {
            Issue.record("docs/ci/amends-policies.yml is missing")
            return
        }
        let f = try TempFolder()
        try f.write("policies/p.policy", Self.old + "example \"a serious incident\":\n  given {severity: high, reported: 2026-03-02T09:00:00Z}\n  expect at least notify supervisor\n")
        try f.write(".base/policies/p.policy", Self.old)
        var commands: [String] = []
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            var text = line.drop { $0 == " " }
            if text.hasPrefix("run: ") { text = text.dropFirst("run: ".count) }
            guard text.hasPrefix("amends ") else { continue }
            commands.append(String(text.prefix { $0 != ">" && $0 != "|" }))
        }
        #expect(commands.count == 5, "fmt, check twice, test and diff: \(commands)")
        for command in commands {
            let r = Tool.shell("cd \(f.path) && export POLICIES=policies && \"$AMENDS\" \(command.dropFirst("amends ".count))")
            #expect(r.status <= 1, "`\(command)`: \(r.status)\n\(r.stdout)\(r.stderr)")
            #expect(!r.stderr.contains("usage:"), "`\(command)`: \(r.stderr)")
        }
    }

    @Test func jsonAndMarkdownGoldens() throws {
        let new = Self.replacing("follow up in 7 days", "follow up in 3 days").replacingOccurrences("by phone", "by email")
            + "when severity >= medium:\n  task \"call <them> | back\" within 1 day\n"
        let f = try Self.folder(new: new)
        let json = Self.diff(f, ["--format", "json"])
        #expect(json.status == 1)
        #expect(JSONValue.parse(Array(json.stdout.utf8)).isSuccess, "the JSON output is one document")
        Golden.check(json.stdout.replacingOccurrences(f.path, "DIR"), against: "diff.json")
        let markdown = Self.diff(f, ["--format", "markdown"])
        #expect(markdown.status == 1)
        Golden.check(markdown.stdout.replacingOccurrences(f.path, "DIR"), against: "diff.md")
    }
}

extension String {
    /// Every `a` replaced by `b` (no Foundation).
    fileprivate func replacingOccurrences(_ a: String, _ b: String) -> String {
        guard !a.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let r = rest.firstRange(of: a) {
            out += rest[..<r.lowerBound] + b
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}

extension Result {
    fileprivate var isSuccess: Bool { if case .success = self { true } else { false } }
}

/// The diff's counts against two `amends run` outputs compared record by
/// record: the oracle of issue 18, on the standard sample.
@Suite struct DiffOracleTests {
    /// A run line's actions without provenance, and the kinds it waived.
    static func required(_ line: Substring) -> String {
        guard case .success(let value) = JSONValue.parse(Array(line.utf8)) else { return "unreadable" }
        if value["error"] != nil { return "error" }
        var parts: [String] = []
        if case .array(let actions)? = value["actions"] {
            for case .object(let members) in actions {
                parts.append(JSONValue.object(members.filter { $0.key != "because" && $0.key != "overridden" }).serialized())
            }
        }
        if case .array(let waived)? = value["waived"] {
            for w in waived { parts.append("waive " + (w["kind"]?.serialized() ?? "")) }
        }
        return parts.joined(separator: "\n")
    }

    @Test func countsAgreeWithTwoRuns() throws {
        let policy = Tool.packageRoot + "/policies/standard.policy"
        let records = Tool.packageRoot + "/policies/standard.jsonl"
        guard case .success(let bytes) = FileSystem.read(policy) else {
            Issue.record("cannot read \(policy)")
            return
        }
        var text = ""
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            text += (line == "  follow up in 7 days" ? "  follow up in 5 days" : String(line)) + "\n"
        }
        text += "\nrule \"call back\" when severity >= high:\n  task \"call the client back\" within 1 day\n"
        let f = try TempFolder()
        try f.write("new.policy", text)
        let now = ["--now", "2026-03-01T00:00:00Z"]
        let old = Tool.run(["run"] + now + [policy, records])
        let new = Tool.run(["run"] + now + [f.path + "/new.policy", records])
        #expect(old.status == 0 && new.status == 0)
        #expect(old.lines.count == new.lines.count)
        let differing = zip(old.lines, new.lines).filter { Self.required($0) != Self.required($1) }.count
        #expect(differing > 0)
        let diff = Tool.run(["diff", "--format", "json"] + now + [policy, f.path + "/new.policy", records])
        #expect(diff.status == 1)
        guard case .success(let document) = JSONValue.parse(Array(diff.stdout.utf8)), let summary = document["summary"] else {
            Issue.record("not one JSON document: \(diff.stdout)")
            return
        }
        #expect(summary["changed"] == .number(Double(differing)))
        #expect(summary["records"] == .number(Double(old.lines.count)))
        #expect(summary["provenanceOnly"] == .number(0))
    }
}
