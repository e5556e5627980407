// The records corpus: every `*.case` file under
// `Tests/AmendsTests/cases/records/` (recursively) is one run of `amends run`
// (a policy, records in, results out), checked byte for byte by the one
// parameterised test below. It is data, as Cedar's integration-testing
// corpus is: any implementation of Amends can run it, the way this runner
// does, and must write the same bytes and exit with the same status.
//
// The folders follow Grammar.md: `10-records-in/` (formats, finding-fields,
// typing, no-value, time-formats, bad-records), `11-results-out/` (with
// `exit-status/`) and `12-limits/`; each case names the sentences it is
// about in its `=== grammar` lines, so `grep -rl 'two-letter ones'
// cases/records` goes from a sentence to its cases.
//
// # Format (normative)
//
// A case file is UTF-8 text with LF line ends only (a raw carriage return
// is refused, so that an editor or git cannot change the bytes a case
// means). Lines before the first header are comments for people. A header
// is a line starting `=== `; the lines after it, up to the next header, are
// its body. The headers:
//
//   === grammar §10: TEXT   the Grammar.md sentence (or part of one, or a
//                           table row) the case is about. TEXT must occur in
//                           that section of Grammar.md, compared with runs of
//                           white space as one space and `**` left out, so a
//                           reader can go from a sentence to its cases and a
//                           changed sentence shows which cases to look at.
//                           One or more.
//   === policy              the policy, written to `case.policy`. One.
//   === input NAME          a records file, written to NAME (letters, digits,
//                           `.`, `_`, `-`; its extension is what the run sees).
//   === stdin               records on standard input, through a pipe, given
//                           on the command line as `-`.
//                           Inputs go on the command line in the order of
//                           their headers; at least one.
//   === now TIMESTAMP       `--now` (default 2026-03-02T10:00:00Z, a Monday;
//                           there is always one: no case reads the clock).
//   === args A B …          more arguments, after the inputs and `--now`
//                           (split at spaces).
//   === output              the exact standard output. One.
//   === status N            the exit status. One.
//   === stderr              the exact standard error (optional: without it,
//                           standard error is not compared).
//   === file NAME           the exact bytes of the file NAME after the run
//                           (for `--output NAME`); `=== file NAME absent`
//                           says there is no such file.
//   === known difference: WHY
//                           today's build disagrees with Grammar.md here: the
//                           expectations stay what Grammar.md says, and the
//                           case's differences are known issues (not
//                           failures) until the build is fixed, when the
//                           test says so and the line is to be removed.
//                           Such a case is not rewritten (below).
//
// The run, from a fresh folder holding the files, as a shell runs it:
//
//   amends run case.policy INPUTS… --now TIMESTAMP --threads 1 ARGS…
//
// so the `file` of every `because` is `case.policy`. One thread, because the
// cases already run side by side (the output is the same on any number of
// threads: `RunTests` checks that).
//
// Bytes. The body of a policy, input, stdin, output, stderr or file section
// is its lines, each followed by a line end (LF), with the trailing blank
// lines of the section left out (they only space the file). In a body,
// `«…»` holds bytes the text cannot hold or show plainly, as tokens
// separated by spaces:
//
//   «CR»  «LF»  «TAB»      a carriage return (`a,b«CR»` is a CRLF line), a
//                           line feed (a last line `«LF»«end»`: the input
//                           ends with a blank line), a tab
//   «BOM»                   the UTF-8 byte order mark, EF BB BF
//   «FF»  «C3 28»           bytes in hex, two digits each
//   «repeat N:TEXT»         TEXT N times (TEXT may hold `«…»` too): records
//                           over 1 MiB, JSON nested 65 deep
//   «end»                   at the end of the body's last line: that line has
//                           no line end (an input without a final newline)
//
// A literal `«` is written `«C2 AB»`. Outputs are written back in the same
// notation: a byte that is not printable UTF-8 (other than a tab) shows as
// hex.
//
// Matching and rewriting. Every difference is its own issue at the case
// file's line: the output and standard error with a unified diff (expected
// to actual, in the notation above), the status, a file. With
// `AMENDS_UPDATE_GOLDEN=1` (as for `Golden.swift`) the `output`, `status`,
// `stderr` and `file` sections are rewritten from the actual run instead, to
// review in the diff; the rest of the file is left as it was. A case's
// expectation is what Grammar.md says, not what today's build does.
import Testing
@testable import Amends
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - The tests

