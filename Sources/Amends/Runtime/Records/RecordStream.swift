#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A RecordStream reads records from a file, stdin or bytes in memory, in
/// constant memory, and hands them out in `RecordBatch`es in input order.
///
/// Input is read in chunks (`defaultChunkSize`, 1 MiB); the stream holds at
/// most one chunk plus one unfinished record. A record larger than
/// `defaultMaxRecordSize` (1 MiB) becomes an error record ("record 7 is
/// larger than 1 MiB") and is skipped to its end without being held. A CSV
/// quote never closed ends its record at the line end after it (see
/// `CSVFramer`); when that record was over the limit, its bytes are gone,
/// and the stream reads the input again from there if it can seek (a
/// file; at most `maxRereads` times), else the rest of the input was that
/// record. A read error (EIO …) ends the stream: `failure` says why; EINTR
/// is retried.
///
/// The format is given, or follows the file name (`RecordFormat.from`), or
/// is sniffed from the first bytes (`RecordFormat.sniff`). A UTF-8 byte
/// order mark at the start is skipped. For CSV the header row is read when
/// the stream opens (`header`); records are then numbered from the first
/// row after it.
///
/// A stream is read by one thread (it is not `Sendable`); its batches are
/// `Sendable` and can be decoded anywhere.
public final class RecordStream {
    /// How much is read from the input at a time.
    public static let defaultChunkSize = 1 << 20
    /// The largest record (a line, a JSON value, a CSV row) accepted.
    public static let defaultMaxRecordSize = 1 << 20
    /// A batch stops growing once its records hold this many bytes.
    package static let maxBatchBytes = 8 << 20
    /// How often an input is read again after an unclosed CSV quote (each
    /// time after at least a record's limit of bytes): a bound on the work.
    package static let maxRereads = 100

    enum Source {
        case descriptor(Int32, owned: Bool)
        case memory([UInt8], offset: Int)
    }

    /// The path, `stdin` or `<memory>`: for messages.
    public let name: String
    package private(set) var format: RecordFormat
    /// The CSV header row (nil for JSON, or for an empty CSV input).
    package private(set) var header: [String]?
    /// Why reading stopped early (a read error), if it did.
    package private(set) var failure: String?
    /// Records handed out so far.
    @exclusivity(unchecked) package private(set) var recordCount = 0

    // The stream is used by one thread at a time (it is not `Sendable`),
    // so its state needs no run-time exclusivity checks.
    @exclusivity(unchecked) var source: Source
    let chunkSize: Int
    let maxRecordSize: Int
    /// Input bytes, the stream's own allocation (made without zeroing, and
    /// touched with no reference counting); `buffer[0..<count]` are valid.
    @exclusivity(unchecked) var buffer: UnsafeMutableBufferPointer<UInt8>
    @exclusivity(unchecked) var count = 0
    @exclusivity(unchecked) var atEnd = false
    @exclusivity(unchecked) var finished = false
    /// The framer of `format` (the others stay unused).
    @exclusivity(unchecked) var linesFramer = JSONLinesFramer()
    @exclusivity(unchecked) var jsonFramer = JSONFramer()
    @exclusivity(unchecked) var csvFramer = CSVFramer()
    /// Where the descriptor was when the stream opened (-1: it cannot seek).
    @exclusivity(unchecked) var startOffset: Int = -1
    @exclusivity(unchecked) var rereads = 0

    // MARK: - Opening

