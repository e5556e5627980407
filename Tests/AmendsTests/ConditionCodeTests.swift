// How conditions compile (`ConditionCompiler`, `ConditionCode`): shared leaves,
// level tables for choice fields, terms over the leaf bits, the fallback to
// instructions for conditions whose normal form is too large, and leaf bits
// over several words. Each shape is also checked against the reference
// interpreter on seeded random records.
import Testing
@testable import Amends

@Suite("Condition code")
struct ConditionCodeTests {
    static let header = """
    scale severity: low < medium < high < critical
    record incident:
      severity: severity?
      tier: one of basic, premium, enterprise = basic
      urgent: yes/no?
      amount: number?
      repeat: number = 0
      note: text?
    roles: a

    """

    /// Compiles `rules` after the shared header and checks the compiled
    /// code against the reference interpreter on `records` random records.
    static func agree(_ rules: String, records: Int = 300, seed: UInt64 = 7) throws -> Program {
        let program = try Fixtures.program(header + rules)
        var rng = SplitMix64(seed: seed)
        for _ in 0..<records {
            let record = Differential.randomRecord(program.model, &rng)
            let disagreements = Differential.disagreements(program, record)
            #expect(disagreements.isEmpty, "\(disagreements)")
        }
        return program
    }

    @Test func aSharedTestIsOneLeaf() throws {
        let program = try Self.agree("""
        when severity >= high: notify a
        when severity >= high and amount > 5: notify a
        when not (severity >= high) or amount > 5: notify a
        """)
        #expect(program.code.leaves.count == 2)
    }

    @Test func choiceFieldsAreDecidedByATable() throws {
        let program = try Self.agree("""
        when severity >= high and tier = enterprise: notify a
        when severity in [low, critical] or tier != basic: notify a
        when urgent and severity is missing: notify a
        when amount > 1000: notify a
        """)
        let code = program.code
        // severity (3 leaves), tier (2), urgent (1) in tables; amount by compare.
        #expect(code.tables.map { Int($0.leafEnd - $0.leafStart) } == [3, 2, 1])
        #expect(code.groups.map(\.op) == [.greater])
        // One row per level and one for missing: severity has 4 levels.
        #expect(code.tables[0].levels == 4)
        // Rows say which of severity's leaves hold at each level.
        let rows = (0...4).map { code.tableMasks[Int(code.tables[0].rows) + $0] }
        let leaves = code.leaves[0..<3].map(\.description)
        let high = leaves.firstIndex { $0.hasPrefix("greaterEqual") } ?? -1
        let missing = leaves.firstIndex { $0.hasPrefix("missing") } ?? -1
        #expect(rows.map { $0 >> UInt64(high) & 1 } == [0, 0, 1, 1, 0])
        #expect(rows.map { $0 >> UInt64(missing) & 1 } == [0, 0, 0, 0, 1])
    }

    @Test func aLevelOutsideTheScaleIsTestedLeafByLeaf() throws {
        let program = try Fixtures.program(Self.header + "when severity >= high: notify a\nwhen severity = low: notify a\n")
        var record = RecordBuffer(fieldCount: program.model.fields.count)
        record.setScalar(0, 7) // past `critical`: no reader stores this
        let evaluator = Evaluator(program: program)
        #expect(evaluator.evaluate(record).firedRules == [0])
    }

    @Test func conditionsBecomeTermsOfLeafBits() throws {
        let program = try Self.agree("""
        when severity >= high and (tier = enterprise or amount > 5): notify a
        when false: notify a
        when true: notify a
        when severity = low and severity >= high: notify a
        """)
        let conditions = program.rules.compactMap(\.condition)
        #expect(conditions.allSatisfy { !$0.general })
        // Two terms for the first rule; none can hold for the last (a
        // contradiction), so it keeps only a word that never matches.
        #expect(conditions[0].end - conditions[0].start == 2)
        let evaluator = Evaluator(program: program)
        var rng = SplitMix64(seed: 3)
        for _ in 0..<100 {
            let fired = evaluator.evaluate(Differential.randomRecord(program.model, &rng)).firedRules
            #expect(fired.contains(2))
            #expect(!fired.contains(1) && !fired.contains(3))
        }
    }

    @Test func aLargeNormalFormKeepsTheConditionsShape() throws {
        // (a1 or b1) and … and (a6 or b6): 64 terms, past the limit.
        let parts = (1...6).map { "(amount > \($0) or repeat > \($0))" }.joined(separator: " and ")
        let program = try Self.agree("""
        when \(parts): notify a
        when severity >= high: notify a
        when tier = premium and \(parts): notify a
        when not (\(parts)): notify a
        """, records: 600)
        let conditions = program.rules.compactMap(\.condition)
        // The negation is small: (not a1 and not b1) or … (6 terms).
        #expect(conditions.map(\.general) == [true, false, true, false])
        #expect(program.code.general.map(\.position) == [0, 2])
    }

