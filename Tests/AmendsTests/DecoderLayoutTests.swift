// The JSON record decoder learns the layout of the records it reads and reads
// records laid out alike by matching it (`Layout`). These tests check that a
// decoder that has learned layouts gives exactly what a fresh one does, record
// by record, on records that match, nearly match and do not match.
import Testing
@testable import Amends

@Suite("Decoder layouts")
struct DecoderLayoutTests {
    static let policy = """
    scale severity: low < medium < high < critical
    record incident:
      id: text
      severity: severity
      amount: number?
      tags: list of text?
      customer.name: text?
      reported: time?
    roles: a
    when severity >= high: notify a

    """

    static let records = [
        #"{"id": "A", "severity": "high", "amount": 5, "reported": "2026-03-02T09:00:00Z"}"#,
        #"{"id": "B", "severity": "low", "amount": 7.5, "reported": "2026-03-02T10:00:00Z"}"#,
        // The same layout, a bad level, then a bad time.
        #"{"id": "C", "severity": "hgh", "amount": 1, "reported": "2026-03-02T10:00:00Z"}"#,
        #"{"id": "D", "severity": "low", "amount": 1, "reported": "tomorrow"}"#,
        // The same keys, other spacing; other order; a key fewer; one more.
        #"{"id":"E","severity":"medium","amount":2,"reported":"2026-03-02T11:00:00Z"}"#,
        #"{"severity": "critical", "id": "F", "amount": 3, "reported": "2026-03-02T12:00:00Z"}"#,
        #"{"id": "G", "severity": "high", "reported": "2026-03-02T09:00:00Z"}"#,
        #"{"id": "H", "severity": "high", "amount": 5, "reported": "2026-03-02T09:00:00Z", "extra": [1, {"x": null}]}"#,
        // Lists, nested objects, null, a repeated key, an escaped key.
        #"{"id": "I", "severity": "low", "tags": ["a", "b"], "customer": {"name": "Ann"}, "amount": null}"#,
        #"{"id": "J", "severity": "low", "tags": ["c"], "customer": {"name": "Bo"}, "amount": null}"#,
        #"{"id": "K", "severity": "low", "severity": "high"}"#,
        #"{"id": "L", "sev\u0065rity": "high"}"#,
        #"{"id": "L2", "sev\u0065rity": "low"}"#,
        // Broken in a value, after the learned keys matched; broken at the end.
        #"{"id": "M", "severity": "high", "amount": 5x, "reported": "2026-03-02T09:00:00Z"}"#,
        #"{"id": "N", "severity": "high", "amount": 5, "reported": "2026-03-02T09:00:00Z"} x"#,
        #"{"id": "O", "severity": "high", "amount": 5, "reported": "2026-03-02T09:00:00Z""#,
        // Missing a required field; an empty object; not an object.
        #"{"id": "P", "amount": 5, "reported": "2026-03-02T09:00:00Z"}"#,
        "{}",
        "[1, 2]",
        #"{"id": "Q", "severity": "high", "amount": 5, "reported": "2026-03-02T09:00:00Z"}"#,
    ]

    /// A buffer and an error message, as one comparable value.
    static func describe(_ r: RecordBuffer, _ error: FieldError?) -> String {
        if let error { return "error: " + error.message }
        var parts: [String] = []
        for f in 0..<r.fieldCount where r.isPresent(f) {
            parts.append("\(f)=\(r.scalar(f))/\(r.textString(f))/\(r.listTexts(f).map { String(decoding: r.textBytes[$0], as: UTF8.self) })")
        }
        return parts.joined(separator: " ")
    }

    @Test func aDecoderThatLearnsGivesWhatAFreshOneGives() throws {
        let program = try Fixtures.program(Self.policy)
        var learned = JSONRecordDecoder(schema: program.schema)
        var buffer = RecordBuffer(fieldCount: program.schema.fields.count)
        // Twice through, so that every record is also read after itself.
        for text in Self.records + Self.records {
            let bytes = Array(text.utf8)
            let gotError = learned.decode(bytes, into: &buffer)
            let got = Self.describe(buffer, gotError)
            var fresh = JSONRecordDecoder(schema: program.schema)
            var expectedBuffer = RecordBuffer(fieldCount: program.schema.fields.count)
            let expectedError = fresh.decode(bytes, into: &expectedBuffer)
            let expected = Self.describe(expectedBuffer, expectedError)
            #expect(got == expected, "\(text)")
        }
    }

    @Test func aLayoutIsLearnedAndUsed() throws {
        let program = try Fixtures.program(Self.policy)
        var decoder = JSONRecordDecoder(schema: program.schema)
        var buffer = RecordBuffer(fieldCount: program.schema.fields.count)
        _ = decoder.decode(Array(Self.records[0].utf8), into: &buffer)
        #expect(decoder.layout.usable)
        #expect(decoder.layout.segments.count == 4)
        #expect(String(decoding: decoder.layout.bytes, as: UTF8.self) == #""id": , "severity": , "amount": , "reported": "#)
        // A record laid out alike is read by the layout, and keeps it.
        var st = ReadState(scratch: [], guess: -1)
        buffer.reset()
        let result = Array(Self.records[1].utf8).withUnsafeBufferPointer { decoder.readLaidOut($0, &buffer, &st) }
        #expect(result != nil)
        // One laid out otherwise is not (and teaches the decoder its own).
        let other = Array(Self.records[4].utf8)
        #expect(other.withUnsafeBufferPointer { decoder.readLaidOut($0, &buffer, &st) } == nil)
        _ = decoder.decode(other, into: &buffer)
        #expect(String(decoding: decoder.layout.bytes, as: UTF8.self) == #""id":,"severity":,"amount":,"reported":"#)
    }

    @Test func aBrokenRecordTeachesNothing() throws {
        let program = try Fixtures.program(Self.policy)
        var decoder = JSONRecordDecoder(schema: program.schema)
        var buffer = RecordBuffer(fieldCount: program.schema.fields.count)
        _ = decoder.decode(Array(Self.records[15].utf8), into: &buffer)
        #expect(!decoder.layout.usable)
        _ = decoder.decode(Array(Self.records[16].utf8), into: &buffer) // missing a field: the layout is fine
        #expect(decoder.layout.usable)
    }
}
