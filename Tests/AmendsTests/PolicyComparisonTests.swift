// `amends diff OLD NEW` without records (docs/diff.md): the comparison of
// two policies alone, checked against the runtime on random incidents.
import Testing
@testable import Amends

@Suite struct PolicyComparisonTests {
    static let head = """
        scale severity: low < medium < high < critical
        scale tier: basic < premium
        record incident:
          severity: severity
          tier: tier = basic
          caused_by: one of us, vendor, customer
          amount: number?
          tags: list of text = []
          reported: time
        deadlines from reported
        roles: supervisor, owner
        remedies: refund, credit
        calendar:
          open mon-fri 09:00-17:00

        """

    /// A random policy of `rules` rules over `head`'s record.
    struct Generator {
        var random: SeededRandom

        mutating func int(_ n: Int) -> Int { Int.random(in: 0..<n, using: &random) }
        mutating func pick<T>(_ xs: [T]) -> T { xs[int(xs.count)] }

        mutating func test() -> String {
            pick([
                "severity >= \(pick(["medium", "high", "critical"]))", "severity = \(pick(["low", "high"]))",
                "tier = premium", "caused_by = us", "caused_by != customer", "amount > \(pick([100, 1000]))",
                "amount is missing", "tags contains \"repeat\"", "age > 2 days",
            ])
        }

        mutating func condition() -> String {
            switch int(5) {
            case 0: return "\(test()) and \(test())"
            case 1: return "\(test()) or \(test())"
            case 2: return "not (\(test()))"
            default: return test()
            }
        }

        mutating func duration() -> String {
            pick(["1 hour", "2 hours", "1 day", "24 hours", "3 days", "7 days", "4 business hours", "1 business day"])
        }

        mutating func channel() -> String { pick(["", " by phone", " by email"]) }

        mutating func action() -> String {
            switch int(11) {
            case 0: return "notify \(pick(["supervisor", "owner"]))" + (int(2) == 0 ? "" : " within \(duration())")
            case 1: return "respond within \(duration())\(channel())"
            case 2: return "require apology with \(pick(["repair", "responsibility", "repair, regret"]))" + (int(2) == 0 ? "" : " within \(duration())") + channel()
            case 3: return "offer \(pick(["refund", "credit", "refund, credit"]))"
            case 4: return "follow up in \(duration())\(channel())"
            case 5: return "review cause within \(duration())"
            case 6: return "task \"call back\" within \(duration())"
            case 7: return "assign \(pick(["supervisor", "owner"]))"
            case 8: return "waive \(pick(["apology", "follow up", "notify"]))"
            case 9: return "escalate to owner within \(duration())"
            default: return "follow up in \(duration())"
            }
        }

        mutating func rule(_ k: Int) -> String {
            let header = int(6) == 0 ? "otherwise:" : "rule \"r\(k)\" when \(condition()):"
            return header + "\n" + (0..<(1 + int(3))).map { _ in "  " + action() }.joined(separator: "\n") + "\n"
        }

        /// A policy: its rules, each a block of text.
        mutating func rules() -> [String] { (0..<(1 + int(5))).map { rule($0) } }

        /// The rules changed in one way: a deadline, an action, a rule more or
        /// less, a condition, a channel; or only rewritten (renamed, `>=` as a list).
        mutating func mutate(_ rules: [String]) -> [String] {
            var out = rules
            let k = int(out.count)
            switch int(6) {
            case 0: out[k] = out[k].replacingAll("rule \"r", "rule \"renamed ").replacingAll("severity >= high", "severity in [high, critical]")
            case 1: out.append(rule(9))
            case 2:
                if out.count > 1 { out.remove(at: k) } else { out[k] += "  \(action())\n" }
            case 3:
                var lines = out[k].split(separator: "\n").map(String.init)
                lines[lines.count - 1] = "  " + action()
                out[k] = lines.joined(separator: "\n") + "\n"
            case 4: out[k] = out[k].replacingAll("by phone", "by email").replacingAll("7 days", "3 days").replacingAll("1 hour", "2 hours")
            default:
                if out[k].hasPrefix("rule") {
                    out[k] = "rule \"r\(k)\" when \(condition()):\n" + out[k].split(separator: "\n").dropFirst().joined(separator: "\n") + "\n"
                }
            }
            return out
        }

