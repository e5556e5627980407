// Fuzz target `differential`: the compiled condition code against the
// ReferenceInterpreter, on policies and records made from the bytes.
//
// The input is policy text, then optionally a NUL byte and bytes that
// choose records (`---` lines in the text cut it into files `use` can
// name, as in the policy target). When the policy compiles, every example's
// record and a few records chosen by the bytes are evaluated: each field
// missing, or a value of its type taken from the constants the policy's
// conditions use (and their neighbours), from the edges of its type, or
// from the bytes. Records are typed values put straight into slots, as
// the readers would put them.
//
// Checks: for every rule the compiled test (alone and all rules at once in
// the evaluator) and the reference agree; the rules that fire are the ones
// the reference says; and the whole result, `Evaluator.outcome()` and the
// line `ResultWriter` writes, is the `ReferenceEvaluator`'s, field by field
// (`ReferenceComparison`). A waiver the outcome lists though it removed
// nothing (undecided: the line leaves it out, §11) is counted, not fatal
// (`WholeTally`); every other disagreement stops the run.

#if canImport(Glibc)
import Glibc
#endif
@testable import Amends

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let cut = bytes.firstIndex(of: 0) ?? bytes.count
    let compiled = Driver.compile(VirtualFolder(Array(bytes[..<cut])).load())
    guard let program = compiled.program else { return 0 }
    let model = program.model

    let whole = Whole(program: program)
    let runner = ExampleRunner(program: program)
    for example in model.examples {
        let record = runner.record(for: example)
        whole.check(record, "example `\(example.name)`, \(describe(record, model))")
    }

    var reader = ByteReader(cut < bytes.count ? Array(bytes[(cut + 1)...]) : [])
    let maker = SlotMaker(model: model)
    for _ in 0..<4 {
        let record = maker.record(&reader)
        whole.check(record, describe(record, model))
    }
    return 0
}

/// The checks on one record: conditions against the `ReferenceInterpreter`,
/// then the whole result against the `ReferenceEvaluator`.
struct Whole {
    let program: Program
    let reference: ReferenceEvaluator
    let evaluator: Evaluator
    let writer: ResultWriter

    init(program: Program) {
        self.program = program
        reference = ReferenceEvaluator(model: program.model, calendar: program.calendar)
        evaluator = Evaluator(program: program)
        writer = ResultWriter(program: program)
    }

    func check(_ record: RecordBuffer, _ what: @autoclosure () -> String) {
        let problems = disagreements(program, record)
        expect(problems.isEmpty, "\(what()): \(problems)")
        let now = ReferenceInterpreter.whole(record.now)
        var record = record
        record.now = Double(now)
        let expected = reference.result(for: record, now: now)
        evaluator.evaluate(record)
        let out = OutputBuffer()
        writer.writeJSON(record: 1, evaluator, record, into: out)
        var line = out.array
        if line.last == 0x0A { line.removeLast() }
        let found = ReferenceComparison.check(expected, evaluator, record, number: 1, line: line)
        WholeTally.count(found)
        let unexpected = found.filter { $0.kind != .waiverThatRemovedNothing }
        expect(unexpected.isEmpty, "\(what()): the whole result differs from the reference: \(unexpected)")
    }
}

/// WholeTally counts the records compared whole and the known
/// disagreements by kind, and says so on standard error every 20,000
/// records and at exit.
enum WholeTally {
    // The fuzzer runs one input at a time on one thread.
    nonisolated(unsafe) static var pairs = 0
    nonisolated(unsafe) static var known: [ReferenceComparison.Disagreement.Kind: Int] = [:]
    nonisolated(unsafe) static var registered = false

    static func count(_ found: [ReferenceComparison.Disagreement]) {
        if !registered {
            registered = true
            atexit { WholeTally.report() }
        }
        pairs += 1
        for kind in Set(found.map(\.kind)) where kind == .waiverThatRemovedNothing { known[kind, default: 0] += 1 }
        if pairs % 20_000 == 0 { report() }
    }

    static func report() {
        let kinds = ReferenceComparison.Disagreement.Kind.allCases.compactMap { k in known[k].map { "\($0) with \(k.rawValue.prefix(10))" } }
        say("differential: \(pairs) records compared whole" + (kinds.isEmpty ? "" : "; known: " + kinds.joined(separator: ", ")))
    }
}
