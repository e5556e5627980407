#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import Amends

/// Tests of record reading: the JSON scanner and record decoder, JSONValue,
/// CSV, and the streaming layer (framing, recovery, limits, chunking).
/// Inputs are small and built in memory, except one multi-megabyte input
/// read through a temporary file.
struct RecordReaderTests {
    // MARK: - Helpers

    static let policy = """
        scale severity: low < medium < high < critical
        record incident:
          id: text
          severity: severity
          tier: one of basic, premium = basic
          amount: number?
          repeat: number = 0
          urgent: yes/no?
          reported: time?
          wait: duration?
          note: text?
          tags: list of text?
          levels: list of severity?
          scores: list of number?
          customer.name: text?
          customer.address.city: text?
        when severity >= high: follow up in 3 days
        """

    static func schema(_ text: String = policy) throws -> RecordSchema {
        let loaded = Loader.load(source: SourceText(path: "t.policy", text: text))
        let (model, diagnostics) = Checker.check(loaded)
        #expect(!diagnostics.hasErrors, "\(diagnostics.map(\.message))")
        return RecordSchema(model: model, zone: .utc)
    }

    /// One record through the JSON decoder.
    static func decode(_ json: String, _ schema: RecordSchema) -> (RecordBuffer, String?) {
        var decoder = JSONRecordDecoder(schema: schema)
        var buffer = RecordBuffer(fieldCount: schema.fields.count)
        let error = decoder.decode(Array(json.utf8), into: &buffer)
        return (buffer, error?.message)
    }

    static func field(_ schema: RecordSchema, _ name: String) throws -> Int {
        try #require(schema.fields.firstIndex { $0.name == name })
    }

    /// Every record of an input, decoded: `id` or `error: message`, with
    /// record and line numbers: "1@1 INC-1".
    static func outcomes(_ bytes: [UInt8], _ schema: RecordSchema, format: RecordFormat? = nil,
                         chunk: Int = RecordStream.defaultChunkSize, limit: Int = RecordStream.defaultMaxRecordSize,
                         batch: Int = 3) -> [String] {
        let stream = RecordStream(bytes: bytes, format: format, chunkSize: chunk, maxRecordSize: limit)
        var decoder = stream.makeDecoder(for: schema)
        var buffer = RecordBuffer(fieldCount: schema.fields.count)
        var out: [String] = []
        while let b = stream.nextBatch(maxRecords: batch) {
            for i in 0..<b.count {
                let e = b.records[i]
                if let error = decoder.decode(b, i, into: &buffer) {
                    out.append("\(e.number)@\(e.line) error: \(error.message)")
                } else {
                    out.append("\(e.number)@\(e.line) \(schema.idField.map { buffer.textString($0) } ?? "?")")
                }
            }
        }
        return out
    }

    static func outcomes(_ text: String, _ schema: RecordSchema, format: RecordFormat? = nil, chunk: Int = 1 << 20,
                         limit: Int = 1 << 20) -> [String] {
        outcomes(Array(text.utf8), schema, format: format, chunk: chunk, limit: limit)
    }

    /// The same outcomes whatever the chunk size: framing must resume
    /// exactly at any byte boundary.
    static func expectChunkInvariant(_ text: String, _ schema: RecordSchema, format: RecordFormat? = nil) {
        let whole = outcomes(text, schema, format: format)
        for chunk in [1, 2, 3, 5, 7, 16] {
            #expect(outcomes(text, schema, format: format, chunk: chunk) == whole, "chunk size \(chunk)")
        }
    }

    // MARK: - JSON values into fields

    @Test func everyJSONTypeIntoEveryFieldKind() throws {
        let s = try Self.schema()
        let (r, error) = Self.decode("""
            {"id": 42, "severity": "High", "tier": "premium", "amount": "1.5", "repeat": 3, "urgent": true,
             "reported": "2026-03-02T09:00:00Z", "wait": "PT2H", "note": false,
             "tags": ["a", "b,c", 7, true, null], "levels": ["low", "critical"], "scores": [1, 2.5, -3e2, true]}
            """, s)
        #expect(error == nil)
        #expect(r.textString(try Self.field(s, "id")) == "42")
        #expect(r.scalar(try Self.field(s, "severity")) == 2)
        #expect(r.scalar(try Self.field(s, "tier")) == 1)
        #expect(r.scalar(try Self.field(s, "amount")) == 1.5)
        #expect(r.scalar(try Self.field(s, "repeat")) == 3)
        #expect(r.scalar(try Self.field(s, "urgent")) == 1)
        #expect(r.scalar(try Self.field(s, "reported")) == 1_772_442_000)
        #expect(r.scalar(try Self.field(s, "wait")) == 7_200)
        #expect(r.textString(try Self.field(s, "note")) == "false")
        let tags = try Self.field(s, "tags")
        #expect(r.listTexts(tags).map { String(decoding: r.textBytes[$0], as: UTF8.self) } == ["a", "b,c", "7", "true"])
        #expect(r.listScalars(try Self.field(s, "levels")) == [0, 3])
        #expect(r.listScalars(try Self.field(s, "scores")) == [1, 2.5, -300, 1])
    }