@Suite("RecordsCorpus")
struct RecordsCorpusTests {
    @Test("records case", arguments: RecordsCorpus.files)
    func recordsCase(_ name: String) {
        let (problems, known) = RecordsCorpus.check(file: name)
        for problem in problems where !problem.isDifference || known == nil {
            Issue.record(Comment(rawValue: problem.message), sourceLocation: problem.location)
        }
        if let known {
            withKnownIssue(Comment(rawValue: known.why)) {
                for problem in problems where problem.isDifference {
                    Issue.record(Comment(rawValue: problem.message), sourceLocation: problem.location)
                }
            }
        }
    }

    /// The corpus must not silently vanish (a moved folder, a changed suffix).
    @Test func corpusHasEnoughCases() {
        #expect(RecordsCorpus.files.count >= 150,
                "only \(RecordsCorpus.files.count) record cases found under \(RecordsCorpus.directory)")
    }

    /// Every paragraph and table row of Grammar.md §10 and §11 is named by
    /// at least one case's `=== grammar` line: a new sentence needs a case.
    @Test func everyParagraphOfTenAndElevenHasACase() {
        var quotes: [Int: [String]] = [:]
        for name in RecordsCorpus.files {
            guard case .success(let bytes) = FileSystem.read(RecordsCorpus.directory + "/" + name) else { continue }
            // Only the `=== grammar §N: TEXT` lines (each case's test checks the rest).
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix("=== grammar §") {
                let parts = line.dropFirst(13).split(separator: ":", maxSplits: 1)
                guard parts.count == 2, let section = Int(parts[0]) else { continue }
                quotes[section, default: []].append(RecordsCorpus.normalized(parts[1]))
            }
        }
        for section in [10, 11] {
            for unit in RecordsCorpus.grammarUnits(section: section) {
                let covered = quotes[section, default: []].contains { unit.contains($0) }
                #expect(covered, "no case names this part of Grammar.md §\(section): \(unit)")
            }
        }
    }

    // MARK: The runner checks itself

    @Test func bytesNotationReadsAndWritesEveryKindOfByte() {
        let text = "a,b«CR»\n«BOM»x«FF FE»y«C2 AB»\n«repeat 3:[]»\ttab«TAB»\nlast«end»\n\n"
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        switch RecordsCorpus.body(Array(lines)) {
        case .failure(let message): Issue.record("\(message)")
        case .success(let bytes):
            let expected: [UInt8] = Array("a,b\r\n".utf8) + [0xEF, 0xBB, 0xBF] + Array("x".utf8) + [0xFF, 0xFE]
                + Array("y«\n[][][]\ttab\t\nlast".utf8)
            #expect(bytes == expected)
            // Written back: every byte survives the round trip.
            let written = RecordsCorpus.notation(bytes)
            let back = RecordsCorpus.body(written.split(separator: "\n", omittingEmptySubsequences: false).map { $0 })
            #expect((try? back.get()) == bytes, "\(written)")
        }
        for tricky: [UInt8] in [[], [0x0A], [0x0A, 0x0A], Array("x\n\n".utf8), Array("x\n\ny".utf8), [0x0D], [0x00, 0x7F]] {
            let written = RecordsCorpus.notation(tricky)
            let back = RecordsCorpus.body(written.split(separator: "\n", omittingEmptySubsequences: false).map { $0 })
            #expect((try? back.get()) == tricky, "\(tricky) written as \(written)")
        }
        for bad in ["«ZZ»", "«end»x", "«repeat x:a»", "a«b", "«»"] {
            #expect((try? RecordsCorpus.body([Substring(bad)]).get()) == nil, "\(bad)")
        }
    }

    @Test func parserFindsSectionsAndReportsMistakes() {
        let good = """
            A comment.
            === grammar §10: blank lines are not records
            === policy
            record r:
              n: number?

            === input a.jsonl
            {"n": 1}
            === now 2026-01-01T00:00:00Z
            === output
            {"record":1,"actions":[]}
            === status 0
            """
        let c = RecordsCorpus.parse(name: "self.case", bytes: Array((good + "\n").utf8))
        #expect(c.problems.isEmpty, "\(c.problems.map(\.message))")
        #expect(c.policy == Array("record r:\n  n: number?\n".utf8))
        #expect(c.inputs.map(\.name) == ["a.jsonl"] && c.inputs.first?.bytes == Array("{\"n\": 1}\n".utf8))
        #expect(c.now == "2026-01-01T00:00:00Z" && c.status?.value == 0 && c.output?.line == 10)
        #expect(c.grammar.first?.section == 10)

        let bad = "=== policy\r\n=== input ../x\n=== status two\n=== grammar §10: no such sentence here\n=== frobnicate\n"
        let d = RecordsCorpus.parse(name: "self.case", bytes: Array(bad.utf8))
        let messages = d.problems.map(\.message)
        for expected in ["carriage return", "input name", "status", "does not occur in Grammar.md", "unknown header",
                         "no `=== output`"] {
            #expect(messages.contains { $0.contains(expected) }, "\(expected) in \(messages)")
        }
    }

    @Test func aMismatchIsReportedAtItsLineWithADiff() {
        let text = """
            === grammar §11: `amends run` writes one JSON line per record, in input order
            === policy
            record r:
              n: number
            === input a.jsonl
            {"n": 1}
            {"n": "x"}
            === output
            {"record":1,"actions":[]}
            {"record":2,"actions":[]}
            === status 0
            """
        let problems = RecordsCorpus.check(name: "self.case", bytes: Array((text + "\n").utf8))
        #expect(problems.count == 2, "\(problems.map(\.message))")
        #expect(problems.first?.location.line == 10)
        #expect(problems.first?.message.contains("+{\"record\":2,\"line\":2,\"error\":") == true)
        #expect(problems.first?.message.contains("-{\"record\":2,\"actions\":[]}") == true)
        #expect(problems.last?.location.line == 11 && problems.last?.message.contains("exit status is 1") == true)
    }
}

