// The reasoning under the analyses: value sets, lowering conditions with
// missing values, the solver and its budget. (What the analyses report is
// in the conformance cases, cases/checker/analyses.policy and lints.policy.)
import Testing
@testable import Amends

@Suite("Analyses")
struct AnalysisTests {
    // MARK: - Value sets

    @Test func intervalsIntersectAndComplement() {
        let aboveThree = IntervalSet.comparison(.greater, 3)
        let upToFive = IntervalSet.comparison(.lessEqual, 5)
        let between = aboveThree.intersection(upToFive)
        #expect(between.parts == [Interval(low: 3, lowClosed: false, high: 5, highClosed: true)])
        #expect(!between.contains(3) && between.contains(5) && between.contains(4.5))
        let outside = between.complement()
        #expect(outside.contains(3) && !outside.contains(4) && outside.contains(5.5) && outside.contains(-1e9))
        #expect(outside.intersection(between).isEmpty)
        #expect(IntervalSet.comparison(.greater, 5).intersection(.comparison(.less, 3)).isEmpty)
        #expect(IntervalSet.comparison(.greaterEqual, 5).intersection(.comparison(.lessEqual, 5)).parts == [.point(5)])
        #expect(IntervalSet.comparison(.notEqual, 5).complement().parts == [.point(5)])
        #expect(IntervalSet.all.complement().isEmpty && IntervalSet.empty.complement().isAll)
    }

    @Test func intervalSamplesAreInside() {
        let cases: [IntervalSet] = [
            .comparison(.greater, 3), .comparison(.less, 3), .comparison(.lessEqual, -2.5), .all,
            IntervalSet([Interval(low: 5, lowClosed: false, high: 5.5, highClosed: false)]),
            IntervalSet([.point(7)]).complement(),
        ]
        for set in cases {
            guard let v = set.sample else {
                Issue.record("no sample in \(set)")
                continue
            }
            #expect(set.contains(v), "sample \(v) is outside \(set)")
        }
        #expect(IntervalSet.empty.sample == nil)
    }

    @Test func finiteSetsOfManyWords() {
        var set = FiniteSet(count: 70, all: false)
        set.insert(0)
        set.insert(69)
        set.insert(70) // out of range: ignored
        #expect(set.members == [0, 69])
        let rest = set.complement()
        #expect(rest.members.count == 68 && !rest.contains(69) && rest.contains(68))
        #expect(FiniteSet(count: 70, all: true).complement().isEmpty)
        #expect(set.isSubset(of: FiniteSet(count: 70, all: true)))
    }

    @Test func textPatternsThatClash() {
        func domain(_ patterns: [TextPattern], _ set: TextSet = .all) -> TextDomain { TextDomain(set: set, patterns: patterns) }
        let startsAB = TextPattern(test: .startsWith, needle: "ab", positive: true)
        let notStartsA = TextPattern(test: .startsWith, needle: "a", positive: false)
        let startsX = TextPattern(test: .startsWith, needle: "x", positive: true)
        #expect(domain([startsAB, notStartsA]).isEmpty)
        #expect(domain([startsAB, startsX]).isEmpty)
        #expect(!domain([startsAB, TextPattern(test: .endsWith, needle: "z", positive: true)]).isEmpty)
        #expect(domain([startsAB, TextPattern(test: .endsWith, needle: "z", positive: true)]).sample == "abz")
        let finite = TextSet(cofinite: false, items: ["apple", "pear"])
        #expect(domain([startsX], finite).isEmpty)
        #expect(domain([TextPattern(test: .contains, needle: "ea", positive: true)], finite).sample == "pear")
    }

    // MARK: - Lowering and solving

    static let policy = """
    scale severity: low < medium < high
    record incident:
      severity: severity
      amount: number?
      repeat: number = 0
      name: text?
      reported: time
    deadlines from reported
    roles: owner
    define big: amount > 1000
    when big: notify owner
    """

    /// Lowers `condition` (policy text) in the test policy and solves it.
    static func solve(_ condition: String, budget: Int = Solver.defaultBudget) -> SatResult {
        let text = policy + "\nwhen \(condition): notify owner\n"
        let compiled = Driver.compile(source: SourceText(path: "t.policy", text: text))
        guard !compiled.hasErrors, let rule = compiled.model.rules.last, let condition = rule.condition else {
            Issue.record("the test policy does not check: \(compiled.diagnostics.map(\.description))")
            return .unknown
        }
        var lowering = Lowering(model: compiled.model)
        var solver = Solver(lowering: lowering)
        return solver.solve(lowering.formula(condition), budget: budget)
    }