        /// A random incident's values, by field name, and its age in seconds.
        mutating func incident() -> (values: [String: Value], age: Int64) {
            var v: [String: Value] = [
                "severity": .level(0, int(4)), "tier": .level(1, int(2)), "caused_by": .choice(0, int(3)),
                "reported": .time(ExampleIncident.defaultTime + Int64(int(7 * 24)) * 3_600),
            ]
            if int(3) > 0 { v["amount"] = .number(pick([0, 100, 101, 500, 1000, 1001, 5000])) }
            v["tags"] = .list(int(2) == 0 ? [] : [.text(pick(["repeat", "other"]))])
            return (v, Int64(pick([0, 1, 2, 3, 5]) * 86_400 + int(2)))
        }
    }

    static func compile(_ text: String) -> Program? {
        let compiled = Driver.compile(source: SourceText(path: "p.policy", bytes: Array(text.utf8)))
        return compiled.hasErrors ? nil : compiled.program
    }

    /// What the two policies require differently of an incident, by running them.
    static func differs(_ old: Program, _ new: Program, _ incident: (values: [String: Value], age: Int64)) -> [String] {
        func outcome(_ p: Program) -> Outcome {
            var record = RecordBuffer(fieldCount: p.schema.fields.count)
            for (name, value) in incident.values {
                if let f = p.model.fieldIndex(name) { p.schema.assign(f, value, into: &record) }
            }
            _ = p.schema.finish(&record, requireAll: false)
            record.now = record.scalar(p.model.clockField ?? 0) + Double(incident.age)
            return Evaluator.outcome(of: record, under: p)
        }
        return PolicyDiff.compare(outcome(old), outcome(new)).changes.map(\.label)
    }

    /// On random policy pairs: "no incident is treated differently" is never
    /// contradicted by running both on random incidents, and a difference
    /// found that way is always found by the comparison too.
    @Test func randomPairsAgreeWithTheRuntime() {
        var verdicts: [PolicyComparisonResult.Verdict: Int] = [:]
        for seed in UInt64(1)...150 {
            var g = Generator(random: SeededRandom(seed: seed))
            let rules = g.rules()
            let oldText = Self.head + rules.joined(separator: "\n")
            let newText = Self.head + g.mutate(rules).joined(separator: "\n")
            guard let old = Self.compile(oldText), let new = Self.compile(newText) else {
                Issue.record("seed \(seed): a generated policy has errors:\n\(oldText)\n---\n\(newText)")
                continue
            }
            var comparison = PolicyComparison(old: old, new: new)
            let result = comparison.run()
            verdicts[result.verdict, default: 0] += 1
            var found: [String] = []
            for _ in 0..<300 {
                let changes = Self.differs(old, new, g.incident())
                if !changes.isEmpty {
                    found = changes
                    break
                }
            }
            if result.verdict == .same {
                #expect(found.isEmpty, "seed \(seed): proved the same, but an incident differs: \(found)\n\(oldText)\n---\n\(newText)")
            }
            if !found.isEmpty {
                #expect(result.verdict == .differs, "seed \(seed): \(result.verdict), but an incident differs: \(found)\n\(result.undecided)\n\(oldText)\n---\n\(newText)")
            }
            #expect(!result.undecided.contains { $0.contains("treated alike") }, "seed \(seed): a witness did not reproduce\n\(oldText)\n---\n\(newText)")
        }
        #expect((verdicts[.same] ?? 0) >= 20 && (verdicts[.differs] ?? 0) >= 50, "\(verdicts)")
    }

    /// Every witness the comparison prints, read back as a record by `amends
    /// diff OLD NEW RECORDS`, shows its change.
    @Test func witnessesReadBackAsRecordsShowTheirChange() throws {
        let old = Self.head + """
            rule "serious" when severity >= high:
              notify supervisor
              respond within 2 hours by phone
              follow up in 7 days
            rule "repeat" when tags contains "repeat" and caused_by != customer:
              require apology with repair within 1 business day
              offer refund

            """
        let new = old.replacingAll("follow up in 7 days", "follow up in 3 days").replacingAll("by phone", "by email")
            .replacingAll("offer refund", "offer refund, credit") + "when amount > 1000 and age > 2 days: escalate to owner within 1 hour\n"
        let f = try TempFolder()
        try f.write("old.policy", old)
        try f.write("new.policy", new)
        let r = Tool.run(["diff", "--format", "json", f.path + "/old.policy", f.path + "/new.policy"])
        #expect(r.status == 1)
        guard case .success(let doc) = JSONValue.parse(Array(r.stdout.utf8)), case .array(let differences)? = doc["differences"] else {
            Issue.record("not a JSON document: \(r.stdout)")
            return
        }
        #expect(differences.count == 4, "\(r.stdout)")
        for d in differences {
            guard let witness = d["witness"], case .string(let label)? = d["label"] else { continue }
            var now = "2026-03-02T09:00:00Z"
            if case .string(let n)? = d["now"] { now = n }
            try f.write("w.jsonl", witness.serialized() + "\n")
            let back = Tool.run(["diff", "--now", now, f.path + "/old.policy", f.path + "/new.policy", f.path + "/w.jsonl"])
            #expect(back.status == 1 && back.stdout.contains(": \(label)\n"), "\(label): \(witness.serialized())\n\(back.stdout)")
        }
    }

