// Differential tests: the compiled condition code (`ConditionCompiler`)
// against the plain tree-walking `ReferenceInterpreter`. Both must agree on
// which rules fire for every example of the semantic conformance cases and
// for seeded random records of the BRIEF policy and of a policy that uses
// every kind of condition.
import Testing
@testable import Amends

@Suite("Reference interpreter")
struct ReferenceInterpreterTests {
    // MARK: - Agreement

    @Test func agreesOnEverySemanticConformanceExample() throws {
        var examples = 0
        for name in Conformance.files where !name.hasPrefix("syntax/") {
            for chunk in Conformance.chunks(file: name) where chunk.hasSource && chunk.expectations.isEmpty {
                let compiled = Conformance.compile(chunk.source, name: name)
                guard let program = compiled.program else { continue }
                let runner = ExampleRunner(program: program)
                for example in compiled.model.examples {
                    let record = runner.record(for: example)
                    let disagreements = Differential.disagreements(program, record)
                    #expect(disagreements.isEmpty, "\(name):\(example.ref.line) \(example.name): \(disagreements)")
                    examples += 1
                }
                // And random records for the same policy.
                var rng = SplitMix64(seed: UInt64(chunk.firstLine) &* 7919 &+ UInt64(name.utf8.count))
                for _ in 0..<50 {
                    let record = Differential.randomRecord(compiled.model, &rng)
                    let disagreements = Differential.disagreements(program, record)
                    #expect(disagreements.isEmpty, "\(name) chunk at line \(chunk.firstLine), random record: \(disagreements)")
                }
            }
        }
        #expect(examples >= 30, "only \(examples) semantic examples found")
    }

    @Test func agreesOnRandomRecordsOfTheBriefPolicy() throws {
        let program = try Fixtures.program(Fixtures.brief)
        var rng = SplitMix64(seed: 2026)
        var fired = Set<Int>()
        for _ in 0..<400 {
            let record = Differential.randomRecord(program.model, &rng)
            let disagreements = Differential.disagreements(program, record)
            #expect(disagreements.isEmpty, "\(disagreements)")
            let evaluator = Evaluator(program: program)
            fired.formUnion(evaluator.evaluate(record).firedRules)
        }
        // The records are varied enough to make every rule fire at least once.
        #expect(fired.count == program.rules.count, "fired only rules \(fired.sorted())")
    }

    @Test func agreesOnRandomRecordsOfEveryKindOfCondition() throws {
        let program = try Fixtures.program(Fixtures.everyCondition)
        var rng = SplitMix64(seed: 8)
        var holds = Array(repeating: 0, count: program.rules.count)
        for _ in 0..<600 {
            let record = Differential.randomRecord(program.model, &rng)
            let disagreements = Differential.disagreements(program, record)
            #expect(disagreements.isEmpty, "\(disagreements)")
            for rule in program.rules where program.holds(rule: rule.index, record) { holds[rule.index] += 1 }
        }
        // Every rule both holds and fails on some record: the comparison tests something.
        for (i, n) in holds.enumerated() {
            #expect(n > 0 && n < 600, "rule \(i) held on \(n) of 600 records")
        }
    }

    /// The differential check itself can fail: a deliberately different
    /// condition is caught.
    @Test func aDifferenceIsDetected() throws {
        let program = try Fixtures.program(Fixtures.brief)
        let model = program.model
        guard let rule = model.rules.first, let condition = rule.condition else {
            Issue.record("the brief policy has no rules")
            return
        }
        let reference = ReferenceInterpreter(model: model)
        let negated = Condition(.not(condition), condition.ref)
        var rng = SplitMix64(seed: 1)
        let record = Differential.randomRecord(model, &rng)
        #expect(reference.holds(negated, in: record) != program.holds(rule: 0, record))
    }

    /// Clock conditions, every 7 minutes 30 seconds through the weeks of
    /// both clock changes of 2026 in London (and a closed date), compiled
    /// against the reference's reading of the calendar declaration.
    @Test func agreesOnClockConditionsAroundClockChanges() throws {
        for zone in ["Europe/London", "America/New_York", "Australia/Lord_Howe"] {
            let program = try Fixtures.program("""
            record incident:
              reported: time?
            roles: a
            calendar:
              open mon-fri 00:30-01:30, 09:00-12:30, 13:30-17:30
              open sat 01:00-03:00
              time zone \(zone)
              closed 2026-03-30, 2026-10-26 to 2026-10-27
            when reported is inside opening hours: notify a
            when reported is outside opening hours: notify a
            when reported on sat, sun: notify a
            when reported at 01:00-02:30: notify a
            when reported at 17:30-09:00, 12:30-13:30: notify a
            """)
            var held = Array(repeating: 0, count: program.rules.count)
            for start in [Int64(1_774_483_200), 1_792_540_800] { // 2026-03-26, 2026-10-22 UTC midnight
                for step in Int64(0)..<(7 * 192) {
                    var record = RecordBuffer(fieldCount: 1)
                    record.setScalar(0, Double(start + step * 450))
                    let disagreements = Differential.disagreements(program, record)
                    #expect(disagreements.isEmpty, "\(zone) at \(start + step * 450): \(disagreements)")
                    for rule in program.rules where program.holds(rule: rule.index, record) { held[rule.index] += 1 }
                }
            }
            #expect(held.allSatisfy { $0 > 0 && $0 < 2 * 7 * 192 }, "\(zone): \(held)")
        }
    }