    @Test(arguments: [
        "amount > 5 and amount < 3",
        "severity = low and severity >= high",
        "severity in []",
        "repeat > 2 and not (repeat > 1)",
        "not (repeat >= 0 or repeat < 0)",
        "big and amount < 10",
        "name starts with \"ab\" and not (name starts with \"a\")",
        "name = \"x\" and name != \"x\"",
        "age > 2 days and age < 1 day",
        "amount is missing and amount > 3",
        "reported > 2026-03-02T00:00:00Z and reported < 2026-03-01T00:00:00Z",
    ])
    func conditionsThatNeverHold(_ condition: String) {
        #expect(Self.solve(condition).isUnsat, "`\(condition)` should never hold")
    }

    @Test(arguments: [
        "amount > 5 or amount < 3",
        "not (amount > 5 or amount <= 5)", // a missing amount
        "name != \"x\" or name is missing",
        "severity >= medium and severity <= medium",
        "big and severity = low",
        "not big and repeat > 1",
        "name starts with \"ab\" and name ends with \"z\"",
        "amount = repeat and amount != repeat", // one field against another: not modelled, so never a finding
    ])
    func conditionsThatCanHold(_ condition: String) {
        #expect(Self.solve(condition).isSat, "`\(condition)` can hold")
    }

    @Test func aSatisfyingAssignmentKeepsEveryTest() {
        guard case .sat(let a) = Self.solve("severity >= medium and amount > 100 and amount <= 200 and repeat < 1") else {
            Issue.record("no assignment")
            return
        }
        if case .finite(let s)? = a.domains[.field(0)]?.values { #expect(s.members == [1, 2]) } else { Issue.record("severity") }
        if case .numeric(let s)? = a.domains[.field(1)]?.values {
            #expect(s.parts == [Interval(low: 100, lowClosed: false, high: 200, highClosed: true)])
            #expect(a.domains[.field(1)]?.missing == false)
        } else {
            Issue.record("amount")
        }
    }

    @Test func aContradictionOnOneFieldIsExplained() {
        guard case .unsat(let conflict?) = Self.solveExplained("severity = low and severity >= high") else {
            Issue.record("no explanation")
            return
        }
        #expect(conflict.variable == .field(0))
        #expect(conflict.refs.map { $0.source.text($0.span) } == ["severity = low", "severity >= high"])
    }

    static func solveExplained(_ condition: String) -> SatResult {
        let compiled = Driver.compile(source: SourceText(path: "t.policy", text: policy + "\nwhen \(condition): notify owner\n"))
        guard let condition = compiled.model.rules.last?.condition else { return .unknown }
        var lowering = Lowering(model: compiled.model)
        var solver = Solver(lowering: lowering)
        return solver.solve(lowering.formula(condition), budget: 1000, explain: true)
    }

    /// Every step counts against the budget: a query that needs more
    /// steps than it has gives `unknown` (never a finding), not a wrong answer.
    @Test func theBudgetBoundsTheSearch() {
        let clauses = (1...20).map { "(amount > \($0) or repeat > \($0))" }.joined(separator: " and ")
        let condition = clauses + " and amount < 0 and repeat < 0"
        #expect(Self.solve(condition).isUnsat)
        if case .unknown = Self.solve(condition, budget: 10) {} else { Issue.record("a budget of 10 steps should run out") }
        #expect(Self.solve(clauses).isSat)
        if case .unknown = Self.solve(clauses, budget: 5) {} else { Issue.record("a budget of 5 steps should run out") }
    }

    // MARK: - What a finding's example says

    /// W404's example reads as a sentence whether the incident gets some
    /// actions or none, and its help works when no rule tests the level.
    @Test func followUpLintExampleReads() {
        func w404(_ rules: String) -> Diagnostic? {
            let text = """
            scale severity: low < medium < high < critical
            record incident:
              severity: severity
              repeat: number = 0
            roles: supervisor
            \(rules)
            """
            let compiled = Driver.compile(source: SourceText(path: "t.policy", text: text))
            return PolicyCheck.run(compiled).diagnostics.first { $0.code == .seriousWithoutFollowUp }
        }
        let none = w404("when repeat > 1: follow up in 3 days")
        #expect(none?.notes.last?.message.hasSuffix("requires nothing at all, so no follow-up") == true, "\(String(describing: none?.notes))")
        let some = w404("when severity >= high: notify supervisor\nwhen repeat > 1: follow up in 3 days")
        #expect(some?.notes.last?.message.hasSuffix("requires `notify supervisor`, but no follow-up") == true, "\(String(describing: some?.notes))")
        #expect(some?.help?.contains("or add the rule `when severity >= high: follow up in 3 days`") == true)
    }
}
