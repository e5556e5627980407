// `amends report` (docs/report.md): every figure on a dozen records worked
// out by hand, reports that combine, each format's shape, and bad input.
import Testing
@testable import Amends

@Suite struct ReportTests {
    static let policy = """
        policy "hand-checked <b>&co</b>"

        scale tier: basic < gold

        record incident:
          id: text
          tier: tier = basic
          severity: number
          reported: time
          responded_at: time?
          apologised: yes/no = no

        deadlines from reported
        roles: supervisor

        done:
          respond: responded_at
          apology: apologised

        rule "serious" when severity >= 3:
          respond within 2 hours
          notify supervisor within 1 hour   # amends: allow W313

        rule "gold" when tier = gold:
          require apology with responsibility, repair

        rule "never <script>" when severity > 100:
          respond within 1 hour

        """

    // Judged at now = 2026-03-10T00:00:00Z. `serious` asks for respond
    // (due 2 hours after `reported`, tracked by responded_at) and notify
    // supervisor (not tracked); `gold` for an apology (no deadline, a
    // yes/no field: done or open).
    //
    //  record  tier  sev  reported     responded  respond              apology
    //  INC-1   basic  3   03-02 09:00  09:30      on time, 90m early   -
    //  INC-2   basic  4   03-02 10:00  13:00      late, 1h late        -
    //  INC-3   gold   3   03-03 08:00  08:00      on time, 2h early    done
    //  INC-4   gold   1   03-04 12:00  -          -                    open
    //  INC-5   basic  5   03-09 09:00  -          overdue (due 11:00)  -
    //  INC-6   basic  3   03-09 23:00  -          open (due 03-10 01:00)
    //  INC-7   basic  2   03-09 12:00  -          nothing fires
    //  INC-8   gold   3   02-27 09:00  10:00      on time, 1h early    done
    //  INC-9   basic  3   02-26 09:00  15:00      late, 4h late        -
    //  INC-10  basic  3   03-05 09:00  10:59      on time, 1m early    -
    //  INC-11  severity `high`: unreadable
    //  INC-12  gold   3   03-06 09:00  11:00      on time, at deadline open
    //
    // respond: required 9 (1,2,3,5,6,8,9,10,12); on time 5 (1,3,8,10,12),
    // late 2 (2,9), overdue 1 (5), open 1 (6); settled 8; share 5/8 = 0.625.
    // Done against the deadline, sorted: -7200, -5400, -3600, -60, 0, 3600,
    // 14400 (n = 7). Nearest rank: median the ceil(0.5 × 7) = 4th, -60
    // (1 minute early); 90th the ceil(0.9 × 7) = 7th, 14400 (4 hours late).
    // notify supervisor: required 9, all not tracked, no share.
    // apology: required 4 (3,4,8,12): done 2 (3,8), open 2 (4,12), no share.
    // Rules: serious fired 9, 18 actions, share 5/8; gold fired 4, 4
    // actions; `never` never fired.
    // Records 12: 11 incidents, 1 unreadable.
    // By month: 2026-02 has INC-8, INC-9: 2 incidents, 5 actions, 1 on
    // time, 1 late: 0.5. 2026-03 has 9 incidents (1-7, 10, 12), 17 actions,
    // 4 on time (1,3,10,12), 1 late, 1 overdue: 4/6 = 0.6667.
    // By week (Mondays): 02-23: 8, 9; 03-02: 1,2,3,4,10,12 (13 actions, 4
    // on time, 1 late: 0.8); 03-09: 5,6,7 (4 actions, 1 overdue: 0).
    // By tier: basic 7 incidents (1,2,5,6,7,9,10), 12 actions, on time 2,
    // late 2, overdue 1: 0.4; gold 4 incidents, 10 actions, on time 3: 1.0.
    // Lateness buckets: 1 hour to 1 day early: -7200, -5400; up to 1 hour
    // early: -3600, -60, 0; up to 1 hour late: 3600; 1 hour to 1 day late: 14400.
    static let header = "id,tier,severity,reported,responded_at,apologised\n"
    static let rows = [
        "INC-1,basic,3,2026-03-02T09:00:00Z,2026-03-02T09:30:00Z,no",
        "INC-2,basic,4,2026-03-02T10:00:00Z,2026-03-02T13:00:00Z,no",
        "INC-3,gold,3,2026-03-03T08:00:00Z,2026-03-03T08:00:00Z,yes",
        "INC-4,gold,1,2026-03-04T12:00:00Z,,no",
        "INC-5,basic,5,2026-03-09T09:00:00Z,,no",
        "INC-6,basic,3,2026-03-09T23:00:00Z,,no",
        "INC-7,basic,2,2026-03-09T12:00:00Z,,no",
        "INC-8,gold,3,2026-02-27T09:00:00Z,2026-02-27T10:00:00Z,yes",
        "INC-9,basic,3,2026-02-26T09:00:00Z,2026-02-26T15:00:00Z,no",
        "INC-10,basic,3,2026-03-05T09:00:00Z,2026-03-05T10:59:00Z,no",
        "INC-11,basic,high,2026-03-05T09:00:00Z,,no",
        "INC-12,gold,3,2026-03-06T09:00:00Z,2026-03-06T11:00:00Z,no",
    ]
    static let now = ["--now", "2026-03-10T00:00:00Z"]