    /// Opens a path, or stdin for `-`.
    public static func open(_ path: String, format: RecordFormat? = nil) -> Result<RecordStream, FileSystem.Failure> {
        if path == "-" {
            return .success(RecordStream(fileDescriptor: 0, name: "stdin", format: format, owned: false))
        }
        let fd = openForReading(path)
        if fd < 0 { return .failure(FileSystem.Failure(path: path, reason: FileSystem.errnoText())) }
        var st = stat()
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            return .failure(FileSystem.Failure(path: path, reason: "it is a directory"))
        }
        return .success(RecordStream(fileDescriptor: fd, name: path, format: format ?? RecordFormat.from(path: path), owned: true))
    }

    /// Reads an open descriptor (closed at the end when `owned`).
    public init(fileDescriptor: Int32, name: String, format: RecordFormat? = nil, owned: Bool = false,
                chunkSize: Int = RecordStream.defaultChunkSize, maxRecordSize: Int = RecordStream.defaultMaxRecordSize) {
        self.name = name
        source = .descriptor(fileDescriptor, owned: owned)
        startOffset = Int(lseek(fileDescriptor, 0, SEEK_CUR))
        self.chunkSize = max(1, chunkSize)
        self.maxRecordSize = max(1, maxRecordSize)
        buffer = .allocate(capacity: self.chunkSize + self.maxRecordSize + 1)
        self.format = format ?? .jsonLines
        prepare(detect: format == nil)
    }

    /// Reads bytes in memory (the REPL, tests), chunk by chunk as a file.
    public init(bytes: [UInt8], name: String = "<memory>", format: RecordFormat? = nil,
                chunkSize: Int = RecordStream.defaultChunkSize, maxRecordSize: Int = RecordStream.defaultMaxRecordSize) {
        self.name = name
        source = .memory(bytes, offset: 0)
        self.chunkSize = max(1, chunkSize)
        self.maxRecordSize = max(1, maxRecordSize)
        buffer = .allocate(capacity: self.chunkSize + self.maxRecordSize + 1)
        self.format = format ?? .jsonLines
        prepare(detect: format == nil)
    }

    deinit {
        if case .descriptor(let fd, owned: true) = source { close(fd) }
        buffer.deallocate()
    }

    /// The valid bytes, `buffer[0..<count]`.
    var valid: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: buffer[0..<count]) }

    /// Reads enough to skip a byte order mark and, when asked, sniff the
    /// format; then sets up framing and, for CSV, reads the header.
    func prepare(detect: Bool) {
        while !atEnd && count < 3 { fill() }
        if detect {
            while true {
                if let decided = RecordFormat.sniff(valid, atEnd: atEnd || count >= maxRecordSize) {
                    format = decided
                    break
                }
                fill()
            }
        }
        let bom = count >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF ? 3 : 0
        linesFramer.pos = bom
        linesFramer.searched = bom
        jsonFramer.pos = bom
        csvFramer.pos = bom
        if format == .csv { readHeader() }
    }

    func readHeader() {
        switch nextFrame() {
        case .record(let start, let end, _, _):
            header = CSVCellScanner.texts(UnsafeBufferPointer(rebasing: buffer[start..<end]))
        case .tooLarge, .reread:
            failure = "the header row of `\(name)` is larger than \(RecordStream.sizeText(maxRecordSize))"
            finished = true
        case .failure(let message, _):
            failure = message
            finished = true
        case .more, .end:
            header = nil
        }
    }

    // MARK: - Batches

    /// The next records, at most `maxRecords` (and about `maxBatchBytes`),
    /// or nil when the input is exhausted (or a read failed: see `failure`).
    ///
    /// The records' bytes are copied into the batch a run at a time: the
    /// records one after another in the buffer (with what separates them)
    /// in one copy, made before the buffer is refilled or moved and at the
    /// end of the batch.
    package func nextBatch(maxRecords: Int) -> RecordBatch? {
        var batch = RecordBatch(format: format)
        batch.records.reserveCapacity(max(1, maxRecords))
        batch.bytes.reserveCapacity(min(RecordStream.maxBatchBytes, max(1, maxRecords) * 256))
        // (A struct, not a closure over locals: those would be checked for
        // exclusive access at run time, on every record.)
        var run = PendingRun()
        while batch.records.count < max(1, maxRecords) && run.byteCount(batch) < RecordStream.maxBatchBytes && !finished {
            let frame = frameInBuffer()
            if case .more = frame, !atEnd {
                run.copy(buffer, into: &batch)   // before the buffer's bytes move
                fill()
                continue
            }
            switch frame {
            case .record(let start, let end, let line, let column):
                recordCount += 1
                batch.records.append(.init(number: recordCount, line: line, column: column, body: .bytes(run.add(start..<end, batch))))
            case .failure(let message, let line):
                run.copy(buffer, into: &batch)
                recordCount += 1
                batch.records.append(.init(number: recordCount, line: line, column: 1, body: .failure(message)))
            case .tooLarge(let line, let hint):
                // Its bytes are skipped, not kept: the run ends before them.
                run.copy(buffer, into: &batch)
                recordCount += 1
                let message = "record \(recordCount) is larger than \(RecordStream.sizeText(maxRecordSize))" + (hint.map { " (\($0))" } ?? "")
                batch.records.append(.init(number: recordCount, line: line, column: 1, body: .failure(message)))
            case .reread(let recordLine, let from, let line, let afterCR):
                recordCount += 1
                var message = "record \(recordCount) is larger than \(RecordStream.sizeText(maxRecordSize)) (a quote in it is never closed"
                run.copy(buffer, into: &batch)
                if rereads < RecordStream.maxRereads && seek(to: from) {
                    rereads += 1
                    csvFramer.restart(at: from, line: line, afterCR: afterCR)
                    message += "; reading goes on at line \(line))"
                } else {
                    message += ", so the rest of the input was in it)"
                }
                batch.records.append(.init(number: recordCount, line: recordLine, column: 1, body: .failure(message)))
            case .more, .end:
                finished = true
            }
        }
        run.copy(buffer, into: &batch)
        return batch.isEmpty ? nil : batch
    }

    /// A PendingRun is the run of buffer bytes not yet copied into a batch:
    /// `start..<end`, to go at `base` in the batch's bytes.
    struct PendingRun {
        var start = -1, end = 0, base = 0

        /// Adds a record's bytes, `range` of the buffer, to the run (when
        /// they follow it); the range they will have in the batch's bytes.
        mutating func add(_ range: Range<Int>, _ batch: RecordBatch) -> Range<Int> {
            if start < 0 {
                start = range.lowerBound
                base = batch.bytes.count
            }
            end = range.upperBound
            return (base + (range.lowerBound - start))..<(base + (end - start))
        }

        /// Copies the run into the batch (then there is none).
        mutating func copy(_ buffer: UnsafeMutableBufferPointer<UInt8>, into batch: inout RecordBatch) {
            guard start >= 0 else { return }
            batch.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<end]))
            start = -1
        }

        /// The batch's bytes, counting the run.
        func byteCount(_ batch: RecordBatch) -> Int { start >= 0 ? base + (end - start) : batch.bytes.count }
    }

    /// The column map for a schema (CSV with a header only).
    package func columnMap(for schema: RecordSchema) -> CSVColumnMap? {
        guard format == .csv, let header else { return nil }
        return CSVColumnMap(header: header, schema: schema)
    }

    /// A decoder for this stream's records (one per decoding thread).
    package func makeDecoder(for schema: RecordSchema) -> RecordDecoder {
        RecordDecoder(schema: schema, format: format, columnMap: columnMap(for: schema) ?? CSVColumnMap(header: header ?? [], schema: schema))
    }

    /// "1 MiB", "64 KiB", "100 bytes".
    static func sizeText(_ size: Int) -> String {
        if size % (1 << 20) == 0 { return "\(size >> 20) MiB" }
        if size % (1 << 10) == 0 { return "\(size >> 10) KiB" }
        return "\(size) bytes"
    }

    // MARK: - Framing and reading

    /// Empties the buffer and goes back to `offset` of the input, when the
    /// input can (in memory, or a descriptor that seeks).
    func seek(to offset: Int) -> Bool {
        switch source {
        case .memory(let bytes, _):
            guard offset <= bytes.count else { return false }
            source = .memory(bytes, offset: offset)
        case .descriptor(let fd, _):
            guard startOffset >= 0, lseek(fd, off_t(startOffset + offset), SEEK_SET) == off_t(startOffset + offset) else { return false }
        }
        count = 0
        atEnd = false
        return true
    }

    /// The next frame, reading more input as the framer needs it; `.end`
    /// at the end of input or after a read error.
    func nextFrame() -> Frame {
        while !finished {
            let frame = frameInBuffer()
            if case .more = frame {
                if atEnd { return .end }
                fill()
                continue
            }
            return frame
        }
        return .end
    }

    /// The next frame of the bytes read so far: `.more` when the framer
    /// needs more of them (and there are more: `atEnd` is false).
    func frameInBuffer() -> Frame {
        switch format {
        case .jsonLines: return linesFramer.next(valid, eof: atEnd, limit: maxRecordSize)
        case .json: return jsonFramer.next(valid, eof: atEnd, limit: maxRecordSize)
        case .csv: return csvFramer.next(valid, eof: atEnd, limit: maxRecordSize)
        }
    }

    /// Drops bytes the framer no longer needs, then reads up to a chunk.
    func fill() {
        let keep: Int
        switch format {
        case .jsonLines: keep = linesFramer.keepFrom
        case .json: keep = jsonFramer.keepFrom
        case .csv: keep = csvFramer.keepFrom
        }
        if keep > 0 && keep <= count, let base = buffer.baseAddress {
            memmove(base, base + keep, count - keep)
            count -= keep
            switch format {
            case .jsonLines: linesFramer.shift(keep)
            case .json: jsonFramer.shift(keep)
            case .csv: csvFramer.shift(keep)
            }
        }
        if buffer.count - count < chunkSize {
            // Not reached while framers keep their limit; a safety net.
            let larger = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: buffer.count + chunkSize)
            _ = larger.initialize(fromContentsOf: valid)
            buffer.deallocate()
            buffer = larger
        }
        // INVARIANT: the buffer holds at least a chunk, so it has an address.
        guard let base = buffer.baseAddress else { return }
        let room = min(chunkSize, buffer.count - count)
        switch source {
        case .memory(let bytes, let offset):
            let n = min(room, bytes.count - offset)
            if n <= 0 {
                atEnd = true
                return
            }
            bytes.withUnsafeBufferPointer { b in
                guard let from = b.baseAddress else { return }
                memcpy(base + count, from + offset, n)
            }
            count += n
            source = .memory(bytes, offset: offset + n)
        case .descriptor(let fd, _):
            while true {
                let n = read(fd, base + count, room)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = "cannot read `\(name)`: \(FileSystem.errnoText())"
                    atEnd = true
                    finished = true
                    return
                }
                if n == 0 { atEnd = true }
                count += n
                return
            }
        }
    }
}

/// `open(2)` for reading (outside the class, whose `open` would shadow it).
private func openForReading(_ path: String) -> Int32 {
    open(path, O_RDONLY | O_CLOEXEC)
}