    @Test func nullAndAbsenceLeaveFieldsMissing() throws {
        let s = try Self.schema()
        let (r, error) = Self.decode(#"{"id": "A", "severity": "low", "tier": null, "amount": null, "tags": []}"#, s)
        #expect(error == nil)
        #expect(r.scalar(try Self.field(s, "tier")) == 0)          // the default
        #expect(r.isPresent(try Self.field(s, "amount")) == false)
        #expect(r.isPresent(try Self.field(s, "tags")) == true)       // an empty list is a value
        #expect(Self.decode(#"{"id": "A", "severity": null}"#, s).1 == "missing required field `severity`")
    }

    @Test func wrongTypes() throws {
        let s = try Self.schema()
        let base = #""id": "A", "severity": "low""#
        let cases: [(String, String)] = [
            (#"{"id": "A", "severity": ["low"]}"#, "`severity` should be scale `severity`, not an array"),
            (#"{"id": "A", "severity": {"x": 1}}"#, "`severity` should be scale `severity`, not an object"),
            (#"{"id": "A", "severity": 3}"#, "`severity` should be scale `severity`, not the number 3"),
            (#"{\#(base), "amount": true}"#, "`amount` should be number, not `true`"),
            (#"{\#(base), "amount": "lots"}"#, "`amount` should be number, not `lots`"),
            (#"{\#(base), "urgent": 1}"#, "`urgent` should be yes/no, not the number 1"),
            (#"{\#(base), "scores": [[1]]}"#, "`scores` should be list of number, not a list holding an array"),
            (#"{\#(base), "levels": ["low", "urgent"]}"#, "`levels` is \"urgent\", which is not one of `low`, `medium`, `high`, `critical`"),
            (#"{\#(base), "customer": "Ann"}"#, "`customer` should be an object holding `name`, `address.city`, not a string"),
            (#"{"id": "A", "severity": "hgih"}"#, "`severity` is \"hgih\", which is not one of `low`, `medium`, `high`, `critical`; did you mean `high`?"),
        ]
        for (json, message) in cases {
            #expect(Self.decode(json, s).1 == message, "\(json)")
        }
        // A syntax error later in the record wins over a field error.
        #expect(Self.decode(#"{"id": "A", "severity": 3, "x": tru}"#, s).1?.hasPrefix("invalid JSON") == true)
    }

    @Test func topLevelMustBeAnObject() throws {
        let s = try Self.schema()
        #expect(Self.decode("[1, 2]", s).1 == "a record must be a JSON object, not an array")
        #expect(Self.decode("  12", s).1 == "a record must be a JSON object, not a number")
        #expect(Self.decode(#""x""#, s).1 == "a record must be a JSON object, not a string")
        #expect(Self.decode("null", s).1 == "a record must be a JSON object, not `null`")
        #expect(Self.decode("", s).1 == "the record is empty")
    }

    // MARK: - Strings

    @Test func escapesAndSurrogatePairs() throws {
        let s = try Self.schema()
        let note = try Self.field(s, "note")
        let (r, error) = Self.decode(#"{"id": "A", "severity": "low", "note": "q\"b\\s\/n\nt\tu\u00e9\u20AC\ud83d\ude00\b\f\r"}"#, s)
        #expect(error == nil)
        #expect(r.textString(note) == "q\"b\\s/n\nt\tu\u{e9}\u{20AC}\u{1F600}\u{08}\u{0C}\r")
        // Escaped keys match too.
        #expect(Self.decode(#"{"i\u0064": "A", "sev\u0065rity": "low"}"#, s).1 == nil)
        // Raw UTF-8 passes through unchanged.
        let (r2, _) = Self.decode(#"{"id": "Zoë 😀", "severity": "low"}"#, s)
        #expect(r2.textString(try Self.field(s, "id")) == "Zoë 😀")
    }

    @Test func badStrings() throws {
        let s = try Self.schema()
        let cases: [(String, String)] = [
            (#"{"id": "\ud800", "severity": "low"}"#, "unpaired surrogate `\\uD800` in a string"),
            (#"{"id": "\udc00x", "severity": "low"}"#, "unpaired surrogate `\\uDC00` in a string"),
            (#"{"id": "\ud83dx", "severity": "low"}"#, "unpaired surrogate `\\uD83D` in a string"),
            (#"{"id": "\x", "severity": "low"}"#, "invalid escape `\\x` in a string"),
            (#"{"id": "\u12G4"}"#, "`\\u` needs four hex digits"),
            ("{\"id\": \"a\nb\"}", "a line break inside a string must be written `\\n`"),
            ("{\"id\": \"a\u{01}b\"}", "a control character (U+0001) inside a string must be escaped"),
            (#"{"id": "abc"#, "a string in this record is not closed before the end of line 1"),
        ]
        for (json, message) in cases {
            #expect(Self.decode(json, s).1?.hasSuffix(message) == true, "\(json): \(Self.decode(json, s).1 ?? "nil")")
        }
        // Invalid UTF-8 is rejected: a lone continuation byte, an overlong
        // form, an encoded surrogate.
        for bad: [UInt8] in [[0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]] {
            var decoder = JSONRecordDecoder(schema: s)
            var buffer = RecordBuffer(fieldCount: s.fields.count)
            let bytes = Array(#"{"id": ""#.utf8) + bad + Array(#"", "severity": "low"}"#.utf8)
            #expect(decoder.decode(bytes, into: &buffer)?.message == "invalid JSON at line 1, column 9: invalid UTF-8 in a string")
        }
    }

    // MARK: - Objects

    @Test func nestedDottedPaths() throws {
        let s = try Self.schema()
        let (r, error) = Self.decode("""
            {"customer": {"name": "Ann", "vip": {"deep": [1, {"x": null}]}, "address": {"city": "Leeds", "zip": "LS1"}},
             "id": "A", "severity": "low"}
            """, s)
        #expect(error == nil)
        #expect(r.textString(try Self.field(s, "customer.name")) == "Ann")
        #expect(r.textString(try Self.field(s, "customer.address.city")) == "Leeds")
        #expect(Self.decode(#"{"id": "A", "severity": "low", "customer": null}"#, s).1 == nil)
        #expect(Self.decode(#"{"id": "A", "severity": "low", "customer": {"address": 5}}"#, s).1
                == "`customer.address` should be an object holding `city`, not a number")
    }

    @Test func unknownKeysAreSkippedButValidated() throws {
        let s = try Self.schema()
        let (r, error) = Self.decode("""
            {"extra": {"a": [1, 2, {"b": "c\\"}"}], "d": null}, "id": "A", "more": [[], {}, "x", -1.5e3, false],
             "severity": "medium"}
            """, s)
        #expect(error == nil)
        #expect(r.scalar(try Self.field(s, "severity")) == 1)
        #expect(Self.decode(#"{"extra": [1, 2,], "id": "A", "severity": "low"}"#, s).1
                == "invalid JSON at line 1, column 17: a trailing `,` before `]` is not allowed")
        #expect(Self.decode(#"{"extra": NaN, "id": "A"}"#, s).1 == "invalid JSON at line 1, column 11: expected a value, not `N`")
    }

    @Test func duplicateKeysLastWins() throws {
        let s = try Self.schema()
        let (r, error) = Self.decode("""
            {"id": "A", "severity": "low", "severity": "high", "tags": ["a", "b"], "tags": ["c"],
             "amount": 5, "amount": null}
            """, s)
        #expect(error == nil)
        #expect(r.scalar(try Self.field(s, "severity")) == 2)
        let tags = try Self.field(s, "tags")
        #expect(r.listTexts(tags).map { String(decoding: r.textBytes[$0], as: UTF8.self) } == ["c"])
        #expect(r.isPresent(try Self.field(s, "amount")) == false)
    }
    /// Found by the json fuzz target: `amends run` rejected a record whose
    /// repeated key had a bad first value, the library's tree reader read it.
    @Test func everyValueOfARepeatedKeyIsReadByBothReaders() throws {
        let s = try Self.schema()
        var buffer = RecordBuffer(fieldCount: s.fields.count)
        for bad in [#"{"id": "A", "severity": "hgh", "severity": "high"}"#,
                    #"{"id": "A", "severity": "high", "customer": 5, "customer": {"name": "Ann"}}"#] {
            #expect(Self.decode(bad, s).1 != nil, "\(bad)")
            #expect(s.read(try JSONValue.parse(bad).get(), into: &buffer) != nil, "\(bad)")
        }
        let good = #"{"id": "A", "severity": "low", "severity": "high", "customer": {"name": "A"}, "customer": {"name": "Ann"}}"#
        #expect(Self.decode(good, s).1 == nil)
        #expect(s.read(try JSONValue.parse(good).get(), into: &buffer) == nil)
        #expect(buffer.scalar(try Self.field(s, "severity")) == 2)
        #expect(buffer.textString(try Self.field(s, "customer.name")) == "Ann")
    }


    @Test func depthLimit() throws {
        let s = try Self.schema()
        // The record itself is level 1: 63 more levels are fine, 64 are not.
        let ok = #"{"id": "A", "severity": "low", "x": "# + String(repeating: "[", count: 63) + String(repeating: "]", count: 63) + "}"
        #expect(Self.decode(ok, s).1 == nil)
        let deep = #"{"id": "A", "x": "# + String(repeating: "[", count: 64) + String(repeating: "]", count: 64) + "}"
        #expect(Self.decode(deep, s).1 == "invalid JSON at line 1, column 81: the JSON is nested more than 64 levels deep")
        #expect(JSONValue.parse(String(repeating: "[", count: 65) + String(repeating: "]", count: 65)).failed)
        #expect(!JSONValue.parse(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)).failed)
    }

    @Test func syntaxErrors() throws {
        let s = try Self.schema()
        let cases: [(String, String)] = [
            (#"{"id": "A" "severity": "low"}"#, "line 1, column 12: expected `,` or `}` after a value, not `\"`"),
            (#"{"id": "A", }"#, "line 1, column 13: a trailing `,` before `}` is not allowed"),
            (#"{"id" "A"}"#, "line 1, column 7: expected `:` after a key, not `\"`"),
            (#"{id: "A"}"#, "line 1, column 2: expected a key in double quotes, not `i`"),
            (#"{'id': "A"}"#, "line 1, column 2: expected a key in double quotes, not `'`"),
            (#"{"id": "A"} x"#, "line 1, column 13: unexpected `x` after the end of the record"),
            ("{\"id\": \"A\",\n  \"severity\": tru }", "line 2, column 15: invalid literal; did you mean `true`?"),
            (#"{"id": "A""#, "line 1, column 11: the input ends early: expected `,` or `}`"),
            ("{\"id\": // c\n}", "line 1, column 8: expected a value, not `/`"),
        ]
        for (json, message) in cases {
            #expect(Self.decode(json, s).1 == "invalid JSON at " + message, "\(json)")
        }
    }

    // MARK: - Numbers

    @Test func numbers() throws {
        let s = try Self.schema()
        let amount = try Self.field(s, "amount")
        func value(_ text: String) -> Double? {
            let (r, error) = Self.decode(#"{"id": "A", "severity": "low", "amount": \#(text)}"#, s)
            return error == nil ? r.scalar(amount) : nil
        }
        let exact: [(String, Double)] = [
            ("0", 0), ("7", 7), ("-12", -12), ("3.25", 3.25), ("0.1", 0.1), ("1e3", 1000), ("1E+3", 1000),
            ("2.5e-3", 0.0025), ("12345678901234567", 12345678901234568), ("9007199254740993", 9007199254740992),
            ("0.30000000000000004", 0.30000000000000004), ("123456789012345678901234567890", 123456789012345677877719597056),
            ("1e22", 1e22), ("1e23", 1e23), ("4.9e-324", Double.leastNonzeroMagnitude), ("1.7976931348623157e308", 1.7976931348623157e308),
            ("2.2250738585072014e-308", 2.2250738585072014e-308), ("1e-400", 0), ("0.000001234", 0.000001234),
        ]
        for (text, expected) in exact {
            #expect(value(text) == expected, "\(text)")
            #expect(value(text) == Double(text), "\(text) agrees with Swift")
        }
        let negativeZero = try #require(value("-0"))
        #expect(negativeZero == 0 && negativeZero.sign == .minus)
        // Beyond a double's range: valid JSON; a number field refuses it,
        // a text field keeps its text, and a key no field reads is ignored.
        #expect(Self.decode(#"{"id": "A", "amount": 1e400}"#, s).1 == "`amount` should be number, not the number 1e400 (too large for a number)")
        #expect(Self.decode(#"{"id": "A", "amount": -1e400}"#, s).1 == "`amount` should be number, not the number -1e400 (too large for a number)")
        #expect(Self.decode(#"{"id": "A", "amount": "1e400"}"#, s).1 == "`amount` should be number, not `1e400` (too large for a number)")
        let (huge, hugeError) = Self.decode(#"{"id": 1e400, "other": -2e999, "severity": "low"}"#, s)
        #expect(hugeError == nil)
        #expect(huge.textString(try Self.field(s, "id")) == "1e400")
        for bad in ["01", "1.", ".5", "-", "+1", "1e", "1.5.2", "0x10", "Infinity", "1e+"] {
            #expect(value(bad) == nil, "\(bad)")
        }
        // A number read into a text field keeps its text.
        let (r, _) = Self.decode(#"{"id": 1.50e2, "severity": "low"}"#, s)
        #expect(r.textString(try Self.field(s, "id")) == "1.50e2")
        // A battery of decimal texts agrees with Swift's own parser.
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2_000 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let mantissa = seed >> 11
            let exponent = Int((seed >> 3) % 80) - 40
            let digits = String(mantissa)
            let text = String(digits.prefix(Int(seed % 19) + 1)) + "." + String(digits.suffix(3)) + "e\(exponent)"
            #expect(value(text) == Double(text), "\(text)")
        }
    }

    // MARK: - JSONValue

    @Test func jsonValueParseAndSerialize() throws {
        let text = #"{"b": [1, -0.5, 1e+21, true, null], "a": {"k": "q\"\n\u0001é😀"}, "b": -0}"#
        let value = try JSONValue.parse(text).get()
        guard case .object(let members) = value else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["b", "a", "b"])            // order and duplicates kept
        #expect(value["b"] == .number(0))
        #expect(value.serialized() == #"{"b":[1,-0.5,1e+21,true,null],"a":{"k":"q\"\n\u0001é😀"},"b":-0}"#)
        #expect(try JSONValue.parse(value.serialized()).get() == value)
        #expect(JSONValue.object([("a", .null), ("b", .null)]) != JSONValue.object([("b", .null), ("a", .null)]))
        #expect(JSONValue.string("\u{08}\u{0C}\t\r\\").serialized() == #""\b\f\t\r\\""#)

        let bytes = Array("{\n  \"a\": [1,\n   2,]\n}".utf8)
        guard case .failure(let error) = JSONValue.parse(bytes) else { Issue.record("parsed"); return }
        #expect(error.message == "a trailing `,` before `]` is not allowed")
        #expect(error.location(in: bytes).line == 3)
        #expect(error.location(in: bytes).column == 6)
        #expect(JSONValue.parse("[1] [2]").failed)
        #expect(JSONValue.parse("  \"x\"  ") == .success(.string("x")))
    }

    @Test func schemaReadsJSONValue() throws {
        let s = try Self.schema()
        var buffer = RecordBuffer(fieldCount: s.fields.count)
        let value = try JSONValue.parse(#"{"id": "A", "severity": "high", "customer": {"name": "Ann"}, "levels": ["low"], "repeat": 2}"#).get()
        #expect(s.read(value, into: &buffer) == nil)
        #expect(buffer.textString(try Self.field(s, "customer.name")) == "Ann")
        #expect(buffer.scalar(try Self.field(s, "repeat")) == 2)
        #expect(buffer.listScalars(try Self.field(s, "levels")) == [0])
        #expect(s.read(.array([]), into: &buffer)?.message == "a record must be a JSON object, not an array")
        #expect(s.read(try JSONValue.parse(#"{"id": "A", "severity": [1]}"#).get(), into: &buffer)?.message
                == "`severity` should be scale `severity`, not an array")
        #expect(s.read(try JSONValue.parse(#"{"id": "A"}"#).get(), into: &buffer)?.message == "missing required field `severity`")
    }

    /// A batch copies its records' bytes a run at a time; whatever the
    /// chunk and batch sizes, each record's bytes are its line's, and a
    /// record too large, skipped, takes no bytes.
    @Test func aBatchHoldsEachRecordsBytesWhateverTheChunks() {
        let lines = ["{\"a\": 1}", "", "{\"b\": 22}\r", "   ", String(repeating: "x", count: 50), "{}", "{\"c\": [1, 2]}"]
        let input = Array(lines.joined(separator: "\n").utf8)
        for chunk in [1, 2, 3, 5, 8, 13, 64] {
            for batchSize in [1, 2, 3, 7] {
                let stream = RecordStream(bytes: input, format: .jsonLines, chunkSize: chunk, maxRecordSize: 40)
                var bodies: [String] = []
                while let batch = stream.nextBatch(maxRecords: batchSize) {
                    for e in batch.records {
                        switch e.body {
                        case .bytes(let range): bodies.append("\(e.line):" + String(decoding: batch.bytes[range], as: UTF8.self))
                        case .failure: bodies.append("\(e.line):failed")
                        }
                    }
                }
                #expect(bodies == ["1:{\"a\": 1}", "3:{\"b\": 22}", "5:failed", "6:{}", "7:{\"c\": [1, 2]}"], "chunk \(chunk), batch \(batchSize)")
            }
        }
    }

    @Test func aSlotIsOneWordAndKeepsATextsRange() {
        #expect(MemoryLayout<RecordBuffer.Slot>.stride == 8)
        var buffer = RecordBuffer(fieldCount: 3)
        buffer.setText(0, Array("INC-7".utf8))
        buffer.setScalar(1, 2.5)
        buffer.setText(2, Array(repeating: UInt8(ascii: "x"), count: 70_000))
        #expect(buffer.textString(0) == "INC-7")
        #expect(buffer.scalar(1) == 2.5)
        #expect(buffer.text(2).count == 70_000)
        buffer.setText(0, [])
        #expect(buffer.isPresent(0) && buffer.text(0).isEmpty)
        // A missing field reads as 0; a NaN stored is a value, not missing.
        buffer.reset()
        #expect(!buffer.isPresent(1) && buffer.scalar(1) == 0)
        buffer.setScalar(1, Double(bitPattern: RecordBuffer.Slot.missing))
        #expect(buffer.isPresent(1) && buffer.scalar(1).isNaN)
        buffer.setScalar(1, -.nan)
        #expect(buffer.isPresent(1))
        buffer.markPresent(2)
        #expect(buffer.isPresent(2))
    }
}


private extension Result where Success == JSONValue, Failure == JSONSyntaxError {
    /// True for a parse error.
    var failed: Bool {
        if case .failure = self { return true }
        return false
    }
}

// MARK: - Streams

extension RecordReaderTests {
    @Test func formatDetection() {
        #expect(RecordFormat.from(path: "in/a.JSON") == .json)
        #expect(RecordFormat.from(path: "a.jsonl") == .jsonLines)
        #expect(RecordFormat.from(path: "a.NdJson") == .jsonLines)
        #expect(RecordFormat.from(path: "x/y.Csv") == .csv)
        #expect(RecordFormat.from(path: "a.txt") == nil)
        #expect(RecordFormat.from(path: "dir.json/records") == nil)
        #expect(RecordFormat.from(path: "-") == nil)
        #expect(RecordFormat.sniff(Array("  [{\"a\": 1}]".utf8)) == .json)
        #expect(RecordFormat.sniff(Array("{\"a\": \"}\\\"\", \"b\": [1]}\n{\"a\": 2}\n".utf8)) == .jsonLines)
        #expect(RecordFormat.sniff(Array("{\n  \"a\": 1\n}\n".utf8)) == .json)
        // A broken first line of JSON Lines (its object never closes) with a
        // record on the next line: still JSON Lines, so the records after it
        // are read; an object over lines that start with a key is JSON.
        #expect(RecordFormat.sniff(Array("{\"id\": \"1\",\n{\"id\": \"2\"}\n".utf8)) == .jsonLines)
        #expect(RecordFormat.sniff(Array("{\"id\": \"1\",\r\n{\"id\": \"2\"}\r\n".utf8)) == .jsonLines)
        #expect(RecordFormat.sniff(Array("{\"id\": \"1\",\n\"severity\": \"low\"}\n".utf8)) == .json)
        #expect(RecordFormat.sniff(Array("{\"id\": \"1\",\n".utf8)) == .json)
        #expect(RecordFormat.sniff(Array("{\"id\": \"1\",\n".utf8), atEnd: false) == nil)
        #expect(RecordFormat.sniff(Array("\u{FEFF}\r\n[]".utf8)) == .json)
        #expect(RecordFormat.sniff(Array("id,severity\nA,low\n".utf8)) == .csv)
        #expect(RecordFormat.sniff([UInt8]()) == .jsonLines)
        #expect(RecordFormat.sniff(Array("{\"a\": 1".utf8), atEnd: false) == nil)
        #expect(RecordStream(bytes: Array("\n\n{\"a\":\n1}".utf8)).format == .json)
        #expect(RecordStream(bytes: Array("id\nA\n".utf8)).format == .csv)
    }

    @Test func jsonLines() throws {
        let s = try Self.schema()
        let input = """
            {"id": "A", "severity": "low"}\r
            \r
               \t
            {"id": "B", "severity": "low"
            {"id": "C", "severity": "high"}
            [1]
            {"id": "D", "severity": "low"}
            """
        let expected = [
            "1@1 A",
            "2@4 error: invalid JSON at line 4, column 30: the input ends early: expected `,` or `}`",
            "3@5 C",
            "4@6 error: a record must be a JSON object, not an array",
            "5@7 D",
        ]
        #expect(Self.outcomes(input, s) == expected)
        #expect(Self.outcomes(input, s, format: .jsonLines) == expected)
        Self.expectChunkInvariant(input, s)
        #expect(Self.outcomes("", s, format: .jsonLines).isEmpty)
        #expect(Self.outcomes("\n\r\n  \n", s, format: .jsonLines).isEmpty)
    }

    @Test func jsonArrayRecovers() throws {
        let s = try Self.schema()
        let input = """
            [
              {"id": "A", "severity": "low"},
              {"id": "B", "severity": },
              {"id": "C", "note": "a ] and a , in a \\" string", "severity": "high"},
              5,
              {"id": "D", "severity": "low"}}, {"id": "E", "severity": "low"}
            ]
            """
        let expected = [
            "1@2 A",
            "2@3 error: invalid JSON at line 3, column 27: expected a value, not `}`",
            "3@4 C",
            "4@5 error: a record must be a JSON object, not a number",
            "5@6 error: invalid JSON at line 6, column 33: unexpected `}` after the end of the record",
            "6@6 E",
        ]
        #expect(Self.outcomes(input, s) == expected)
        Self.expectChunkInvariant(input, s)
        let a = #"{"id": "A", "severity": "low"}"#
        let b = #"{"id": "B", "severity": "low"}"#
        #expect(Self.outcomes("[\(a),,\(b),]", s) == [
            "1@1 A", "2@1 error: expected a value before `,`", "3@1 B",
            "4@1 error: expected a value after the last `,`, before `]`",
        ])
        #expect(Self.outcomes("[]  [\(a)]", s) == ["1@1 A"])
    }

    @Test func errorColumnsOfElementsOnOneLine() throws {
        let s = try Self.schema()
        let first = #"[{"id": "ééééé😀😀 long text past eight bytes", "severity": "low"}, "#
        let input = first + #"{"id": "B" "x": 1}]"#
        let column = first.unicodeScalars.count + 12
        #expect(Self.outcomes(input, s) == [
            "1@1 ééééé😀😀 long text past eight bytes",
            "2@1 error: invalid JSON at line 1, column \(column): expected `,` or `}` after a value, not `\"`",
        ])
        Self.expectChunkInvariant(input, s)
        Self.expectChunkInvariant("[\n" + input.dropFirst() + "\n", s)
    }

    @Test func stringsAtEveryOffset() throws {
        // The eight-byte fast paths must hand over to the byte loop at any
        // position of a special byte.
        let s = try Self.schema()
        let note = try Self.field(s, "note")
        for k in 0..<20 {
            let pad = String(repeating: "a", count: k)
            let (r, error) = Self.decode(#"{"id": "A", "severity": "low", "note": "\#(pad)\n\#(pad)é"}"#, s)
            #expect(error == nil)
            #expect(r.textString(note) == pad + "\n" + pad + "é")
            #expect(Self.decode("{\"id\": \"\(pad)\u{01}\"}", s).1 == "invalid JSON at line 1, column \(k + 9): a control character (U+0001) inside a string must be escaped")
            #expect(Self.outcomes("[{\"id\": \"\(pad)\\\"]\", \"severity\": \"low\"}]", s) == ["1@1 \(pad)\"]"])
        }
    }

    @Test func keysSharingAPrefix() throws {
        let s = try Self.schema("""
            record r:
              id: text
              abcdefgh_x: number?
              abcdefgh_y: number?
              abcdefgh: number?
            otherwise: follow up in 7 days
            """)
        let (r, error) = Self.decode(#"{"abcdefgh_y": 2, "id": "A", "abcdefgh": 3, "abcdefgh_x": 1, "abcdefgh_z": 9}"#, s)
        #expect(error == nil)
        #expect((1...3).map(r.scalar) == [1, 2, 3])
    }

    @Test func unterminatedArray() throws {
        let s = try Self.schema()
        let a = #"{"id": "A", "severity": "low"}"#
        #expect(Self.outcomes("[\(a),\n\(a)", s) == ["1@1 A", "2@2 A", "3@2 error: the input ends before the array is closed with `]`"])
        #expect(Self.outcomes("[\(a),\n", s) == ["1@1 A", "2@2 error: the input ends before the array is closed with `]`"])
        #expect(Self.outcomes("[\(a),\n  {\"id\": \"B\", \"sev", s)
                == ["1@1 A", "2@2 error: the input ends inside this record, before the array is closed with `]`"])
        Self.expectChunkInvariant("[\(a), {\"id\": \"B\", \"sev", s)
    }

    /// JSON strings hold no line ends: a string still open at the end of
    /// its line ends its record there (an error record), and the records
    /// after it are read, not taken into the string.
    @Test func aStringNotClosedEndsItsRecordWithItsLine() throws {
        let s = try Self.schema()
        let a = #"{"id": "A", "severity": "low"}"#
        let broken = #"{"id": "B, "severity": "low"}"#
        let array = "[\n\(a),\n\(broken),\n\(a)\n]\n"
        #expect(Self.outcomes(array, s) == [
            "1@2 A", "2@3 error: a string in this record is not closed before the end of line 3", "3@4 A",
        ])
        Self.expectChunkInvariant(array, s, format: .json)
        // Top-level objects, one after another; an escaped line end is no
        // way to continue a string either.
        let objects = "\(a)\n{\"id\": \"B\\\n\(a)\n"
        #expect(Self.outcomes(objects, s, format: .json) == [
            "1@1 A", "2@2 error: a string in this record is not closed before the end of line 2", "3@3 A",
        ])
        Self.expectChunkInvariant(objects, s, format: .json)
        // Over the size limit, it says both.
        let long = "[\n{\"id\": \"B\", \"note\": \"\(String(repeating: "x", count: 100))\n\(a)]"
        for chunk in [1, 7, 64, 1 << 20] {
            #expect(Self.outcomes(long, s, chunk: chunk, limit: 64) == [
                "1@2 error: record 1 is larger than 64 bytes (a string in it is not closed before its line ends)", "2@3 A",
            ], "chunk \(chunk)")
        }
    }

    @Test func jsonTopLevelObjects() throws {
        let s = try Self.schema()
        // One pretty-printed object; then several, as `jq` prints them.
        #expect(Self.outcomes("{\n  \"id\": \"A\",\n  \"severity\": \"low\"\n}\n", s) == ["1@1 A"])
        let several = "{\n \"id\": \"A\", \"severity\": \"low\"\n}\n{\n \"id\": \"B\",\n \"severity\": \"low\"}\n} 7 {\"id\": \"C\""
        #expect(Self.outcomes(several, s) == [
            "1@1 A", "2@4 B", "3@7 error: unexpected `}` where a record should start",
            "4@7 error: a record must be a JSON object, not a number",
            "5@7 error: invalid JSON at line 7, column 15: the input ends early: expected `,` or `}`",
        ])
        Self.expectChunkInvariant(several, s, format: .json)
    }

    @Test func recordsOverTheSizeLimit() throws {
        let s = try Self.schema()
        let small = #"{"id": "A", "severity": "low"}"#
        let big = #"{"id": "B", "severity": "low", "note": "\#(String(repeating: "x", count: 200))"}"#
        for chunk in [1, 7, 64, 1 << 20] {
            #expect(Self.outcomes("\(small)\n\(big)\n\(small)\n", s, chunk: chunk, limit: 64)
                    == ["1@1 A", "2@2 error: record 2 is larger than 64 bytes", "3@3 A"], "chunk \(chunk)")
            #expect(Self.outcomes("\(small)\n\(big)", s, chunk: chunk, limit: 64)
                    == ["1@1 A", "2@2 error: record 2 is larger than 64 bytes"], "chunk \(chunk)")
            #expect(Self.outcomes("[\(small),\n\(big)", s, chunk: chunk, limit: 64)
                    == ["1@1 A", "2@2 error: record 2 is larger than 64 bytes",
                        "3@2 error: the input ends before the array is closed with `]`"], "chunk \(chunk)")
            #expect(Self.outcomes("[\(small),\n\(big),\n\(small)]", s, chunk: chunk, limit: 64)
                    == ["1@1 A", "2@2 error: record 2 is larger than 64 bytes", "3@3 A"], "chunk \(chunk)")
            let csv = "id,severity,note\nA,low,\nB,low,\"\(String(repeating: "y\n", count: 50))\"\nC,low,x\nD,low,\"open\n" + String(repeating: "z", count: 100)
            let tail = Self.outcomes(csv, s, chunk: chunk, limit: 64)
            #expect(tail.count == 5)
            #expect(tail[1] == "2@3 error: record 2 is larger than 64 bytes")
            #expect(tail[2] == "3@54 C")
            // The quote is never closed: the record ends with its line and
            // the input is read again from the next (100 bytes of `z`).
            #expect(tail[3] == "4@55 error: record 4 is larger than 64 bytes (a quote in it is never closed; reading goes on at line 56)")
            #expect(tail[4] == "5@56 error: record 5 is larger than 64 bytes")
        }
        #expect(RecordStream.sizeText(1 << 20) == "1 MiB")
    }

    /// Found with the jsonl fuzz target: a blank line longer than the
    /// record size limit was an error record; blank lines are no records.
    @Test func aLongBlankLineIsNoRecord() throws {
        let s = try Self.schema()
        let small = #"{"id": "A", "severity": "low"}"#
        let blank = String(repeating: " \t", count: 100)
        for chunk in [1, 7, 64, 1 << 20] {
            #expect(Self.outcomes("\(small)\n\(blank)\r\n\(small)\n\(blank)", s, format: .jsonLines, chunk: chunk, limit: 64)
                    == ["1@1 A", "2@3 A"], "chunk \(chunk)")
            #expect(Self.outcomes("\(blank)x\n\(small)", s, format: .jsonLines, chunk: chunk, limit: 64)
                    == ["1@1 error: record 1 is larger than 64 bytes", "2@2 A"], "chunk \(chunk)")
        }
    }

    /// Found by the json fuzz target: an array element of exactly the
    /// limit, then a line end, was too large only when read in chunks.
    @Test func anElementAtTheLimitThenSpacesIsTheSameInChunks() throws {
        let s = try Self.schema()
        let element = #"{"id": "A", "severity": "low", "note": "\#(String(repeating: "x", count: 22))"}"#
        #expect(element.utf8.count == 64)
        for text in ["[\(element)\n]", "[\(element) ,\(element)]", "[\(element)]", "\(element)\n"] {
            let whole = Self.outcomes(text, s, chunk: 1 << 20, limit: 64)
            for chunk in [1, 2, 7, 63, 64, 65] {
                #expect(Self.outcomes(text, s, chunk: chunk, limit: 64) == whole, "chunk \(chunk): \(text)")
            }
        }
        #expect(Self.outcomes("[\(element)]", s, limit: 64) == ["1@1 A"])
    }

    /// A row with fewer cells than the header has the rest missing, so
    /// defaults apply; the CFPB export's last record is such a row, with no
    /// line end after it either.
    @Test func aShortLastRowHasItsMissingFieldsMissing() throws {
        let s = try Self.schema()
        let csv = "id,severity,tier,amount\r\nA,low,premium,5\r\nB,high"
        #expect(Self.outcomes(csv, s) == ["1@2 A", "2@3 B"])
        let stream = RecordStream(bytes: Array(csv.utf8), format: .csv)
        var decoder = stream.makeDecoder(for: s)
        var buffer = RecordBuffer(fieldCount: s.fields.count)
        let batch = try #require(stream.nextBatch(maxRecords: 10))
        #expect(decoder.decode(batch, 1, into: &buffer) == nil)
        #expect(buffer.scalar(try Self.field(s, "tier")) == 0, "the default, `basic`")
        #expect(!buffer.isPresent(try Self.field(s, "amount")))
        // A required field among the missing cells is an error for that row.
        #expect(Self.outcomes("id,tier,severity\nC,basic", s) == ["1@2 error: missing required field `severity`"])
    }

    /// A quote never closed does not take the rest of the input with it:
    /// its record ends with its line, in memory, in a file (read again
    /// from there), and through a pipe only when the record is within the
    /// limit (a pipe cannot be read again).
    @Test func anUnclosedQuoteEndsWithItsLine() throws {
        let s = try Self.schema(Self.csvPolicy)
        // Two quotes pair up across lines (CSV has it so); the third is
        // never closed.
        let csv = "id,severity,note\nA,low,x\nB,low,\"two\nlines\"\nQ,low,\"never closed\r\n"
            + String(repeating: "R,low,y\n", count: 20)
        let expected = ["1@2 A", "2@3 B",
                        "3@5 error: record 3 is larger than 64 bytes (a quote in it is never closed; reading goes on at line 6)"]
            + (0..<20).map { i in "\(4 + i)@\(6 + i) R" }
        for chunk in [1, 7, 64, 1 << 20] {
            #expect(Self.outcomes(csv, s, format: .csv, chunk: chunk, limit: 64) == expected, "chunk \(chunk)")
        }
        // A file, read through its descriptor, is read again the same way.
        let path = "/tmp/amends-unclosed-\(getpid()).csv"
        _ = FileSystem.writeAtomically(path, Array(csv.utf8))
        defer { unlink(path) }
        let fd = open(path, O_RDONLY)
        try #require(fd >= 0)
        let file = RecordStream(fileDescriptor: fd, name: path, format: .csv, owned: true, chunkSize: 7, maxRecordSize: 64)
        var count = 0
        while let b = file.nextBatch(maxRecords: 5) { count += b.count }
        #expect(count == expected.count)
        // A pipe cannot be read again: the rest of the input was that record.
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        let bytes = Array(csv.utf8)
        bytes.withUnsafeBytes { _ = write(fds[1], $0.baseAddress, $0.count) }
        close(fds[1])
        let piped = RecordStream(fileDescriptor: fds[0], name: "pipe", format: .csv, owned: true, chunkSize: 7, maxRecordSize: 64)
        var messages: [String] = []
        while let b = piped.nextBatch(maxRecords: 5) {
            for e in b.records { if case .failure(let m) = e.body { messages.append(m) } else { messages.append("record") } }
        }
        #expect(messages == ["record", "record", "record 3 is larger than 64 bytes (a quote in it is never closed, so the rest of the input was in it)"])
    }

    @Test func readErrorsEndTheStream() throws {
        let fd = open("/", O_RDONLY | O_DIRECTORY)
        try #require(fd >= 0)
        let stream = RecordStream(fileDescriptor: fd, name: "/", format: .jsonLines, owned: true)
        #expect(stream.nextBatch(maxRecords: 10)?.count == nil)
        #expect(stream.failure == "cannot read `/`: it is a directory")
        guard case .failure(let failure) = RecordStream.open("/no/such/file.jsonl") else { Issue.record("opened"); return }
        #expect(failure.description == "cannot read `/no/such/file.jsonl`: no such file or directory")
    }

    // MARK: - CSV

    static let csvPolicy = """
        scale severity: low < medium < high < critical
        record incident:
          missing ""
          id: text
          severity: severity
          note: text?
        when severity >= high: follow up in 3 days
        """

    @Test func csvQuotingAndLineEnds() throws {
        let s = try Self.schema(Self.csvPolicy)
        let input = "\u{FEFF}id, SEVERITY ,note\r\n"
            + "A,low,\"one, two\"\r\n"
            + "B,high,\"say \"\"hi\"\"\"\r"
            + "C,low,\"line1\r\nline2\nline3\"\n"
            + "\n"
            + "D,low\n"
            + "E,low,x,extra\n"
            + "F,low,\"abc\"def\n"
            + "H,low,plain \"quoted\" inside\r\n"
            + "I,low,\"never closed\nJ,low,x\n"
        let stream = RecordStream(bytes: Array(input.utf8))
        #expect(stream.format == .csv)
        #expect(stream.header == ["id", " SEVERITY ", "note"])
        #expect(stream.columnMap(for: s)?.warnings == [])
        #expect(Self.outcomes(input, s) == [
            "1@2 A", "2@3 B", "3@4 C", "4@8 D",
            "5@9 error: the row has 4 fields; the header has 3",
            "6@10 error: unexpected `d` after the closing quote of field 3 (`note`); inside a quoted field, write a quote as `\"\"`",
            "7@11 H",
            "8@12 error: the quote that opens field 3 (`note`) is never closed",
            "9@13 J",
        ])
        Self.expectChunkInvariant(input, s)
        // The cells themselves.
        var decoder = stream.makeDecoder(for: s)
        var buffer = RecordBuffer(fieldCount: s.fields.count)
        let batch = try #require(stream.nextBatch(maxRecords: 100))
        let note = try Self.field(s, "note")
        var notes: [String?] = []
        for i in 0..<batch.count {
            notes.append(decoder.decode(batch, i, into: &buffer) == nil ? (buffer.isPresent(note) ? buffer.textString(note) : nil) : "error")
        }
        #expect(notes == ["one, two", "say \"hi\"", "line1\r\nline2\nline3", nil, "error", "error", "plain \"quoted\" inside", "error", "x"])
    }

    @Test func csvColumnMatching() throws {
        let s = try Self.schema(Self.csvPolicy)
        let map = CSVColumnMap(header: ["Note", "ID", "severty"], schema: s)
        #expect(map.columns == [1, nil, 0])
        #expect(map.warnings == ["the input has no column `severity` for the required field `severity`; did you mean `severty`?"])
        #expect(Self.outcomes("Note,ID,severty\nx,A,low\n", s) == ["1@2 error: missing required field `severity`"])
        #expect(Self.outcomes("id,severity", s).isEmpty)
        #expect(Self.outcomes("id,severity\r\n\r\n", s).isEmpty)
        let exact = try Self.schema("record r:\n  id: text from \"Ticket\"\notherwise: follow up in 7 days\n")
        #expect(CSVColumnMap(header: ["ticket", "Ticket"], schema: exact).columns[0] == 1)
        #expect(CSVColumnMap(header: ["ticket "], schema: exact).columns[0] == 0)
    }

    @Test func cfpb2014Excerpt() throws {
        // Header and five rows of the CFPB's 2014 export: CRLF line ends,
        // quoted commas, U+0085 inside a quoted company name, and a last row
        // missing its trailing empty field (13 of 14).
        let path = String(#filePath).dropLast("RecordReaderTests.swift".count) + "fixtures/records/cfpb-2014-excerpt.csv"
        let bytes = try FileSystem.read(String(path)).get()
        let s = try Self.schema("""
            record complaint:
              missing ""
              id: text from "Complaint ID"
              product: text from "product"
              company: text from " company "
              received: time from "Date received" format "MM/dd/yyyy"
              zip: text? from "ZIP code"
              disputed: yes/no? from "Consumer disputed?"
            otherwise: follow up in 7 days
            """)
        #expect(Self.outcomes(bytes, s) == ["1@2 1114245", "2@3 1114488", "3@4 1114255", "4@5 1071785", "5@6 1066397"])
        for chunk in [1, 3, 100] { #expect(Self.outcomes(bytes, s, chunk: chunk).count == 5) }
        let stream = RecordStream(bytes: bytes, name: "excerpt.csv", format: .csv)
        #expect(stream.header?.count == 14)
        var decoder = stream.makeDecoder(for: s)
        var buffer = RecordBuffer(fieldCount: s.fields.count)
        let batch = try #require(stream.nextBatch(maxRecords: 10))
        #expect(decoder.decode(batch, 3, into: &buffer) == nil)
        let company = try Self.field(s, "company")
        #expect(Array(buffer.text(company)) == Array("Altisource Portfolio Solutions, S.\u{85} r.l.".utf8))
        #expect(buffer.textString(try Self.field(s, "zip")) == "07974")
        #expect(decoder.decode(batch, 4, into: &buffer) == nil)
        #expect(buffer.isPresent(try Self.field(s, "disputed")) == false)
        #expect(buffer.scalar(try Self.field(s, "received")) == Double(TimeTests.at(2014, 10, 10)))
    }

    /// A time that does not fit its declared format is an error that names
    /// the format, in CSV and in JSON.
    @Test func aTimeOutsideItsFormatNamesTheFormat() throws {
        let s = try Self.schema("""
            record r:
              id: text
              opened: time format "d/M/yyyy HH:mm"
            otherwise: follow up in 7 days
            """)
        let csv = Self.outcomes("id,opened\nA,5/3/2016 12:00\nB,31/2/2016 12:00\n", s)
        #expect(csv.first == "1@2 A")
        #expect(csv.last == #"2@3 error: `opened` is "31/2/2016 12:00", which is not a time in its format `d/M/yyyy HH:mm`"#, "\(csv)")
        let json = Self.outcomes(#"{"id": "C", "opened": "2016-03-05T12:00:00Z"}"# + "\n", s, format: .jsonLines)
        #expect(json == [#"1@1 error: `opened` is "2016-03-05T12:00:00Z", which is not a time in its format `d/M/yyyy HH:mm`"#], "\(json)")
    }

    // MARK: - Large input

    @Test func multiChunkInputFromAFile() throws {
        let s = try Self.schema()
        // About 4.5 MiB of JSON Lines: CRLF on some lines, blank lines, a
        // broken record every 5,000.
        var text = ""
        var expectedErrors = 0
        var records = 0
        for i in 0..<36_000 {
            if i % 5_000 == 4_999 {
                text += "{\"id\": \"INC-\(i)\", \"severity\": \n"
                expectedErrors += 1
            } else {
                text += #"{"id": "INC-\#(i)", "severity": "high", "tier": "premium", "amount": \#(i).5, "note": "\#(String(repeating: "n", count: i % 40))", "tags": ["a", "b"]}"#
                text += i % 3 == 0 ? "\r\n" : "\n"
            }
            records += 1
            if i % 1_000 == 0 { text += "\n" }
        }
        let bytes = Array(text.utf8)
        #expect(bytes.count > 3 << 20)
        // An independent count: lines holding anything but whitespace.
        let independent = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
            .filter { $0.contains { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 } }.count
        #expect(independent == records)

        let path = try Self.temporaryFile(bytes)
        defer { unlink(path) }
        let stream = try RecordStream.open(path).get()
        #expect(stream.format == .jsonLines)
        var decoder = stream.makeDecoder(for: s)
        var buffer = RecordBuffer(fieldCount: s.fields.count)
        var count = 0
        var errors = 0
        var lastID = ""
        var numbersInOrder = true
        while let batch = stream.nextBatch(maxRecords: 1_000) {
            for i in 0..<batch.count {
                count += 1
                numbersInOrder = numbersInOrder && batch.records[i].number == count
                if decoder.decode(batch, i, into: &buffer) != nil { errors += 1 } else { lastID = buffer.textString(0) }
            }
        }
        #expect(stream.failure == nil)
        #expect(count == records)
        #expect(errors == expectedErrors)
        #expect(numbersInOrder)
        #expect(lastID == "INC-35999")

        // The same records as one JSON array and as CSV.
        // The good lines end with `}` (or `}` and CR); broken ones with a space.
        let good = bytes.split(separator: 0x0A).filter { $0.last == 0x7D || $0.last == 0x0D }
        let array = "[" + good.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ",\n") + "]"
        let arrayPath = try Self.temporaryFile(Array(array.utf8))
        defer { unlink(arrayPath) }
        let arrayStream = try RecordStream.open(arrayPath, format: .json).get()
        var arrayCount = 0
        while let batch = arrayStream.nextBatch(maxRecords: 777) { arrayCount += batch.count }
        #expect(arrayCount == records - expectedErrors)

        var csv = "id,severity,note\n"
        for i in 0..<60_000 { csv += i % 7 == 0 ? "INC-\(i),low,\"two\r\nlines, \"\"quoted\"\"\"\r\n" : "INC-\(i),low,plain text here and long enough to make the file big\n" }
        #expect(csv.utf8.count > 3 << 20)
        let csvPath = try Self.temporaryFile(Array(csv.utf8))
        defer { unlink(csvPath) }
        let csvStream = try RecordStream.open(csvPath).get()
        #expect(csvStream.format == .csv)
        var csvDecoder = csvStream.makeDecoder(for: try Self.schema(Self.csvPolicy))
        var csvCount = 0
        var csvErrors = 0
        while let batch = csvStream.nextBatch(maxRecords: 1_000) {
            for i in 0..<batch.count where csvDecoder.decode(batch, i, into: &buffer) != nil { csvErrors += 1 }
            csvCount += batch.count
        }
        #expect(csvCount == 60_000)
        #expect(csvErrors == 0)
    }

    /// A temporary file holding `bytes`; the caller removes it.
    static func temporaryFile(_ bytes: [UInt8]) throws -> String {
        var template = Array("/tmp/amends-records-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { p in p.baseAddress.map { mkstemp($0) } ?? -1 }
        try #require(fd >= 0)
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { p in p.baseAddress.map { write(fd, $0 + offset, p.count - offset) } ?? -1 }
            try #require(n > 0)
            offset += n
        }
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// What Grammar.md §10 says of values, read the same way by the streaming
/// JSON decoder, the JSONValue path (examples, the library, explain) and,
/// where the record is text, CSV.
struct RecordValueRulesTests {
    typealias T = RecordReaderTests

    /// The error (or nil) and the decoded record, through both JSON paths,
    /// which must agree on the error.
    static func both(_ json: String, _ s: RecordSchema) -> (RecordBuffer, String?) {
        let streamed = T.decode(json, s)
        var buffer = RecordBuffer(fieldCount: s.fields.count)
        var tree: String?
        switch JSONValue.parse(json) {
        case .success(let value): tree = s.read(value, into: &buffer)?.message
        case .failure(let error): tree = "invalid JSON: \(error.message)"
        }
        #expect(streamed.1 == tree, "\(json): the two JSON paths disagree")
        return streamed
    }

    @Test func numberTextIsTheWholeText() throws {
        let s = try T.schema()
        let amount = try T.field(s, "amount")
        for (text, value) in [("5", 5.0), (" 5 ", 5), ("+2", 2), (".5", 0.5), ("5.", 5), ("1e3", 1000), ("\\t-1.5", -1.5)] {
            let (r, error) = Self.both(#"{"id": "A", "severity": "low", "amount": "\#(text)"}"#, s)
            #expect(error == nil, "\(text)")
            #expect(r.scalar(amount) == value, "\(text)")
        }
        for text in ["5 apples", "12 3", "1 2", "0x10", "inf", "nan", "1e", "--5", ".", "e3", "5,0"] {
            let (_, error) = Self.both(#"{"id": "A", "severity": "low", "amount": "\#(text)"}"#, s)
            #expect(error?.hasPrefix("`amount` should be number, not `\(text)`") == true, "\(text): \(error ?? "no error")")
        }
        #expect(Self.both(#"{"id": "A", "severity": "low", "amount": "12 3"}"#, s).1
                == "`amount` should be number, not `12 3` (a number followed by more text)")
        // In a list too.
        #expect(Self.both(#"{"id": "A", "severity": "low", "scores": ["1", "5 apples"]}"#, s).1
                == "`scores` should be list of number, not `5 apples` (a number followed by more text) in its list")
        // Long numeric text: the same on every spelling.
        let long = String(repeating: "0", count: 80) + "7"
        for text in [long, " " + long, "+" + long] {
            let (r, error) = Self.both(#"{"id": "A", "severity": "low", "amount": "\#(text)"}"#, s)
            #expect(error == nil && r.scalar(amount) == 7, "\(text)")
        }
    }

    @Test func emptyJSONStringIsAValue() throws {
        let s = try T.schema()
        for field in ["amount", "severity", "urgent", "reported", "wait", "tier"] {
            let json = field == "severity" ? #"{"id": "A", "severity": ""}"# : #"{"id": "A", "severity": "low", "\#(field)": ""}"#
            let (_, error) = Self.both(json, s)
            #expect(error?.hasPrefix("`\(field)` should be") == true, "\(field): \(error ?? "no error")")
            #expect(error?.contains("not an empty text; write `null` for no value") == true, "\(field)")
        }
        // A text field's empty text is a value.
        let (r, error) = Self.both(#"{"id": "A", "severity": "low", "note": ""}"#, s)
        let note = try T.field(s, "note")
        #expect(error == nil && r.isPresent(note))
        // With `missing ""`, an empty string is no value for every type.
        let lenient = try T.schema(T.policy.split(separator: "\n", omittingEmptySubsequences: false)
            .flatMap { $0 == "record incident:" ? [$0, "  missing \"\""] : [$0] }.joined(separator: "\n"))
        for field in ["amount", "urgent", "reported", "wait", "note", "tags"] {
            let (r, error) = Self.both(#"{"id": "A", "severity": "low", "\#(field)": ""}"#, lenient)
            #expect(error == nil, "\(field): \(error ?? "")")
            let f = try T.field(lenient, field)
            #expect(!r.isPresent(f), "\(field)")
        }
        // CSV: an empty cell, quoted or not, is no value.
        let csv = Array("id,severity,amount,note\nA,low,,\"\"\nB,low,\"\",\n".utf8)
        #expect(T.outcomes(csv, s, format: .csv) == ["1@2 A", "2@3 B"])
    }

    @Test func aJSONStringIsNotAList() throws {
        let s = try T.schema()
        #expect(Self.both(#"{"id": "A", "severity": "low", "tags": "a,b"}"#, s).1
                == #"`tags` should be list of text, not the text "a,b"; in JSON a list is an array, such as `["a", "b"]`"#)
        let levels = Self.both(#"{"id": "A", "severity": "low", "levels": "high"}"#, s).1
        #expect(levels?.hasPrefix("`levels` should be list of scale `severity`, not the text \"high\"") == true, "\(levels ?? "")")
        // In CSV, a cell holds items separated by commas, spaces around them ignored.
        let csv = Array("id,severity,tags,levels,scores\nA,low,\"a, b\",\" high ,low\",\" 1, 2.5 \"\n".utf8)
        #expect(T.outcomes(csv, s, format: .csv) == ["1@2 A"])
    }

    @Test func aRepeatedObjectKeyReplacesTheOneBefore() throws {
        let s = try T.schema()
        let name = try T.field(s, "customer.name")
        let city = try T.field(s, "customer.address.city")
        let (a, _) = Self.both(#"{"id": "A", "severity": "low", "customer": {"name": "x"}, "customer": null}"#, s)
        #expect(!a.isPresent(name))
        let (b, _) = Self.both(#"{"id": "A", "severity": "low", "customer": {"name": "x", "address": {"city": "Leeds"}}, "customer": {"address": {}}}"#, s)
        #expect(!b.isPresent(name) && !b.isPresent(city))
        let (c, _) = Self.both(#"{"id": "A", "severity": "low", "customer": {"name": "x"}, "customer": {"name": "y"}}"#, s)
        #expect(c.textString(name) == "y")
        // Each must still hold a value its fields accept.
        #expect(T.decode(#"{"id": "A", "severity": "low", "customer": 5, "customer": {"name": "y"}}"#, s).1
                == "`customer` should be an object holding `name`, `address.city`, not a number")
    }

    @Test func spacesAroundAValueAreIgnoredButForText() throws {
        let s = try T.schema()
        let (r, error) = Self.both(#"{"id": " A ", "severity": " high ", "urgent": " yes", "reported": " 2026-03-02T09:00:00Z ", "wait": " PT2H ", "tier": "premium "}"#, s)
        #expect(error == nil, "\(error ?? "")")
        let (id, severity, urgent, wait, tier) = (try T.field(s, "id"), try T.field(s, "severity"), try T.field(s, "urgent"),
                                                 try T.field(s, "wait"), try T.field(s, "tier"))
        #expect(r.textString(id) == " A ")
        #expect(r.scalar(severity) == 2)
        #expect(r.scalar(urgent) == 1)
        #expect(r.scalar(wait) == 7_200)
        #expect(r.scalar(tier) == 1)
    }

    @Test func aDayThatDoesNotExistSaysSo() throws {
        let s = try T.schema()
        #expect(Self.both(#"{"id": "A", "severity": "low", "reported": "2026-02-30"}"#, s).1
                == "`reported` is \"2026-02-30\", which is not a date that exists: February 2026 has 28 days")
        #expect(Self.both(#"{"id": "A", "severity": "low", "reported": "2028-02-30T10:00:00Z"}"#, s).1
                == "`reported` is \"2028-02-30T10:00:00Z\", which is not a date that exists: February 2028 has 29 days")
        #expect(Self.both(#"{"id": "A", "severity": "low", "reported": "2026-13-01"}"#, s).1?.contains("there is no month 13") == true)
        #expect(Self.both(#"{"id": "A", "severity": "low", "reported": "2026-03-01T24:00"}"#, s).1?.contains("hours go from 00 to 23") == true)
        // A leap second reads as 59.
        let (r, error) = Self.both(#"{"id": "A", "severity": "low", "reported": "2026-03-02T09:00:60Z"}"#, s)
        let reported = try T.field(s, "reported")
        #expect(error == nil && r.scalar(reported) == Double(ISOTime.parseLocalOrUTC(Array("2026-03-02T09:00:59Z".utf8))?.seconds ?? 0))
    }
}

/// The record size limit (Grammar.md §12) counts a record's own bytes.
struct RecordSizeLimitTests {
    typealias T = RecordReaderTests

    /// A record of exactly `size` bytes: `{"id":"A","severity":"low","note":"xx…"}`.
    static func record(_ id: String, size: Int) -> String {
        let head = #"{"id":"\#(id)","severity":"low","note":""#
        return head + String(repeating: "x", count: max(0, size - head.utf8.count - 2)) + #""}"#
    }

    @Test func aJSONLinesLineOfExactlyTheLimitIsARecord() throws {
        let s = try T.schema()
        let a = Self.record("A", size: 64), b = Self.record("B", size: 65)
        #expect(a.utf8.count == 64 && b.utf8.count == 65)
        for end in ["\n", "\r\n"] {
            for chunk in [1, 7, 63, 64, 65, 66, 1 << 16] {
                #expect(T.outcomes(a + end + b + end + a + end, s, format: .jsonLines, chunk: chunk, limit: 64)
                        == ["1@1 A", "2@2 error: record 2 is larger than 64 bytes", "3@3 A"],
                        "line end \(end.debugDescription), chunk \(chunk)")
            }
        }
    }

    @Test func spacesBetweenArrayElementsBelongToNoRecord() throws {
        let s = try T.schema()
        let a = Self.record("A", size: 64)
        let gap = String(repeating: " ", count: 60)
        for chunk in [1, 7, 64, 65, 1 << 16] {
            #expect(T.outcomes("[" + gap + a + gap + "," + gap + "\n" + gap + a + gap + "]", s, format: .json, chunk: chunk, limit: 64)
                    == ["1@1 A", "2@2 A"], "chunk \(chunk)")
        }
    }
}

/// Bad records whose error says what the person meant (issue 21).
struct RecordHintTests {
    typealias T = RecordReaderTests

    @Test func aKeyInAnotherLetterCaseIsNamed() throws {
        let s = try T.schema()
        let both = RecordValueRulesTests.both(#"{"id": "A", "Severity": "low"}"#, s).1
        #expect(both == "missing required field `severity`; the record has `Severity`, but keys are matched exactly, letter case too: "
                + "write `severity`, or read it with `from \"Severity\"`")
        // Nested too; and a key that is simply absent says only that.
        let nested = try T.schema(T.policy.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0 == "  customer.name: text?" ? "  customer.name: text" : $0 }.joined(separator: "\n"))
        #expect(RecordValueRulesTests.both(#"{"id": "A", "severity": "low", "customer": {"Name": "Ada"}}"#, nested).1?
                .contains("the record has `customer.Name`") == true)
        #expect(RecordValueRulesTests.both(#"{"id": "A"}"#, s).1 == "missing required field `severity`")
    }

    @Test func aDateWithSlashesSuggestsTheFormat() throws {
        let s = try T.schema()
        func error(_ text: String) -> String? { RecordValueRulesTests.both(#"{"id": "A", "severity": "low", "reported": "\#(text)"}"#, s).1 }
        #expect(error("25/12/2026")?.hasSuffix("give the field `format \"d/M/yyyy\"`") == true)
        #expect(error("12/25/2026 14:30")?.hasSuffix("give the field `format \"M/d/yyyy H:mm\"`") == true)
        #expect(error("03.04.26")?.hasSuffix("`format \"d.M.yy\"` (day first) or `format \"M.d.yy\"` (month first)") == true)
        #expect(error("yesterday") == "`reported` is \"yesterday\", which is not an ISO 8601 time such as 2026-03-02T09:00:00Z")
    }

    @Test func aSemicolonSeparatedFileIsNamed() throws {
        let s = try T.schema()
        let map = CSVColumnMap(header: ["id;severity;amount"], schema: s)
        #expect(map.warnings == ["the header is one column, `id;severity;amount`: this file separates its columns with `;`, "
                                 + "but CSV (RFC 4180) separates them with commas; save it again with commas "
                                 + "(in a spreadsheet: \"CSV UTF-8 (comma delimited)\")"])
        #expect(CSVColumnMap(header: ["id\tseverity"], schema: s).warnings.first?.contains("separates its columns with tabs") == true)
        // A real one-column file that lacks a field is still named field by field.
        #expect(CSVColumnMap(header: ["id"], schema: s).warnings == ["the input has no column `severity` for the required field `severity`"])
    }
}