    static func folder() throws -> TempFolder {
        let f = try TempFolder()
        try f.write("p.policy", policy)
        try f.write("all.csv", header + rows.joined(separator: "\n") + "\n")
        try f.write("a.csv", header + rows[0..<5].joined(separator: "\n") + "\n")
        try f.write("b.csv", header + rows[5...].joined(separator: "\n") + "\n")
        return f
    }

    static func json(_ r: Tool.Result) throws -> JSONValue {
        guard case .success(let v) = JSONValue.parse(r.stdout) else {
            Issue.record("not JSON: \(r.stdout.prefix(200))")
            return .null
        }
        return v
    }

    /// The member at a path of keys and indexes.
    static func at(_ v: JSONValue, _ path: [Any]) -> JSONValue? {
        var v = v
        for p in path {
            if let k = p as? String, case .object(let m) = v, let next = m.last(where: { $0.key == k })?.value { v = next; continue }
            if let i = p as? Int, case .array(let a) = v, a.indices.contains(i) { v = a[i]; continue }
            return nil
        }
        return v
    }

    static func num(_ v: JSONValue, _ path: [Any]) -> Double? {
        if case .number(let n) = at(v, path) ?? .null { return n }
        return nil
    }

    /// The element of `list` whose `key` is `value`.
    static func find(_ v: JSONValue, _ list: String, _ key: String, _ value: String) -> JSONValue? {
        guard case .array(let items) = at(v, [list]) ?? .null else { return nil }
        return items.first { if case .string(value) = at($0, [key]) ?? .null { return true }; return false }
    }

