/// Reading a JSON record for `amends explain` with the reader `amends run`
/// uses (`RecordSchema.read`): the same typing of every value (spellings,
/// letter case, numbers written as text, nested objects for dotted keys).
/// Unlike `run`, a missing required field does not stop the reading: the
/// record is explained with the field missing, and the explanation says so.
extension RecordLiteral {
    /// Reads a parsed JSON object against the program's schema.
    package static func read(json value: JSONValue, program: Program) -> Result<Read, Failure> {
        let schema = program.schema
        var record = RecordBuffer(fieldCount: schema.fields.count)
        if let error = schema.read(value, into: &record) {
            guard error.isMissing else { return .failure(Failure(diagnostics: [], message: error.message)) }
            // `read` stops at the first missing required field: apply the
            // remaining defaults and go on.
            _ = schema.finish(&record, requireAll: false)
        }
        if let clock = schema.clockField, record.isPresent(clock) { record.now = record.scalar(clock) }
        return .success(Read(buffer: record, given: givenFields(value, schema)))
    }

    /// The fields a JSON object gives a value (not `null`), by their paths.
    static func givenFields(_ value: JSONValue, _ schema: RecordSchema) -> Set<Int> {
        var given = Set<Int>()
        for (f, info) in schema.fields.enumerated() {
            var current: JSONValue? = value
            for key in info.path {
                guard case .object(let members)? = current else { current = nil; break }
                current = members.last { $0.key.utf8.elementsEqual(key) }?.value
            }
            if let found = current, found != .null { given.insert(f) }
        }
        return given
    }

    /// Reads record `number` (from 1) of a stream as `run` would, JSON by
    /// the same reader as inline JSON and CSV rows by the CSV decoder.
    /// Fails with a message when the input has fewer records or the record
    /// cannot be read.
    package static func read(_ stream: RecordStream, number: Int, program: Program) -> Result<Read, Failure> {
        var decoder = stream.makeDecoder(for: program.schema)
        var seen = 0
        while let batch = stream.nextBatch(maxRecords: 256) {
            guard number - seen <= batch.count else {
                seen += batch.count
                continue
            }
            let index = number - seen - 1
            guard batch.records.indices.contains(index) else { break }
            let entry = batch.records[index]
            let place = "record \(entry.number) of `\(stream.name)` (line \(entry.line))"
            if case .failure(let message) = entry.body {
                return .failure(Failure(diagnostics: [], message: "\(place): \(message)"))
            }
            if batch.format == .csv {
                var record = RecordBuffer(fieldCount: program.schema.fields.count)
                if let error = decoder.decode(batch, index, into: &record) {
                    guard error.isMissing else { return .failure(Failure(diagnostics: [], message: "\(place): \(error.message)")) }
                    _ = program.schema.finish(&record, requireAll: false)
                }
                if let clock = program.schema.clockField, record.isPresent(clock) { record.now = record.scalar(clock) }
                // A CSV row does not say which cells were defaulted.
                return .success(Read(buffer: record, given: nil))
            }
            guard let bytes = batch.recordBytes(index) else { break }
            switch JSONValue.parse(Array(bytes)) {
            case .failure(let error):
                return .failure(Failure(diagnostics: [], message: "\(place): \(error.message)"))
            case .success(let value):
                return read(json: value, program: program).mapError { failure in
                    Failure(diagnostics: failure.diagnostics, message: failure.message.map { "\(place): \($0)" })
                }
            }
        }
        if let failure = stream.failure { return .failure(Failure(diagnostics: [], message: failure)) }
        let count = stream.recordCount
        return .failure(Failure(diagnostics: [], message: "`\(stream.name)` has \(count) record\(count == 1 ? "" : "s"), so there is no record \(number)",
                                noSuchRecord: true))
    }
}
