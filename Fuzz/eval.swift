// Fuzz target `eval`: records made to fit a shipped policy (the first byte
// chooses which), so that most of them are read and evaluated rather than
// rejected: the bytes choose, field by field, to leave it out, give `null`,
// a value of its type near an edge (levels and their spellings in any
// letter case, times in ISO form or in the field's `format` with odd
// numbers, ISO and plain durations, huge and tiny numbers, lists), or text
// of raw bytes. Each record, written as a JSON object, goes through
// `amends run` (JSON and text results), the library API, `amends explain`
// and the explain input reader.
//
// Checks: `amends run`'s promises; the library reads a record exactly when
// `run` does; the compiled rules agree with the ReferenceInterpreter on
// every record read; the explanation finds no disagreement either.

@testable import Amends

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let program = Shipped.program(data[0])
    let model = program.model
    var reader = ByteReader(fuzzBytes(data + 1, size - 1))
    var lines: [UInt8] = []
    var objects: [[UInt8]] = []
    for _ in 0..<(1 + reader.below(3)) {
        let object = RecordMaker(model: model).object(&reader)
        objects.append(object)
        lines += object + [0x0A]
    }

    let run = runRecords(lines, program, format: .jsonLines, chunkSize: 1 << 16, maxRecordSize: 1 << 16, batchSize: 2)
    checkOutput(run)
    expect(run.records == objects.count, "\(run.records) results for \(objects.count) records")
    let resultLines = run.output.split(separator: 0x0A)

    let writer = ResultWriter(program: program)
    let out = OutputBuffer(capacity: 4096)
    for (i, object) in objects.enumerated() {
        let text = String(decoding: object, as: UTF8.self)
        var runRead = false
        if i < resultLines.count, case .success(let result) = JSONValue.parse(Array(resultLines[i])) {
            runRead = result["error"] == nil
        }
        var record = RecordBuffer(fieldCount: model.fields.count)
        switch JSONValue.parse(object) {
        case .failure(let error):
            expect(!runRead, "`run` reads `\(text)`, the JSON tree parser does not: \(error.message)")
            continue
        case .success(let value):
            let error = program.schema.read(value, into: &record)
            expect((error == nil) == runRead,
                   "`run` \(runRead ? "reads" : "rejects") `\(text)`, the library \(error.map { "rejects it: \($0.message)" } ?? "reads it")")
            if error != nil { continue }
            _ = RecordLiteral.read(json: value, program: program)
        }
        record.now = Double(fuzzNow)
        let problems = disagreements(program, record)
        expect(problems.isEmpty, "on `\(text)`: \(problems)")

        let explanation = Explainer.explain(program: program, record: record)
        expect(!explanation.rules.contains { $0.disagrees }, "`amends explain` finds a disagreement on `\(text)`")
        _ = explanation.text
        _ = explanation.json

        let evaluator = Evaluator(program: program)
        withExtendedLifetime(evaluator) {
            let evaluation = evaluator.evaluate(record)
            out.removeAll()
            writer.writeText(record: i + 1, evaluation, record, into: out)
            _ = Outcome(evaluation)
        }
        _ = RecordLiteral.read(text, compiled: Shipped.compiled(data[0]), program: program)
    }
    return 0
}

// MARK: - Making records

/// A RecordMaker writes a JSON object for a policy's record, the bytes
/// choosing each value.
struct RecordMaker {
    let model: PolicyModel

    func object(_ r: inout ByteReader) -> [UInt8] {
        // Nested keys (`customer.name`) become nested objects.
        var tree = Node()
        for field in model.fields {
            let choice = r.below(10)
            if choice == 0 { continue }
            let value: [UInt8]
            switch choice {
            case 1: value = Array("null".utf8)
            case 2: value = quoted(r.run(max: 12))
            case 3: value = number(&r)
            default: value = typed(field.type, field.format, &r)
            }
            tree.insert(field.key.split(separator: ".").map(String.init), value)
            if r.below(16) == 0 { tree.insert([String(decoding: r.run(max: 6), as: UTF8.self)], number(&r)) }
        }
        return tree.json(&r)
    }

    func typed(_ type: ValueType, _ format: String?, _ r: inout ByteReader) -> [UInt8] {
        switch type {
        case .text: return quoted(r.pick([Array("refund".utf8), Array("URGENT: refund".utf8), [], Array("caf\u{e9}".utf8)]) + r.run(max: 3))
        case .number:
            return r.below(3) == 0 ? quoted(number(&r)) : number(&r)
        case .bool: return Array(r.pick(["true", "false", "\"yes\"", "\"N\"", "\"1\"", "\"TRUE\"", "\"maybe\"", "0"]).utf8)
        case .time:
            if let format, r.below(4) != 0 { return quoted(Array(formatted(format, &r).utf8)) }
            return quoted(Array(isoTime(&r).utf8))
        case .duration:
            let n = r.pick(["0", "1", "2", "36", "999999", "1000001", "99999999999", "9223372036854775807", "-1"])
            let text = r.pick(["P\(n)D", "PT\(n)H", "PT\(n)M", "P\(n)W", "PT\(n)S", "P1DT\(n)H", "\(n) hours", "\(n) days",
                               "\(n) business hours", "P", "PT", "P1.5D"])
            return quoted(Array(text.utf8))
        case .scale(let s):
            return choiceText(model.scales[s].levels, model.scales[s].spellings, &r)
        case .enumeration(let e):
            return choiceText(model.enumerations[e].values, model.enumerations[e].spellings, &r)
        case .list(let element):
            let items = (0..<r.below(4)).map { _ in r.below(5) == 0 ? Array("null".utf8) : typed(element, nil, &r) }
            return Array("[".utf8) + items.joined(separator: Array(",".utf8)) + Array("]".utf8)
        }
    }