    @Test func everyFigureOfTheHandCheckedExport() throws {
        let f = try Self.folder()
        let r = Tool.run(["report", "--format", "json", "--by", "tier"] + Self.now + [f.path + "/p.policy", f.path + "/all.csv"])
        #expect(r.status == 1)      // one record could not be read
        #expect(r.stderr.contains("1 of 12 records could not be read"))
        let doc = try Self.json(r)
        #expect(Self.num(doc, ["records"]) == 12)
        #expect(Self.num(doc, ["incidents"]) == 11)
        #expect(Self.num(doc, ["unreadable"]) == 1)
        let respond = try #require(Self.find(doc, "actions", "action", "respond"))
        #expect(Self.num(respond, ["required"]) == 9)
        #expect(Self.num(respond, ["on_time"]) == 5)
        #expect(Self.num(respond, ["late"]) == 2)
        #expect(Self.num(respond, ["overdue"]) == 1)
        #expect(Self.num(respond, ["open"]) == 1)
        #expect(Self.num(respond, ["settled"]) == 8)
        #expect(Self.num(respond, ["on_time_share"]) == 0.625)
        #expect(Self.num(respond, ["margins", "count"]) == 7)
        #expect(Self.num(respond, ["margins", "median_seconds"]) == -60)
        #expect(Self.num(respond, ["margins", "p90_seconds"]) == 14_400)
        let notify = try #require(Self.find(doc, "actions", "action", "notify supervisor"))
        #expect(Self.num(notify, ["required"]) == 9)
        #expect(Self.num(notify, ["not_tracked"]) == 9)
        #expect(Self.at(notify, ["on_time_share"]) == .null)
        let apology = try #require(Self.find(doc, "actions", "action", "apology"))
        #expect(Self.num(apology, ["required"]) == 4)
        #expect(Self.num(apology, ["done"]) == 2)
        #expect(Self.num(apology, ["open"]) == 2)
        #expect(Self.at(apology, ["margins", "median_seconds"]) == .null)
        // Rules: most fired first; the one that never fired.
        #expect(Self.at(doc, ["rules", 0, "rule"]) == .string("serious"))
        #expect(Self.num(doc, ["rules", 0, "fired"]) == 9)
        #expect(Self.num(doc, ["rules", 0, "actions"]) == 18)
        #expect(Self.num(doc, ["rules", 0, "on_time_share"]) == 0.625)
        #expect(Self.at(doc, ["rules", 1, "rule"]) == .string("gold"))
        #expect(Self.num(doc, ["rules", 1, "fired"]) == 4)
        #expect(Self.at(doc, ["never_fired", 0, "rule"]) == .string("never <script>"))
        // The trend by month.
        let feb = try #require(Self.find(doc, "trend", "period", "2026-02"))
        #expect(Self.num(feb, ["incidents"]) == 2)
        #expect(Self.num(feb, ["actions"]) == 5)
        #expect(Self.num(feb, ["on_time_share"]) == 0.5)
        let march = try #require(Self.find(doc, "trend", "period", "2026-03"))
        #expect(Self.num(march, ["incidents"]) == 9)
        #expect(Self.num(march, ["actions"]) == 17)
        #expect(Self.num(march, ["on_time_share"]) == 0.6667)
        // By tier.
        let basic = try #require(Self.find(doc, "groups", "value", "basic"))
        #expect(Self.num(basic, ["incidents"]) == 7)
        #expect(Self.num(basic, ["actions"]) == 12)
        #expect(Self.num(basic, ["on_time_share"]) == 0.4)
        let gold = try #require(Self.find(doc, "groups", "value", "gold"))
        #expect(Self.num(gold, ["incidents"]) == 4)
        #expect(Self.num(gold, ["actions"]) == 10)
        #expect(Self.num(gold, ["on_time_share"]) == 1)
        // The lateness distribution.
        let counts = (0..<7).map { Self.num(doc, ["lateness", $0, "count"]) }
        #expect(counts == [0, 2, 3, 1, 1, 0, 0])
    }

    @Test func weeksStartOnMonday() throws {
        let f = try Self.folder()
        let r = Tool.run(["report", "--format", "json", "--every", "week"] + Self.now + [f.path + "/p.policy", f.path + "/all.csv"])
        let doc = try Self.json(r)
        let periods = (0..<3).map { Self.at(doc, ["trend", $0, "period"]) }
        #expect(periods == [.string("2026-02-23"), .string("2026-03-02"), .string("2026-03-09")])
        #expect(Self.num(doc, ["trend", 1, "actions"]) == 13)
        #expect(Self.num(doc, ["trend", 1, "on_time_share"]) == 0.8)
        #expect(Self.num(doc, ["trend", 2, "overdue"]) == 1)
        #expect(Self.num(doc, ["trend", 2, "on_time_share"]) == 0)
    }

    @Test func datesLeaveIncidentsOut() throws {
        let f = try Self.folder()
        let r = Tool.run(["report", "--format", "json", "--from", "2026-03-01", "--to", "2026-03-05"] + Self.now
                         + [f.path + "/p.policy", f.path + "/all.csv"])
        let doc = try Self.json(r)
        // 03-01 to the end of 03-05: INC-1, 2, 3, 4, 10; the unreadable one is counted anyway.
        #expect(Self.num(doc, ["incidents"]) == 5)
        #expect(Self.num(doc, ["outside_dates"]) == 6)
        #expect(Self.num(doc, ["unreadable"]) == 1)
    }

    @Test func percentilesAreNearestRank() {
        #expect(ReportMargins.percentile([], 50) == nil)
        #expect(ReportMargins.percentile([7], 90) == 7)
        #expect(ReportMargins.percentile([1, 2], 50) == 1)
        #expect(ReportMargins.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == 9)
        #expect(ReportMargins.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90) == 10)
    }