// MARK: - The runner

enum RecordsCorpus {
    /// The folder of case files, found from this source file's path.
    static let directory: String = FileSystem.directory(of: #filePath) + "/cases/records"

    /// Every case file, as a path relative to `directory`, sorted.
    static let files: [String] = FileSystem.files(under: directory, suffixes: [".case"]).map {
        String($0.dropFirst(directory.count + 1))
    }

    static let defaultNow = "2026-03-02T10:00:00Z"

    // MARK: Model

    /// A byte section: its bytes, and where it is in the case file.
    struct Body: Sendable {
        var bytes: [UInt8]
        /// The 1-based line of its header.
        var line: Int
        /// The 0-based indices of its header and of the next header (or the
        /// line count): what a rewrite replaces.
        var header: Int
        var end: Int
    }

    struct Input: Sendable {
        /// The file name, or nil for standard input.
        var name: String?
        var bytes: [UInt8]
    }

    struct Case: Sendable {
        var name: String
        var lines: [String] = []
        var grammar: [(section: Int, text: String, line: Int)] = []
        var policy: [UInt8]?
        var inputs: [Input] = []
        var now = RecordsCorpus.defaultNow
        var args: [String] = []
        var output: Body?
        var status: (value: Int32, line: Int, index: Int)?
        var stderr: Body?
        /// `=== file NAME`: expected bytes, or nil for `absent`.
        var files: [(name: String, bytes: [UInt8]?, body: Body)] = []
        /// `=== known difference: WHY` and its line.
        typealias Known = (why: String, line: Int)
        var known: Known?
        var problems: [Problem] = []
    }

    struct Problem: Sendable {
        var message: String
        var location: Testing.SourceLocation
        /// A difference between the run and the expectations (not a
        /// mistake in the case file).
        var isDifference = false
    }

    static func location(_ name: String, line: Int) -> Testing.SourceLocation {
        let base = name.split(separator: "/").last.map(String.init) ?? name
        return Testing.SourceLocation(fileID: "AmendsTests/\(base)", filePath: directory + "/" + name,
                                      line: max(1, line), column: 1)
    }

    // MARK: Reading a case

    static func parse(name: String, bytes: [UInt8]) -> Case {
        var c = Case(name: name)
        func problem(_ message: String, _ line: Int) { c.problems.append(Problem(message: message, location: location(name, line: line))) }
        if let k = bytes.firstIndex(of: 0x0D) {
            problem("a raw carriage return in a case file; write it `«CR»`", bytes[..<k].filter { $0 == 0x0A }.count + 1)
        }
        guard let text = String(validating: bytes.filter { $0 != 0x0D }, as: UTF8.self) else {
            problem("a case file must be UTF-8; write other bytes in hex, e.g. `«FF»`", 1)
            return c
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if text.hasSuffix("\n") { lines.removeLast() }
        c.lines = lines
        let headers = lines.indices.filter { lines[$0].hasPrefix("=== ") || lines[$0] == "===" }
        var seen: Set<String> = []
        for (k, h) in headers.enumerated() {
            let end = k + 1 < headers.count ? headers[k + 1] : lines.count
            let bodyLines = lines[(h + 1)..<end].map { Substring($0) }
            let words = lines[h].split(separator: " ", omittingEmptySubsequences: true).dropFirst().map(String.init)
            let keyword = words.first ?? ""
            let rest = words.dropFirst().joined(separator: " ")
            let lineNumber = h + 1
            func decoded() -> [UInt8] {
                switch body(bodyLines) {
                case .success(let bytes): return bytes
                case .failure(let failure):
                    problem(failure.message, lineNumber + 1 + failure.index)
                    return []
                }
            }
            func noBody() {
                if let k = bodyLines.firstIndex(where: { !$0.isEmpty }) {
                    problem("`=== \(keyword)` takes no lines under it", lineNumber + 1 + k)
                }
            }
            func once() {
                if !seen.insert(keyword).inserted { problem("a second `=== \(keyword)`", lineNumber) }
            }
            let bodyRecord = Body(bytes: [], line: lineNumber, header: h, end: end)
            switch keyword {
            case "grammar":
                noBody()
                let parts = rest.split(separator: ":", maxSplits: 1).map(String.init)
                guard parts.count == 2, parts[0].hasPrefix("§"), let section = Int(parts[0].dropFirst()) else {
                    problem("write `=== grammar §10: a sentence of that section`", lineNumber)
                    continue
                }
                let quote = parts[1].drop { $0 == " " }
                if !grammarSection(section).contains(normalized(quote)) {
                    problem("`\(quote)` does not occur in Grammar.md §\(section)", lineNumber)
                }
                c.grammar.append((section, String(quote), lineNumber))
            case "policy":
                once()
                c.policy = decoded()
            case "input":
                let ok = !rest.isEmpty && !rest.hasPrefix(".") && rest != "case.policy"
                    && rest.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil)) || "._-".unicodeScalars.contains($0) }
                if !ok { problem("an input name is letters, digits, `.`, `_` and `-`, not `\(rest)`", lineNumber) }
                let bytes = decoded()
                if ok { c.inputs.append(Input(name: rest, bytes: bytes)) }
            case "stdin":
                once()
                c.inputs.append(Input(name: nil, bytes: decoded()))
            case "now":
                once()
                noBody()
                if rest.isEmpty || rest.contains(" ") { problem("write `=== now 2026-03-02T10:00:00Z`", lineNumber) }
                c.now = rest
            case "args":
                once()
                noBody()
                c.args = rest.split(separator: " ").map(String.init)
            case "output":
                once()
                var b = bodyRecord
                b.bytes = decoded()
                c.output = b
            case "stderr":
                once()
                var b = bodyRecord
                b.bytes = decoded()
                c.stderr = b
            case "status":
                once()
                noBody()
                guard let value = Int32(rest) else {
                    problem("write the exit status as a number: `=== status 1`", lineNumber)
                    continue
                }
                c.status = (value, lineNumber, h)
            case "file":
                let parts = rest.split(separator: " ").map(String.init)
                guard let fileName = parts.first, parts.count <= 2, parts.count == 1 || parts[1] == "absent" else {
                    problem("write `=== file NAME` or `=== file NAME absent`", lineNumber)
                    continue
                }
                if parts.count == 2 { noBody() }
                var b = bodyRecord
                b.bytes = decoded()
                c.files.append((fileName, parts.count == 2 ? nil : b.bytes, b))
            case "known":
                once()
                noBody()
                guard rest.hasPrefix("difference:"), !rest.dropFirst(11).allSatisfy({ $0 == " " }) else {
                    problem("write `=== known difference: what today's build does instead`", lineNumber)
                    continue
                }
                c.known = (String(rest.dropFirst(11).drop { $0 == " " }), lineNumber)
            default:
                problem("unknown header `=== \(keyword)`; see the notes at the top of RecordsCorpusTests.swift", lineNumber)
            }
        }
        if c.grammar.isEmpty { problem("no `=== grammar §N: …` line: name the sentence the case is about", 1) }
        if c.policy == nil { problem("no `=== policy` section", 1) }
        if c.inputs.isEmpty { problem("no `=== input NAME` or `=== stdin` section", 1) }
        if c.output == nil { problem("no `=== output` section", 1) }
        if c.status == nil { problem("no `=== status N` line", 1) }
        return c
    }

    struct BodyFailure: Error {
        var message: String
        /// The 0-based line of the body at fault.
        var index: Int
    }

    /// The bytes of a section's lines, in the notation above.
    static func body(_ lines: [Substring]) -> Result<[UInt8], BodyFailure> {
        var lines = lines
        while lines.last?.isEmpty == true { lines.removeLast() }
        var bytes: [UInt8] = []
        for (k, line) in lines.enumerated() {
            var text = line
            var newline = true
            if text.hasSuffix("«end»") {
                guard k == lines.count - 1 else {
                    return .failure(BodyFailure(message: "`«end»` goes at the end of the section's last line", index: k))
                }
                text = text.dropLast(5)
                newline = false
            }
            switch inline(text) {
            case .success(let b): bytes += b
            case .failure(let failure): return .failure(BodyFailure(message: failure.message, index: k))
            }
            if newline { bytes.append(0x0A) }
        }
        return .success(bytes)
    }

    /// The bytes of text in the notation, without line ends of its own.
    static func inline(_ text: Substring) -> Result<[UInt8], BodyFailure> {
        var bytes: [UInt8] = []
        var rest = text
        while let open = rest.firstIndex(of: "«") {
            bytes += Array(rest[..<open].utf8)
            // The matching `»`: a `«repeat …»` may hold `«…»` of its own.
            var depth = 0
            var close: Substring.Index?
            for i in rest[open...].indices {
                if rest[i] == "«" { depth += 1 }
                if rest[i] == "»" { depth -= 1 }
                if depth == 0 {
                    close = i
                    break
                }
            }
            guard let close else {
                return .failure(BodyFailure(message: "a `«` with no `»`; a literal `«` is `«C2 AB»`", index: 0))
            }
            let inside = rest[rest.index(after: open)..<close]
            rest = rest[rest.index(after: close)...]
            if inside.hasPrefix("repeat ") {
                let spec = inside.dropFirst(7)
                guard let colon = spec.firstIndex(of: ":"), let n = Int(spec[..<colon]), n >= 0, n <= 16 << 20 else {
                    return .failure(BodyFailure(message: "write `«repeat 1048576:a»`", index: 0))
                }
                switch inline(spec[spec.index(after: colon)...]) {
                case .success(let unit):
                    // By doubling: a million small appends are slow in a debug build.
                    var block = unit, k = n
                    while k > 0 {
                        if k & 1 == 1 { bytes += block }
                        k >>= 1
                        if k > 0 { block += block }
                    }
                case .failure(let failure): return .failure(failure)
                }
                continue
            }
            let tokens = inside.split(separator: " ")
            if tokens.isEmpty { return .failure(BodyFailure(message: "`«»` holds nothing", index: 0)) }
            for token in tokens {
                switch token {
                case "CR": bytes.append(0x0D)
                case "LF": bytes.append(0x0A)
                case "TAB": bytes.append(0x09)
                case "BOM": bytes += [0xEF, 0xBB, 0xBF]
                default:
                    guard token.count == 2, let byte = UInt8(token, radix: 16) else {
                        let hint = token == "end" ? "`«end»` goes at the end of the section's last line"
                            : "`\(token)` in `«…»` is not CR, LF, TAB, BOM, end, repeat or two hex digits"
                        return .failure(BodyFailure(message: hint, index: 0))
                    }
                    bytes.append(byte)
                }
            }
        }
        bytes += Array(rest.utf8)
        return .success(bytes)
    }

    /// Bytes written in the notation, as lines joined by LF (no final LF):
    /// what a rewrite puts in a section, and what a diff shows.
    static func notation(_ bytes: [UInt8]) -> String {
        if bytes.isEmpty { return "" }
        var pieces = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { Array($0) }
        let endsWithNewline = bytes.last == 0x0A
        if endsWithNewline { pieces.removeLast() }
        var lines = pieces.map(line)
        if endsWithNewline {
            // Trailing blank lines would be taken for spacing: one line of «LF»s ends the body.
            var blanks = 0
            while lines.last == "" {
                lines.removeLast()
                blanks += 1
            }
            if blanks > 0 { lines.append("«" + Array(repeating: "LF", count: blanks).joined(separator: " ") + "»«end»") }
        } else if let last = lines.popLast() {
            lines.append(last + "«end»")
        }
        return lines.joined(separator: "\n")
    }

    /// One line's bytes (no LF) in the notation.
    private static func line(_ bytes: [UInt8]) -> String {
        var out = ""
        var hex: [String] = []
        func flush() {
            if !hex.isEmpty { out += "«" + hex.joined(separator: " ") + "»" }
            hex = []
        }
        func hexOf(_ b: UInt8) -> String {
            let digits = Array("0123456789ABCDEF")
            return String([digits[Int(b >> 4)], digits[Int(b & 0x0F)]])
        }
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        loop: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                let scalar = Unicode.UTF8.decode(encoded)
                offset += encoded.count
                if scalar == "\r" {
                    flush()
                    out += "«CR»"
                } else if scalar == "«" || (scalar.value < 0x20 && scalar != "\t") || scalar.value == 0x7F {
                    for b in encoded { hex.append(hexOf(b)) }
                } else {
                    flush()
                    out.unicodeScalars.append(scalar)
                }
            case .error(let length):
                for k in offset..<(offset + length) where k < bytes.count { hex.append(hexOf(bytes[k])) }
                offset += length
            case .emptyInput:
                break loop
            }
        }
        flush()
        return out
    }

    // MARK: Grammar.md

    static let grammarText: String = {
        guard case .success(let bytes) = FileSystem.read(Tool.packageRoot + "/Grammar.md") else { return "" }
        return String(decoding: bytes, as: UTF8.self)
    }()

    /// The raw text of `## N.` in Grammar.md, up to the next `## `.
    static func grammarSectionText(_ n: Int) -> String {
        var inside = false
        var out: [Substring] = []
        for line in grammarText.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## ") {
                inside = line.hasPrefix("## \(n).")
                continue
            }
            if inside { out.append(line) }
        }
        return out.joined(separator: "\n")
    }

    static func grammarSection(_ n: Int) -> String { normalized(grammarSectionText(n)) }

    /// Text with `**` left out and every run of white space one space.
    static func normalized<S: StringProtocol>(_ text: S) -> String {
        String(text).replacing("**", with: "").split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).joined(separator: " ")
    }

    /// The paragraphs and table rows of a section (code blocks and table
    /// headings left out), normalised: the units a case must name.
    static func grammarUnits(section: Int) -> [String] {
        var units: [String] = []
        var paragraph: [Substring] = []
        var inCode = false
        func flush() {
            let raw = String(paragraph.joined(separator: " ").drop { $0 == " " })
            // A bold lead-in on a line of its own (`**Typing values.**`) heads the table after it.
            let heading = raw.hasPrefix("**") && raw.hasSuffix("**") && !raw.dropFirst(2).dropLast(2).contains("**")
            let text = normalized(raw)
            if !text.isEmpty && !heading { units.append(text) }
            paragraph = []
        }
        let lines = grammarSectionText(section).split(separator: "\n", omittingEmptySubsequences: false)
        for (k, line) in lines.enumerated() {
            if line.hasPrefix("```") {
                flush()
                inCode.toggle()
                continue
            }
            if inCode { continue }
            if line.hasPrefix("|") {
                flush()
                let isHeading = k + 1 < lines.count && lines[k + 1].hasPrefix("|---")
                if !isHeading && !line.hasPrefix("|---") { units.append(normalized(line)) }
                continue
            }
            if line.allSatisfy({ $0 == " " }) { flush() } else { paragraph.append(line) }
        }
        flush()
        return units
    }

    // MARK: Running a case

    struct Run {
        var status: Int32
        var stdout: [UInt8]
        var stderr: [UInt8]
        var files: [String: [UInt8]]
    }

    /// Runs `amends run` on a case in a fresh folder, as a user's shell would.
    static func run(_ c: Case) -> Run? {
        let dir = "/tmp/amends-records-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        guard mkdir(dir, 0o700) == 0 else { return nil }
        var written = ["case.policy"]
        defer {
            for name in written + [".stdin", ".out", ".err"] + c.files.map(\.name) { unlink(dir + "/" + name) }
            rmdir(dir)
        }
        _ = FileSystem.writeAtomically(dir + "/case.policy", c.policy ?? [])
        var operands: [String] = []
        var stdin: [UInt8]?
        for input in c.inputs {
            if let name = input.name {
                _ = FileSystem.writeAtomically(dir + "/" + name, input.bytes)
                written.append(name)
                operands.append(name)
            } else {
                stdin = input.bytes
                operands.append("-")
            }
        }
        func quoted(_ s: String) -> String { "'" + s.replacing("'", with: "'\\''") + "'" }
        let command = (["\"$AMENDS\"", "run", "case.policy"] + (operands + ["--now", c.now, "--threads", "1"] + c.args).map(quoted))
            .joined(separator: " ")
        var script = "cd \(quoted(dir)) || exit 99\n"
        if let stdin {
            _ = FileSystem.writeAtomically(dir + "/.stdin", stdin)
            script += "cat .stdin | \(command) > .out 2> .err\n"
        } else {
            script += "\(command) < /dev/null > .out 2> .err\n"
        }
        let result = Tool.shell(script)
        var files: [String: [UInt8]] = [:]
        for f in c.files {
            if case .success(let bytes) = FileSystem.read(dir + "/" + f.name) { files[f.name] = bytes }
        }
        return Run(status: result.status,
                   stdout: (try? FileSystem.read(dir + "/.out").get()) ?? [],
                   stderr: (try? FileSystem.read(dir + "/.err").get()) ?? [],
                   files: files)
    }

    // MARK: Checking

    /// The problems of a case file, and its known difference if it has one.
    static func check(file name: String) -> ([Problem], Case.Known?) {
        switch FileSystem.read(directory + "/" + name) {
        case .success(let bytes):
            let c = parse(name: name, bytes: bytes)
            return (check(c, update: Golden.updating && c.known == nil), c.known)
        case .failure(let failure): return ([Problem(message: "\(failure)", location: location(name, line: 1))], nil)
        }
    }

    /// The problems of a case; with `update`, its file is rewritten instead.
    static func check(name: String, bytes: [UInt8], update: Bool = false) -> [Problem] {
        check(parse(name: name, bytes: bytes), update: update)
    }

    static func check(_ c: Case, update: Bool) -> [Problem] {
        let name = c.name
        guard c.policy != nil, !c.inputs.isEmpty else { return c.problems }
        guard let run = run(c) else {
            return c.problems + [Problem(message: "could not make a folder in /tmp to run the case", location: location(name, line: 1))]
        }
        if update { return c.problems + rewrite(c, with: run) }
        var problems = c.problems
        func compare(_ expected: Body, _ actual: [UInt8], what: String) {
            guard expected.bytes != actual else { return }
            let e = expected.bytes.isEmpty ? "" : notation(expected.bytes) + "\n"
            let a = actual.isEmpty ? "" : notation(actual) + "\n"
            let el = e.split(separator: "\n", omittingEmptySubsequences: false)
            let al = a.split(separator: "\n", omittingEmptySubsequences: false)
            var k = 0
            while k < min(el.count, al.count) && el[k] == al[k] { k += 1 }
            let diff = UnifiedDiff.diff(from: e, to: a, oldName: "expected", newName: "actual")
            problems.append(Problem(message: "\(what) differs (AMENDS_UPDATE_GOLDEN=1 rewrites it, to review in the diff):\n\(diff)",
                                    location: location(name, line: expected.line + 1 + k), isDifference: true))
        }
        if let output = c.output { compare(output, run.stdout, what: "standard output") }
        if let status = c.status, status.value != run.status {
            let err = String(decoding: run.stderr, as: UTF8.self)
            let shown = err.isEmpty ? "" : "; standard error:\n" + err
            problems.append(Problem(message: "exit status is \(run.status), expected \(status.value)\(shown)",
                                    location: location(name, line: status.line), isDifference: true))
        }
        if let stderr = c.stderr { compare(stderr, run.stderr, what: "standard error") }
        for f in c.files {
            switch (f.bytes, run.files[f.name]) {
            case (nil, nil): break
            case (nil, .some): problems.append(Problem(message: "`\(f.name)` was written; expected no such file",
                                                       location: location(name, line: f.body.line), isDifference: true))
            case (.some, nil): problems.append(Problem(message: "`\(f.name)` was not written",
                                                       location: location(name, line: f.body.line), isDifference: true))
            case (.some, .some(let actual)): compare(f.body, actual, what: "file `\(f.name)`")
            }
        }
        return problems
    }

    /// Rewrites the case file's expectations from `run`; a problem if it cannot.
    static func rewrite(_ c: Case, with run: Run) -> [Problem] {
        var replacements: [(range: Range<Int>, lines: [String])] = []
        var appended: [String] = []
        func section(_ body: Body?, header: String, bytes: [UInt8]) {
            let text = notation(bytes)
            var lines = [header] + (text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
            if let body {
                // Keep the blank lines that spaced the section from the next.
                var k = body.end
                while k > body.header + 1 && c.lines[k - 1].isEmpty { k -= 1 }
                lines += Array(repeating: "", count: body.end - k)
                replacements.append((body.header..<body.end, lines))
            } else {
                appended += lines
            }
        }
        section(c.output, header: "=== output", bytes: run.stdout)
        if let status = c.status {
            replacements.append((status.index..<(status.index + 1), ["=== status \(run.status)"]))
        } else {
            appended.append("=== status \(run.status)")
        }
        if let stderr = c.stderr { section(stderr, header: "=== stderr", bytes: run.stderr) }
        for f in c.files {
            if let actual = run.files[f.name] {
                section(f.body, header: "=== file \(f.name)", bytes: actual)
            } else {
                replacements.append((f.body.header..<f.body.end, ["=== file \(f.name) absent"]))
            }
        }
        var lines = c.lines
        for r in replacements.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
            lines.replaceSubrange(r.range, with: r.lines)
        }
        let text = (lines + appended).joined(separator: "\n") + "\n"
        if let failure = FileSystem.writeAtomically(directory + "/" + c.name, Array(text.utf8)) {
            return [Problem(message: "cannot rewrite the case: \(failure)", location: location(c.name, line: 1))]
        }
        return []
    }
}