    func choiceText(_ names: [String], _ spellings: [[String]], _ r: inout ByteReader) -> [UInt8] {
        var all = names
        for s in spellings { all += s }
        guard !all.isEmpty else { return quoted([]) }
        var text = r.pick(all)
        switch r.below(4) {
        case 0: text = text.uppercased()
        case 1: text = String(text.dropLast())
        default: break
        }
        return quoted(Array(text.utf8))
    }

    func number(_ r: inout ByteReader) -> [UInt8] {
        switch r.below(4) {
        case 0:
            let v = Double(bitPattern: r.word())
            return Array((v.isFinite ? "\(v)" : "1e999").utf8)
        case 1: return Array(r.pick(["1e308", "1e309", "-0", "0.0000001", "1E+2", "12345678901234567890", "1.5e-320", "-1e-400"]).utf8)
        default: return Array("\(r.pick(edgeNumbers))".utf8)
        }
    }

    /// An ISO time with numbers that may be out of range.
    func isoTime(_ r: inout ByteReader) -> String {
        func two(_ r: inout ByteReader, _ limit: Int) -> String {
            let v = r.below(limit)
            return v < 10 ? "0\(v)" : "\(v)"
        }
        let year = r.pick(["0000", "0001", "1969", "1970", "2016", "2026", "2027", "9999", "10000"])
        var text = "\(year)-\(two(&r, 14))-\(two(&r, 33))"
        if r.below(4) == 0 { return text }
        text += r.pick(["T", " ", "t"]) + "\(two(&r, 26)):\(two(&r, 61))"
        if r.below(2) == 0 { text += ":\(two(&r, 62))" }
        if r.below(3) == 0 { text += ".\(r.below(1000))" }
        text += r.pick(["Z", "", "+01:00", "-23:59", "+24:00", "+14:00", "z"])
        return text
    }

    /// A time written in a `format`: each pattern letter run becomes a
    /// number or name of about the right size, the rest is copied.
    func formatted(_ format: String, _ r: inout ByteReader) -> String {
        var out = ""
        let chars = Array(format)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            var j = i
            while j < chars.count && chars[j] == c { j += 1 }
            let width = j - i
            switch c {
            case "y": out += width == 2 ? "\(r.below(100))" : r.pick(["2016", "1999", "0000", "9999", "1"])
            case "M": out += width >= 3 ? r.pick(["Jan", "feb", "DEC", "Foo"]) : "\(r.below(14))"
            case "d": out += "\(r.below(33))"
            case "H", "h": out += "\(r.below(26))"
            case "m", "s": out += "\(r.below(62))"
            case "a": out += r.pick(["AM", "pm", "XM"])
            default: out += String(repeating: c, count: width)
            }
            i = j
        }
        if r.below(8) == 0 { out += " " }
        return out
    }

}

/// Bytes as a JSON string: quotes, backslashes and control bytes escaped,
/// everything else (invalid UTF-8 too) as it is.
func quoted(_ bytes: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0x22]
    for b in bytes {
        switch b {
        case 0x22, 0x5C: out += [0x5C, b]
        case 0..<0x20: out += Array("\\u00\(b < 16 ? "0" : "")\(String(b, radix: 16))".utf8)
        default: out.append(b)
        }
    }
    return out + [0x22]
}

/// Keys and values as a tree, for writing dotted keys as nested objects.
struct Node {
    var value: [UInt8]?
    var children: [(String, Node)] = []

    mutating func insert(_ path: [String], _ v: [UInt8]) {
        guard let first = path.first else {
            value = v
            return
        }
        if let k = children.firstIndex(where: { $0.0 == first }) {
            children[k].1.insert(Array(path.dropFirst()), v)
        } else {
            var child = Node()
            child.insert(Array(path.dropFirst()), v)
            children.append((first, child))
        }
    }

    func json(_ r: inout ByteReader) -> [UInt8] {
        if children.isEmpty { return value ?? Array("{}".utf8) }
        var members: [[UInt8]] = []
        for (key, child) in children { members.append(quoted(Array(key.utf8)) + Array(": ".utf8) + child.json(&r)) }
        let separator = r.below(8) == 0 ? ",\t" : ", "   // one line: JSON Lines
        return Array("{".utf8) + members.joined(separator: Array(separator.utf8)) + Array("}".utf8)
    }
}