    @Test func reportsOfTwoHalvesCombineIntoTheReportOfTheWhole() throws {
        let f = try Self.folder()
        for part in ["a", "b"] {
            let r = Tool.run(["run", "--for-report", "--keep", "tier"] + Self.now + [f.path + "/p.policy", f.path + "/\(part).csv"])
            try f.write("\(part).jsonl", r.stdout)
        }
        for format in ["json", "text", "csv", "html"] {
            let common = ["report", "--format", format, "--by", "tier", "--every", "week"] + Self.now
            let whole = Tool.run(common + [f.path + "/p.policy", f.path + "/all.csv"])
            let parts = Tool.run(common + ["--results", "--policy", f.path + "/p.policy", f.path + "/a.jsonl", f.path + "/b.jsonl"])
            #expect(parts.status == whole.status)
            #expect(parts.stdout == whole.stdout, "\(format)")
        }
        // In-library: two halves' reports merged equal the whole's.
        let program = try Fixtures.program(Self.policy, name: "p.policy")
        func report(_ rows: ArraySlice<String>) -> Report {
            let text = Self.header + rows.joined(separator: "\n") + "\n"
            let stream = RecordStream(bytes: Array(text.utf8), format: .csv)
            return ReportRunner(program: program, now: 1_773_100_800, threads: 2, template: Report(), byField: 1).run(stream)
        }
        var merged = report(Self.rows[0..<7])
        merged.merge(report(Self.rows[7...]))
        merged.finish()
        #expect(merged == report(Self.rows[...]))
    }

    @Test func withoutForReportTheFiredRulesComeFromTheActions() throws {
        let f = try Self.folder()
        let run = Tool.run(["run"] + Self.now + [f.path + "/p.policy", f.path + "/all.csv"])
        try f.write("plain.jsonl", run.stdout)
        let r = Tool.run(["report", "--format", "json", "--results", f.path + "/plain.jsonl"])
        let doc = try Self.json(r)
        #expect(Self.num(doc, ["rules", 0, "fired"]) == 9)
        #expect(Self.num(doc, ["without_clock"]) == 11)
        let respond = try #require(Self.find(doc, "actions", "action", "respond"))
        #expect(Self.num(respond, ["margins", "median_seconds"]) == -60)
    }

    // MARK: - Formats

    @Test func textFitsEightyColumns() throws {
        let f = try Self.folder()
        let r = Tool.run(["report", "--by", "tier"] + Self.now + [f.path + "/p.policy", f.path + "/all.csv"])
        #expect(r.lines.allSatisfy { $0.count <= 80 })
        #expect(r.stdout.contains("  respond\n    required 9: on time 5, late 2, overdue 1, open 1\n    on time 62.5% of 8 settled\n    done vs deadline: median 1m early, 90th percentile 4h late\n"))
        #expect(r.stdout.contains("NEVER FIRED\n  "))
        #expect(r.stdout.contains("p.policy:27 \"never <script>\"\n"))
        #expect(r.stdout.contains("  2026-02                      2        5        1      1        0   50.0%\n"))
    }

