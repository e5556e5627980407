#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Formats

/// A RecordFormat is how an input holds its records.
public enum RecordFormat: String, Sendable, CaseIterable {
    /// One JSON object, an array of objects, or several top-level values.
    case json
    /// One JSON object per line (`.jsonl`, `.ndjson`).
    case jsonLines
    /// A header row, then one record per row.
    case csv

    /// The format a file name's extension says (case-insensitive):
    /// `.json`, `.jsonl`, `.ndjson`, `.csv`; nil for anything else.
    package static func from(path: String) -> RecordFormat? {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        switch path[path.index(after: dot)...].lowercased() {
        case "json": return .json
        case "jsonl", "ndjson": return .jsonLines
        case "csv": return .csv
        default: return nil
        }
    }

    /// The format named on a command line: `json`, `jsonl`, `ndjson`,
    /// `jsonlines` or `csv`.
    public init?(name: String) {
        switch name.lowercased() {
        case "json": self = .json
        case "jsonl", "ndjson", "jsonlines": self = .jsonLines
        case "csv": self = .csv
        default: return nil
        }
    }

    /// The format of input whose name says nothing (stdin), from its first
    /// bytes (a byte order mark and whitespace skipped):
    /// - `[` → `json` (an array of records);
    /// - `{` → `jsonLines` when the first object ends on the first line,
    ///   or is still open there and the next line starts with `{` (a
    ///   broken first record: the records after it are still read); else
    ///   `json` (one pretty-printed object, or several, as `jq` prints
    ///   them);
    /// - nothing at all → `jsonLines` (no records either way);
    /// - anything else → `csv` (its header row).
    package static func sniff<C: Collection>(_ bytes: C) -> RecordFormat where C.Element == UInt8 {
        sniff(bytes, atEnd: true) ?? .jsonLines
    }

    /// As `sniff(_:)`, on the start of an input; nil when more bytes are
    /// needed to decide (and `atEnd` is false).
    static func sniff<C: Collection>(_ bytes: C, atEnd: Bool) -> RecordFormat? where C.Element == UInt8 {
        var i = bytes.startIndex
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        if bytes.starts(with: bom) {
            i = bytes.index(i, offsetBy: 3)
        } else if !atEnd && bytes.count < 3 && bom.starts(with: bytes) {
            return nil
        }
        while i != bytes.endIndex, [0x20, 0x09, 0x0D, 0x0A].contains(bytes[i]) { i = bytes.index(after: i) }
        guard i != bytes.endIndex else { return atEnd ? .jsonLines : nil }
        switch bytes[i] {
        case UInt8(ascii: "["): return .json
        case UInt8(ascii: "{"):
            // Does the first object close before the first line ends?
            var depth = 0
            var inString = false
            var escaped = false
            while i != bytes.endIndex {
                let c = bytes[i]
                i = bytes.index(after: i)
                if inString {
                    if escaped { escaped = false } else if c == 0x5C { escaped = true } else if c == 0x22 { inString = false }
                    continue
                }
                switch c {
                case 0x0A:
                    // A line that starts with `{` at its first column while
                    // the first object is still open: the first line was a
                    // broken record of JSON Lines, not the start of one
                    // pretty-printed object (whose lines are indented, or
                    // start with a key or its closing `}`).
                    guard i != bytes.endIndex else { return atEnd ? .json : nil }
                    return bytes[i] == UInt8(ascii: "{") ? .jsonLines : .json
                case 0x22: inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth <= 0 { return .jsonLines }
                default: break
                }
            }
            return atEnd ? .jsonLines : nil
        default: return .csv
        }
    }
}

// MARK: - Batches

/// A RecordBatch is a run of consecutive records cut from an input, with
/// their bytes: self-contained and `Sendable`, so it can be decoded on any
/// thread (with a `RecordDecoder` per thread) while the reader goes on.
package struct RecordBatch: Sendable {
    /// A record's content: its bytes, or why it has none.
    package enum Body: Sendable, Equatable {
        case bytes(Range<Int>)
        case failure(String)
    }

    /// An Entry is one record of the batch.
    package struct Entry: Sendable, Equatable {
        /// 1-based, counting every record of the input (failed ones too).
        package var number: Int
        /// The line the record starts on in the input.
        package var line: Int
        /// The column of its first byte on that line (1 except for the
        /// elements of a JSON array written several to a line).
        package var column: Int
        package var body: Body
    }

    package let format: RecordFormat
    /// The records' bytes, back to back.
    package internal(set) var bytes: [UInt8] = []
    package internal(set) var records: [Entry] = []

    package var count: Int { records.count }
    package var isEmpty: Bool { records.isEmpty }

    init(format: RecordFormat) {
        self.format = format
    }

    /// The bytes of record `index` of the batch (nil for a failure).
    package func recordBytes(_ index: Int) -> ArraySlice<UInt8>? {
        guard records.indices.contains(index), case .bytes(let range) = records[index].body,
              range.lowerBound >= 0, range.upperBound <= bytes.count else { return nil }
        return bytes[range]
    }
}

// MARK: - Decoding batches

/// A RecordDecoder turns the records of batches into `RecordBuffer`s: a
/// JSON decoder or a CSV row decoder with its column map, and their scratch
/// storage. Give each thread its own (it is a value; `decode` is `mutating`
/// because the scratch storage is reused).
package struct RecordDecoder: Sendable {
    package let format: RecordFormat
    var json: JSONRecordDecoder
    var csv: CSVRowDecoder?

    package init(schema: RecordSchema, format: RecordFormat, columnMap: CSVColumnMap?) {
        self.format = format
        json = JSONRecordDecoder(schema: schema)
        csv = format == .csv ? CSVRowDecoder(schema: schema, map: columnMap ?? CSVColumnMap(header: [], schema: schema)) : nil
    }

    /// Decodes record `index` of `batch` into `buffer` (reset first).
    package mutating func decode(_ batch: RecordBatch, _ index: Int, into buffer: inout RecordBuffer) -> FieldError? {
        guard batch.records.indices.contains(index) else {
            buffer.reset()
            return .structure("the batch has no record \(index)")
        }
        let entry = batch.records[index]
        switch entry.body {
        case .failure(let message):
            buffer.reset()
            return .structure(message)
        case .bytes(let range):
            guard range.lowerBound >= 0, range.upperBound <= batch.bytes.count else {
                buffer.reset()
                return .structure("the batch has no bytes for record \(entry.number)")
            }
            return batch.bytes.withUnsafeBufferPointer { all in
                let bytes = UnsafeBufferPointer(rebasing: all[range])
                if batch.format == .csv {
                    guard csv != nil else {
                        buffer.reset()
                        return .structure("a CSV record needs a decoder made for CSV")
                    }
                    return csv?.decode(bytes, into: &buffer)
                }
                return json.decode(bytes, into: &buffer, firstLine: entry.line, firstColumn: entry.column)
            }
        }
    }
}