    // MARK: - Semantics stated plainly

    @Test func missingValuesMakeEveryTestFalse() throws {
        let program = try Fixtures.program("""
        record incident:
          amount: number?
          note: text?
          tags: list of text?
        roles: a
        when amount != 5: notify a
        when note contains "": notify a
        when tags contains "x": notify a
        when not amount = 5: notify a
        """)
        let record = RecordBuffer(fieldCount: program.model.fields.count)
        let reference = ReferenceInterpreter(model: program.model)
        let results = program.model.rules.compactMap { $0.condition.map { reference.holds($0, in: record) } }
        #expect(results == [false, false, false, true])
    }

    @Test func textComparesByteForByte() throws {
        let program = try Fixtures.program("""
        record incident:
          note: text
        roles: a
        when note = "caf\u{e9}": notify a
        """)
        let reference = ReferenceInterpreter(model: program.model)
        var record = RecordBuffer(fieldCount: 1)
        record.setText(0, Array("cafe\u{301}".utf8)) // é as e and a combining accent
        guard let condition = program.model.rules.first?.condition else { return }
        // Swift's String `==` would call these equal; the language does not.
        #expect(reference.holds(condition, in: record) == false)
        #expect(program.holds(rule: 0, record) == false)
    }
}

// MARK: - Helpers

enum Differential {
    /// Rules on which the compiled test and the reference interpreter differ.
    static func disagreements(_ program: Program, _ record: RecordBuffer) -> [String] {
        let reference = ReferenceInterpreter(model: program.model)
        var out: [String] = []
        for rule in program.rules {
            guard rule.condition != nil, let condition = program.model.rules[rule.index].condition else { continue }
            let compiled = program.holds(rule: rule.index, record)
            let expected = reference.holds(condition, in: record)
            if compiled != expected {
                out.append("rule \(rule.index) (`\(condition.ref.source.text(condition.ref.span))`): compiled \(compiled), "
                           + "reference \(expected); \(reference.reason(condition, in: record).text)")
            }
        }
        return out
    }

    static let texts = ["", "refund", "URGENT: refund failed again", "x", "again", "vip", "Refund", "caf\u{e9}", "press"]
    static let numbers: [Double] = [0, 1, 2, 3, -1, 4999, 5000, 5001, 1e6, 0.5]

    /// A record with each field missing one time in five, else a value of
    /// its type drawn from small sets around the constants policies use.
    static func randomRecord(_ model: PolicyModel, _ rng: inout SplitMix64) -> RecordBuffer {
        var r = RecordBuffer(fieldCount: model.fields.count)
        let base = 1_772_323_200.0 // 2026-03-01T00:00:00Z
        r.now = base + Double(Int.random(in: 0...400, using: &rng)) * 3_600
        for (f, field) in model.fields.enumerated() {
            if Int.random(in: 0..<5, using: &rng) == 0 { continue }
            switch field.type {
            case .text: r.setText(f, Array(texts.randomElement(using: &rng).map { $0.utf8 } ?? "".utf8))
            case .number: r.setScalar(f, numbers.randomElement(using: &rng) ?? 0)
            case .bool: r.setScalar(f, Double(Int.random(in: 0...1, using: &rng)))
            case .time: r.setScalar(f, base + Double(Int.random(in: -100...300, using: &rng)) * 3_600)
            case .duration: r.setScalar(f, Double(Int.random(in: 0...(14 * 24), using: &rng)) * 3_600)
            case .scale(let s): r.setScalar(f, Double(Int.random(in: 0..<max(1, model.scales[s].levels.count), using: &rng)))
            case .enumeration(let e):
                r.setScalar(f, Double(Int.random(in: 0..<max(1, model.enumerations[e].values.count), using: &rng)))
            case .list(let element):
                r.markPresent(f)
                for _ in 0..<Int.random(in: 0...3, using: &rng) {
                    switch element {
                    case .text: r.appendListText(f, Array((texts.randomElement(using: &rng) ?? "").utf8))
                    case .scale(let s): r.appendListScalar(f, Double(Int.random(in: 0..<max(1, model.scales[s].levels.count), using: &rng)))
                    case .enumeration(let e):
                        r.appendListScalar(f, Double(Int.random(in: 0..<max(1, model.enumerations[e].values.count), using: &rng)))
                    default: r.appendListScalar(f, numbers.randomElement(using: &rng) ?? 0)
                    }
                }
            }
        }
        return r
    }
}

/// A small, seeded, deterministic random number generator (SplitMix64).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