    @Test func csvIsOneTableWithATableColumn() throws {
        let f = try Self.folder()
        let r = Tool.run(["report", "--format", "csv", "--by", "tier"] + Self.now + [f.path + "/p.policy", f.path + "/all.csv"])
        let lines = r.stdout.split(separator: "\r\n").map(String.init)
        #expect(lines.first?.hasPrefix("table,name,file,line,fired,incidents,required,on_time") == true)
        let width = lines.first?.split(separator: ",", omittingEmptySubsequences: false).count
        #expect(width == 18)
        // No cell here holds a comma or a quote, so every row splits into the header's cells.
        #expect(lines.allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == width })
        #expect(lines.contains("action,respond,,,,,9,5,2,1,1,0,0,8,0.625,7,-60,14400"))
        #expect(lines.contains("group,gold,,,,4,10,3,0,0,2,2,3,3,1.0,,,"))
        #expect(lines.contains { $0.hasPrefix("never_fired,never <script>,") && $0.contains("p.policy,27,0") })
        #expect(Set(lines.dropFirst().map { String($0.prefix { $0 != "," }) })
                == ["summary", "action", "rule", "never_fired", "period", "group", "lateness"])
    }

    static func occurrences(_ needle: String, in hay: String) -> Int {
        let n = Array(needle.utf8), h = Array(hay.utf8)
        guard !n.isEmpty, h.count >= n.count else { return 0 }
        return (0...(h.count - n.count)).filter { i in h[i..<(i + n.count)].elementsEqual(n) }.count
    }

    @Test func htmlIsOneSelfContainedEscapedPage() throws {
        let f = try Self.folder()
        let r = Tool.run(["report", "--format", "html"] + Self.now + [f.path + "/p.policy", f.path + "/all.csv"])
        let page = r.stdout
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(page.hasSuffix("</html>\n"))
        #expect(!page.contains("<script"))
        #expect(!page.contains("http://") && !page.contains("https://") && !page.contains("src="))
        #expect(page.contains("never &lt;script&gt;"))
        #expect(page.contains("hand-checked &lt;b&gt;&amp;co&lt;/b&gt;"))
        #expect(Self.occurrences("<svg", in: page) == 3)
        #expect(Self.occurrences("<title id=", in: page) == 3)
        #expect(page.contains("role=\"img\""))
        #expect(page.contains("@media print"))
        #expect(page.contains("<table>"))
    }

    // MARK: - Bad input

    @Test func anUnknownByFieldIsAnErrorWithASuggestion() throws {
        let f = try Self.folder()
        let r = Tool.run(["report", "--by", "teir"] + Self.now + [f.path + "/p.policy", f.path + "/all.csv"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("the record has no field `teir`"))
        #expect(r.stderr.contains("did you mean `tier`?"))
        let keep = Tool.run(["run", "--keep", "teir"] + Self.now + [f.path + "/p.policy", f.path + "/all.csv"])
        #expect(keep.status == 2)
        #expect(keep.stderr.contains("did you mean `tier`?"))
    }

    @Test func badDatesAreErrors() throws {
        let f = try Self.folder()
        for args in [["--from", "2026-02-30"], ["--to", "soon"], ["--from", "2026-03-05", "--to", "2026-03-01"], ["--every", "day"]] {
            let r = Tool.run(["report"] + args + Self.now + [f.path + "/p.policy", f.path + "/all.csv"])
            #expect(r.status == 2, "\(args)")
            #expect(r.stderr.contains("error"), "\(args)")
            #expect(r.stdout.isEmpty)
        }
    }

    @Test func unreadableResultLinesAreCountedAndNamed() throws {
        let f = try Self.folder()
        try f.write("bad.jsonl", """
            {"record":1,"actions":[{"kind":"respond","status":"on_time","margin_seconds":60,"because":[{"file":"p.policy","line":20}]}]}
            not json
            {"record":3,"actions":[{"kind":"shout"}]}
            {"actions":[]}
            {"record":5,"actions":[{"kind":"respond","status":"sideways"}]}
            {"record":6,"line":7,"error":"bad"}

            """)
        let r = Tool.run(["report", "--format", "json", "--results", f.path + "/bad.jsonl"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("bad.jsonl:2: not JSON"))
        #expect(r.stderr.contains("bad.jsonl:3: an action needs a known `kind`"))
        #expect(r.stderr.contains("bad.jsonl:4: not an `amends run` result line"))
        #expect(r.stderr.contains("bad.jsonl:5: an action's `status` must be one of"))
        let doc = try Self.json(r)
        #expect(Self.num(doc, ["records"]) == 2)
        #expect(Self.num(doc, ["unreadable"]) == 1)
        // --by needs the field in the lines.
        let by = Tool.run(["report", "--by", "tier", "--results", f.path + "/bad.jsonl"])
        #expect(by.stderr.contains("amends run --for-report --keep tier"))
        let missing = Tool.run(["report", "--results", f.path + "/nope.jsonl"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nope.jsonl"))
        let none = Tool.run(["report", "--results"])
        #expect(none.status == 2)
    }

    @Test func aPolicyWithoutDoneTracksNothing() throws {
        let f = try TempFolder()
        try f.write("p.policy", """
            record incident:
              severity: number
              reported: time
            deadlines from reported
            when severity > 1:
              respond within 1 hour

            """)
        try f.write("r.jsonl", "{\"severity\": 2, \"reported\": \"2026-03-02T09:00:00Z\"}\n")
        let r = Tool.run(["report"] + Self.now + [f.path + "/p.policy", f.path + "/r.jsonl"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("  respond\n    required 1: on time 0, late 0, overdue 0, open 0\n    not tracked 1\n"))
    }
}
