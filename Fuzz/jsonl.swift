// Fuzz target `jsonl`: bytes as JSON Lines against a shipped policy, the
// first byte choosing which. Checks `amends run`'s promises, that the chunk
// size changes nothing, that there is one result for each line that is not
// blank (counted here, independently of the framer), and that the two JSON
// readers agree.

@testable import Amends

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzRecords(data, size, format: .jsonLines) { bytes, program, run in
        expect(run.records == nonBlankLines(bytes), "\(run.records) records for \(nonBlankLines(bytes)) lines that are not blank")
        compareJSONReaders(bytes, program, format: .jsonLines)
    }
}

/// Lines (ending at LF; a last one without) holding anything but spaces,
/// tabs and CR; a byte order mark at the start is not part of the text.
func nonBlankLines(_ bytes: [UInt8]) -> Int {
    let text = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...]
    return text.split(separator: 0x0A, omittingEmptySubsequences: false)
        .filter { line in line.contains { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D } }
        .count
}