    @Test func leafBitsSpanSeveralWords() throws {
        // 150 distinct thresholds: three words of leaf bits.
        let rules = (0..<150).map { "when amount > \($0 * 40) and repeat >= \($0 % 4): notify a" }.joined(separator: "\n")
        let program = try Self.agree(rules, records: 400)
        #expect(program.code.wordCount == 3)
        #expect(program.code.leaves.count == 154)
    }

    @Test func aBigDefineIsCalledNotCopied() throws {
        let parts = (1...9).map { "(amount > \($0) or repeat > \($0))" }.joined(separator: " and ")
        let program = try Self.agree("""
        define wide: \(parts)
        when wide or severity = low: notify a
        when tier = premium and wide: notify a
        """, records: 600)
        #expect(program.code.defines.count == 1)
    }

    @Test func aLevelIsReadOnlyFromAWholeNumberInRange() {
        #expect(ConditionCode.level(0, below: 4) == 0)
        #expect(ConditionCode.level(3, below: 4) == 3)
        #expect(ConditionCode.level(-0.0, below: 4) == 0)
        #expect(ConditionCode.level(255, below: 256) == 255)
        for bad in [4.0, 3.5, 0.5, 2.999_999_999, -1, -3, .nan, -.nan, .infinity, -.infinity, 1e300, -1e300,
                    .leastNonzeroMagnitude, 4_503_599_627_370_496, 4_503_599_627_370_497, 9_007_199_254_740_992,
                    -2_251_799_813_685_248, -4_503_599_627_370_496, -4_503_599_627_370_495, 1.0e-300] {
            #expect(ConditionCode.level(bad, below: 4) == nil, "\(bad)")
        }
    }

    @Test func aTermTableFindsTheTermsATestFindsForEveryPattern() throws {
        // More than one byte of leaves, rules of several terms, a rule kept
        // in its shape, and a rule that always holds.
        let program = try Self.agree("""
        when severity >= high and (tier = enterprise or amount > 5): notify a
        when severity in [low, critical] or tier != basic or urgent: notify a
        when not (amount > 10) and repeat >= 3 and note is missing: notify a
        when amount > 20 or repeat > 7 or repeat = 1 or amount < -3: notify a
        when (severity = low or amount > 1) and (tier = basic or repeat > 2) and (urgent or amount > 3) and (note is missing or repeat > 4) and (severity = high or amount > 9) and (tier = premium or repeat > 6) and (urgent or amount > 11): notify a
        when true: notify a
        """, records: 500)
        #expect(program.code.leaves.count > 8)
        let matcher = Evaluator(program: program).matcher
        let table = try #require(matcher.termTable)
        var rng = SplitMix64(seed: 21)
        let used: UInt64 = program.code.leaves.count >= 64 ? .max : (1 << UInt64(program.code.leaves.count)) - 1
        #expect(table.termWords == 1)
        for _ in 0..<5_000 {
            let bits = rng.next() & used
            #expect(table.firing(bits) == matcher.firingSet(bits), "\(String(bits, radix: 2))")
        }
    }

    @Test func aTermTableOverSeveralWordsFiresWhatTheTermsDo() throws {
        // More than 64 rules over more than 64 leaves: the table has
        // several words of leaves and of terms; it must fire the rules the
        // term-by-term test does, in file order.
        var rules: [String] = []
        for k in 0..<90 {
            rules.append("when amount > \(k * 7) and (severity >= high or repeat = \(k % 9)): notify a")
            rules.append("when not (repeat > \(k)) and tier != basic or amount < \(-k): notify a")
        }
        let program = try Self.agree(rules.joined(separator: "\n") + "\n", records: 400)
        #expect(program.code.wordCount > 1)
        let evaluator = Evaluator(program: program)
        let matcher = evaluator.matcher
        let table = try #require(matcher.termTable)
        #expect(table.termWords > 1)
        let matched = UnsafeMutablePointer<Bool>.allocate(capacity: program.whenRules.count)
        let fired = UnsafeMutablePointer<Int32>.allocate(capacity: program.rules.count)
        defer { matched.deallocate(); fired.deallocate() }
        var rng = SplitMix64(seed: 22)
        for _ in 0..<300 {
            let record = Differential.randomRecord(program.model, &rng)
            let firedRules = evaluator.evaluate(record).firedRules
            program.code.matchAll(matcher.bits, false, into: matched)
            let expected = (0..<program.whenRules.count).filter { matched[$0] }.map { Int(matcher.whenRuleIndexes[$0]) }
            let (n, _) = table.fire(matcher.bits, holding: matcher.holding, whenRuleIndexes: matcher.whenRuleIndexes, into: fired)
            #expect((0..<n).map { Int(fired[$0]) } == expected)
            #expect(firedRules == (expected.isEmpty ? program.otherwiseRules : expected))
        }
    }

    @Test func aProgramTooLargeForATermTableTestsTermByTerm() throws {
        // 1,100 leaves and terms: 138 bytes of leaves x 18 words of terms
        // x 256 rows is more than `TermTable.maxWords`.
        let rules = (0..<1_100).map { "when amount > \($0): notify a" }
        let program = try Self.agree(rules.joined(separator: "\n") + "\n", records: 20)
        #expect(program.termTable == nil)
        #expect(program.code.leaves.count == 1_100)
    }
}
