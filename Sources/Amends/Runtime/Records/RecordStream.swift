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
    public static let maxBatchBytes = 8 << 20
    /// How often an input is read again after an unclosed CSV quote (each
    /// time after at least a record's limit of bytes): a bound on the work.
    public static let maxRereads = 100

    enum Source {
        case descriptor(Int32, owned: Bool)
        case memory([UInt8], offset: Int)
    }

    /// The path, `stdin` or `<memory>`: for messages.
    public let name: String
    public private(set) var format: RecordFormat
    /// The CSV header row (nil for JSON, or for an empty CSV input).
    public private(set) var header: [String]?
    /// Why reading stopped early (a read error), if it did.
    public private(set) var failure: String?
    /// Records handed out so far.
    @exclusivity(unchecked) public private(set) var recordCount = 0

    // The stream is used by one thread at a time (it is not `Sendable`),
    // so its state needs no run-time exclusivity checks.
    @exclusivity(unchecked) var source: Source
    let chunkSize: Int
    let maxRecordSize: Int
    /// Input bytes; `buffer[0..<count]` are valid.
    @exclusivity(unchecked) var buffer: [UInt8]
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
        buffer = Array(repeating: 0, count: self.chunkSize + self.maxRecordSize + 1)
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
        buffer = Array(repeating: 0, count: self.chunkSize + self.maxRecordSize + 1)
        self.format = format ?? .jsonLines
        prepare(detect: format == nil)
    }

    deinit {
        if case .descriptor(let fd, owned: true) = source { close(fd) }
    }

    /// Reads enough to skip a byte order mark and, when asked, sniff the
    /// format; then sets up framing and, for CSV, reads the header.
    func prepare(detect: Bool) {
        while !atEnd && count < 3 { fill() }
        if detect {
            while true {
                let decided = buffer.withUnsafeBufferPointer {
                    RecordFormat.sniff(UnsafeBufferPointer(rebasing: $0[0..<count]), atEnd: atEnd || count >= maxRecordSize)
                }
                if let decided {
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
            header = buffer.withUnsafeBufferPointer { CSVCellScanner.texts(UnsafeBufferPointer(rebasing: $0[start..<end])) }
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
    public func nextBatch(maxRecords: Int) -> RecordBatch? {
        var batch = RecordBatch(format: format)
        batch.records.reserveCapacity(max(1, maxRecords))
        batch.bytes.reserveCapacity(min(RecordStream.maxBatchBytes, max(1, maxRecords) * 256))
        // The run of buffer bytes not yet copied: `runStart..<runEnd`, to go
        // at `runBase` in the batch's bytes (runStart < 0: none).
        var runStart = -1, runEnd = 0, runBase = 0
        func copyRun() {
            guard runStart >= 0 else { return }
            buffer.withUnsafeBufferPointer { batch.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: $0[runStart..<runEnd])) }
            runStart = -1
        }
        func byteCount() -> Int { runStart >= 0 ? runBase + (runEnd - runStart) : batch.bytes.count }
        while batch.records.count < max(1, maxRecords) && byteCount() < RecordStream.maxBatchBytes && !finished {
            let frame = nextFrame(beforeRefill: copyRun)
            switch frame {
            case .record(let start, let end, let line, let column):
                recordCount += 1
                if runStart < 0 {
                    runStart = start
                    runBase = batch.bytes.count
                }
                runEnd = end
                let lower = runBase + (start - runStart)
                batch.records.append(.init(number: recordCount, line: line, column: column, body: .bytes(lower..<(runBase + (end - runStart)))))
            case .failure(let message, let line):
                copyRun()
                recordCount += 1
                batch.records.append(.init(number: recordCount, line: line, column: 1, body: .failure(message)))
            case .tooLarge(let line, let hint):
                // Its bytes are skipped, not kept: the run ends before them.
                copyRun()
                recordCount += 1
                let message = "record \(recordCount) is larger than \(RecordStream.sizeText(maxRecordSize))" + (hint.map { " (\($0))" } ?? "")
                batch.records.append(.init(number: recordCount, line: line, column: 1, body: .failure(message)))
            case .reread(let recordLine, let from, let line, let afterCR):
                recordCount += 1
                var message = "record \(recordCount) is larger than \(RecordStream.sizeText(maxRecordSize)) (a quote in it is never closed"
                copyRun()
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
        copyRun()
        return batch.isEmpty ? nil : batch
    }

    /// The column map for a schema (CSV with a header only).
    public func columnMap(for schema: RecordSchema) -> CSVColumnMap? {
        guard format == .csv, let header else { return nil }
        return CSVColumnMap(header: header, schema: schema)
    }

    /// A decoder for this stream's records (one per decoding thread).
    public func makeDecoder(for schema: RecordSchema) -> RecordDecoder {
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
    /// at the end of input or after a read error. `beforeRefill` is called
    /// before the buffer's bytes move or are replaced.
    func nextFrame(beforeRefill: () -> Void = {}) -> Frame {
        while !finished {
            let eof = atEnd
            let limit = maxRecordSize
            let frame: Frame = buffer.withUnsafeBufferPointer { all in
                let valid = UnsafeBufferPointer(rebasing: all[0..<count])
                switch format {
                case .jsonLines: return linesFramer.next(valid, eof: eof, limit: limit)
                case .json: return jsonFramer.next(valid, eof: eof, limit: limit)
                case .csv: return csvFramer.next(valid, eof: eof, limit: limit)
                }
            }
            if case .more = frame {
                if eof { return .end }
                beforeRefill()
                fill()
                continue
            }
            return frame
        }
        return .end
    }

    /// Drops bytes the framer no longer needs, then reads up to a chunk.
    func fill() {
        let keep: Int
        switch format {
        case .jsonLines: keep = linesFramer.keepFrom
        case .json: keep = jsonFramer.keepFrom
        case .csv: keep = csvFramer.keepFrom
        }
        if keep > 0 && keep <= count {
            buffer.withUnsafeMutableBufferPointer { p in
                guard let base = p.baseAddress else { return }
                memmove(base, base + keep, count - keep)
            }
            count -= keep
            switch format {
            case .jsonLines: linesFramer.shift(keep)
            case .json: jsonFramer.shift(keep)
            case .csv: csvFramer.shift(keep)
            }
        }
        if buffer.count - count < chunkSize {
            // Not reached while framers keep their limit; a safety net.
            buffer.append(contentsOf: repeatElement(0, count: chunkSize))
        }
        let room = min(chunkSize, buffer.count - count)
        switch source {
        case .memory(let bytes, let offset):
            let n = min(room, bytes.count - offset)
            if n <= 0 {
                atEnd = true
                return
            }
            buffer.withUnsafeMutableBufferPointer { p in
                bytes.withUnsafeBufferPointer { b in
                    guard let to = p.baseAddress, let from = b.baseAddress else { return }
                    memcpy(to + count, from + offset, n)
                }
            }
            count += n
            source = .memory(bytes, offset: offset + n)
        case .descriptor(let fd, _):
            while true {
                let n = buffer.withUnsafeMutableBufferPointer { p -> Int in
                    guard let base = p.baseAddress else { return 0 }
                    return read(fd, base + count, room)
                }
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
