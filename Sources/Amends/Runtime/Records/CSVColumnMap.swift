/// A CSVColumnMap says which CSV column each declared field is read from.
///
/// A field's column is the one whose heading equals its key (`from
/// "opened_at"` or the field's own name) exactly; failing that, the one
/// whose heading matches after trimming spaces and ignoring letter case
/// (`Severity ` for `severity`). A field with no column is missing in every
/// row, so a default applies or, for a required field, each row fails; the
/// `warnings` name the required ones once, for the caller to print.
package struct CSVColumnMap: Sendable {
    package let header: [String]
    /// For each field of the schema: its column, or nil.
    package let columns: [Int?]
    /// For each column: the fields read from it (usually none or one).
    let fieldsOfColumn: [[Int]]
    /// One message per required field that has no column.
    package let warnings: [String]

    package init(header: [String], schema: RecordSchema) {
        self.header = header
        let exact = header.map { Array($0.utf8) }
        let loose = header.map { CSVColumnMap.normalized($0) }
        var columns: [Int?] = []
        var fieldsOfColumn = Array(repeating: [Int](), count: header.count)
        var warnings: [String] = []
        for (f, info) in schema.fields.enumerated() {
            var column = exact.firstIndex(of: info.column)
            if column == nil {
                let key = CSVColumnMap.normalized(info.key)
                column = loose.firstIndex(of: key)
            }
            columns.append(column)
            if let column {
                // INVARIANT: `column` is an index of `header`, the same length.
                fieldsOfColumn[column].append(f)
            } else if info.required {
                var message = info.key == info.name
                    ? "the input has no column `\(info.key)` for the required field `\(info.name)`"
                    : "the input has no column `\(info.key)`, which the required field `\(info.name)` is read from"
                if let near = Suggest.closest(to: info.key, in: header) { message += "; did you mean `\(near)`?" }
                warnings.append(message)
            }
        }
        self.columns = columns
        self.fieldsOfColumn = fieldsOfColumn
        // A header that is one column holding `;` or tabs between the
        // fields' keys: the file is separated by those, not by commas (a
        // spreadsheet saved with a decimal comma writes `;`). One warning
        // that says so, instead of one per field it seems to lack.
        if !warnings.isEmpty, let separator = CSVColumnMap.otherSeparator(header, schema) {
            warnings = ["the header is one column, `\(header.first ?? "")`: this file separates its columns with \(separator), "
                        + "but CSV (RFC 4180) separates them with commas; save it again with commas "
                        + "(in a spreadsheet: \"CSV UTF-8 (comma delimited)\")"]
        }
        self.warnings = warnings
    }

    /// `;` or a tab, in words, when the header is one column that those
    /// split into headings some field reads.
    static func otherSeparator(_ header: [String], _ schema: RecordSchema) -> String? {
        guard header.count == 1, let only = header.first else { return nil }
        let keys = Set(schema.fields.map { normalized($0.key) })
        for (character, name) in [(Character(";"), "`;`"), (Character("\t"), "tabs")] where only.contains(character) {
            let headings = only.split(separator: character).map { normalized(String($0)) }
            if headings.contains(where: keys.contains) { return name }
        }
        return nil
    }

    /// A heading compared loosely: spaces trimmed, lower case.
    static func normalized(_ heading: String) -> String {
        var s = Substring(heading)
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return s.lowercased()
    }
}

/// A CSVRowDecoder reads one CSV row into a `RecordBuffer` through a column
/// map: each mapped cell goes to `assignText`, unquoted (in a reused scratch
/// buffer only when it has `""` escapes). A row with fewer cells than the
/// header leaves the rest missing (exports drop a trailing empty field); a
/// row with more is an error. Structural errors (quotes, cell count) win
/// over field errors; of field errors, the first is reported.
///
/// A value with reusable scratch storage; one per thread.
package struct CSVRowDecoder: Sendable {
    package let schema: RecordSchema
    package let map: CSVColumnMap
    var scratch: [UInt8] = []

    package init(schema: RecordSchema, map: CSVColumnMap) {
        self.schema = schema
        self.map = map
        scratch.reserveCapacity(256)
    }

    // MARK: - Decoding

    /// Resets `buffer`, reads the row's cells, applies defaults.
    package mutating func decode(_ row: UnsafeBufferPointer<UInt8>, into buffer: inout RecordBuffer) -> FieldError? {
        buffer.reset()
        var scratch = self.scratch
        self.scratch = []
        defer { self.scratch = scratch }
        var scanner = CSVCellScanner(row)
        var fieldError: FieldError?
        let columnCount = map.fieldsOfColumn.count
        while let cell = scanner.next(&scratch, unescape: scanner.count < columnCount && !map.fieldsOfColumn[scanner.count].isEmpty) {
            let column = scanner.count - 1
            if column >= columnCount {
                while scanner.next(&scratch, unescape: false) != nil {}
                return .structure("the row has \(scanner.count) fields; the header has \(columnCount)")
            }
            if let problem = cell.problem { return .structure(message(problem, column: column, row: row)) }
            guard fieldError == nil else { continue }
            // An empty cell is no value (Grammar.md, "Records in").
            if !cell.inScratch && cell.start == cell.end { continue }
            // INVARIANT: column < columnCount, checked above.
            for f in map.fieldsOfColumn[column] {
                let error = cell.inScratch ? schema.assignText(f, scratch, into: &buffer)
                    : schema.assignText(f, UnsafeBufferPointer(rebasing: row[cell.start..<cell.end]), into: &buffer)
                if let error {
                    fieldError = error
                    break
                }
            }
        }
        if let fieldError { return fieldError }
        return schema.finish(&buffer)
    }

    /// Decodes a row held in an array.
    package mutating func decode(_ row: [UInt8], into buffer: inout RecordBuffer) -> FieldError? {
        row.withUnsafeBufferPointer { decode($0, into: &buffer) }
    }

    func message(_ problem: CSVCell.Problem, column: Int, row: UnsafeBufferPointer<UInt8>) -> String {
        let heading = column < map.header.count ? " (`\(map.header[column])`)" : ""
        switch problem {
        case .unclosedQuote:
            return "the quote that opens field \(column + 1)\(heading) is never closed"
        case .textAfterQuote(let offset):
            return "unexpected \(JSONScanner.describe(row, at: offset)) after the closing quote of field \(column + 1)\(heading); "
                + "inside a quoted field, write a quote as `\"\"`"
        }
    }
}
