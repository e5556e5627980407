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
// the reference says; and the whole result, the `Outcome` of the `Evaluation` and the
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
        reference = ReferenceEvaluator(model: program.model, calendar: program.calendar, calendars: program.calendars)
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
        let evaluation = evaluator.evaluate(record)
        let out = OutputBuffer()
        writer.writeJSON(record: 1, evaluation, record, into: out)
        var line = out.array
        if line.last == 0x0A { line.removeLast() }
        let found = ReferenceComparison.check(expected, evaluation, record, number: 1, line: line)
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

/// A SlotMaker fills a record's slots with typed values the bytes choose,
/// favouring the constants the policy compares with.
struct SlotMaker {
    let model: PolicyModel
    /// Per field, the scalars and texts its conditions mention.
    var scalars: [[Double]]
    var texts: [[[UInt8]]]

    init(model: PolicyModel) {
        self.model = model
        scalars = Array(repeating: [], count: model.fields.count)
        texts = Array(repeating: [], count: model.fields.count)
        for rule in model.rules { if let c = rule.condition { gather(c) } }
        for define in model.defines { gather(define.condition) }
    }

    mutating func gather(_ c: Condition) {
        switch c.kind {
        case .compare(_, let a, let b):
            if case .field(let f) = a, case .value(let v) = b { note(f, v) }
            if case .field(let f) = b, case .value(let v) = a { note(f, v) }
            if case .age = a, case .value(let v) = b, let clock = model.clockField { noteAge(clock, v) }
            if case .age = b, case .value(let v) = a, let clock = model.clockField { noteAge(clock, v) }
        case .member(let a, let values, _):
            if case .field(let f) = a { for v in values { note(f, v) } }
        case .listContains(let list, let v): note(list, v)
        case .text(_, let f, let needle):
            if texts.indices.contains(f) { texts[f].append(Array(needle.utf8)) }
        case .not(let a): gather(a)
        case .and(let a, let b), .or(let a, let b):
            gather(a)
            gather(b)
        default: break
        }
    }

    mutating func note(_ f: Int, _ v: Value) {
        guard scalars.indices.contains(f) else { return }
        switch v {
        case .text(let s): texts[f].append(Array(s.utf8))
        case .list(let items): for item in items { note(f, item) }
        default:
            if let x = v.scalar { scalars[f] += [x, x - 1, x + 1, x.nextUp, x.nextDown] }
        }
    }

    /// `age > 2 days` holds around `now - 2 days`.
    mutating func noteAge(_ clock: Int, _ v: Value) {
        guard scalars.indices.contains(clock), let d = v.scalar else { return }
        let t = Double(fuzzNow) - d
        scalars[clock] += [t, t - 1, t + 1]
    }

    func record(_ r: inout ByteReader) -> RecordBuffer {
        var record = RecordBuffer(fieldCount: model.fields.count)
        record.now = r.below(4) == 0 ? Double(fuzzNow) + Double(r.below(1000)) * 3_600 : Double(fuzzNow)
        for (f, field) in model.fields.enumerated() {
            if r.below(5) == 0 { continue }
            switch field.type {
            case .text: record.setText(f, text(f, &r))
            case .list(let element):
                record.markPresent(f)
                for _ in 0..<r.below(4) {
                    if case .text = element {
                        record.appendListText(f, text(f, &r))
                    } else {
                        record.appendListScalar(f, scalar(f, element, &r))
                    }
                }
            default: record.setScalar(f, scalar(f, field.type, &r))
            }
        }
        return record
    }

    func text(_ f: Int, _ r: inout ByteReader) -> [UInt8] {
        let known = texts[f]
        switch r.below(4) {
        case 0: return r.run(max: 8)
        case 1 where !known.isEmpty:
            // A known text with a byte more or less, at either end.
            var t = r.pick(known)
            switch r.below(4) {
            case 0: t.append(r.byte())
            case 1: t.insert(r.byte(), at: 0)
            case 2: if !t.isEmpty { t.removeLast() }
            default: if !t.isEmpty { t.removeFirst() }
            }
            return t
        default: return known.isEmpty ? r.run(max: 4) : r.pick(known)
        }
    }

    /// A value of a scalar type: a known constant, an edge, or one from the
    /// bytes, kept in the range its readers give.
    func scalar(_ f: Int, _ type: ValueType, _ r: inout ByteReader) -> Double {
        switch type {
        case .bool: return Double(r.below(2))
        case .scale(let s): return Double(r.below(max(1, model.scales[s].levels.count)))
        case .enumeration(let e): return Double(r.below(max(1, model.enumerations[e].values.count)))
        default: break
        }
        let known = scalars.indices.contains(f) ? scalars[f] : []
        var v: Double
        switch r.below(4) {
        case 0: v = r.pick(edgeNumbers)
        case 1: v = Double(bitPattern: r.word())
        default: v = known.isEmpty ? Double(Int8(bitPattern: r.byte())) : r.pick(known)
        }
        if !v.isFinite { v = 0 }
        switch type {
        case .time: v = min(max(v.rounded(), -62_167_219_200), 253_402_300_799)     // years 0000 to 9999
        case .duration: v = min(max(v.rounded(), -1e15), 1e15)
        default: break
        }
        return v
    }
}