    @Test func theBoundIsKeptAndSaidSo() {
        let rules = (0..<40).map { "rule \"r\($0)\" when severity >= high and amount > \($0) or tier = premium and amount < \($0 * 2):\n  follow up in \($0 + 1) days\n" }
        guard let old = Self.compile(Self.head + rules.joined(separator: "\n")),
              let new = Self.compile(Self.head + rules.dropLast().joined(separator: "\n")) else {
            Issue.record("the policies have errors")
            return
        }
        var small = PolicyComparison(old: old, new: new, budget: 300)
        let result = small.run()
        #expect(result.steps <= 300, "no question is given more steps than are left")
        #expect(result.verdict != .same)
        #expect(result.undecided.contains { $0.contains("the bound of 300 solver steps ran out") }, "\(result.undecided)")
        var full = PolicyComparison(old: old, new: new)
        let answer = full.run()
        #expect(answer.verdict == .differs && answer.steps <= PolicyComparison.defaultBudget)
    }
}

extension String {
    /// Every `a` replaced by `b` (no Foundation).
    func replacingAll(_ a: String, _ b: String) -> String {
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

/// The conformance cases of `amends diff` without records
/// (`cases/diff/*.case`): each file is a comment saying what it shows, then
/// `=== old.policy`, `=== new.policy` and `=== amends diff old.policy
/// new.policy` sections: the two policies and the text report, ending with
/// the exit status. `AMENDS_UPDATE_GOLDEN=1` rewrites the report sections.
@Suite struct DiffCasesTests {
    static let directory = Tool.packageRoot + "/Tests/AmendsTests/cases/diff"
    static let files = FileSystem.files(under: directory, suffixes: [".case"])

    /// The sections of a case: heading and text, in order.
    static func sections(_ text: String) -> [(heading: String, body: String)] {
        var out: [(String, String)] = []
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        for line in lines {
            if line.hasPrefix("=== ") {
                out.append((String(line.dropFirst(4)), ""))
            } else if !out.isEmpty {
                out[out.count - 1].1 += line + "\n"
            }
        }
        return out
    }

    /// The report of `amends diff OLD NEW` on two policy texts, and its status.
    static func report(old: String, new: String) -> String {
        func program(_ name: String, _ text: String) -> Program? {
            Driver.compile(source: SourceText(path: name, bytes: Array(text.utf8))).program
        }
        guard let o = program("old.policy", old), let n = program("new.policy", new) else { return "a policy has errors\n" }
        var comparison = PolicyComparison(old: o, new: n)
        let result = comparison.run()
        let status = result.verdict == .same ? 0 : result.verdict == .differs ? 1 : 2
        return DiffReport(format: .text, oldName: "old.policy", newName: "new.policy").policies(result) + "(exit status \(status))\n"
    }

    @Test("diff case", arguments: files.map { String($0.dropFirst(directory.count + 1)) })
    func diffCase(_ name: String) throws {
        guard case .success(let bytes) = FileSystem.read(Self.directory + "/" + name) else {
            Issue.record("cannot read \(name)")
            return
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let sections = Self.sections(text)
        #expect(sections.map(\.heading) == ["old.policy", "new.policy", "amends diff old.policy new.policy"], "\(name): the sections")
        guard sections.count == 3 else { return }
        let actual = Self.report(old: sections[0].body, new: sections[1].body)
        if Golden.updating {
            guard let r = text.firstRange(of: "=== amends diff old.policy new.policy\n") else { return }
            let rewritten = String(text[..<r.upperBound]) + actual
            _ = FileSystem.writeAtomically(Self.directory + "/" + name, Array(rewritten.utf8))
            return
        }
        #expect(sections[2].body == actual, "\(name): expected\n\(sections[2].body)\ngot\n\(actual)")
    }

    @Test func theCasesCoverWhatIssue18Asks() {
        let names = Set(Self.files.map { String($0.dropFirst(Self.directory.count + 1)) })
        for needed in ["equal-rewritten.case", "tightened-deadline.case", "added-waive.case", "changed-condition.case"] {
            #expect(names.contains(needed), "cases/diff/\(needed) is missing")
        }
    }
}
