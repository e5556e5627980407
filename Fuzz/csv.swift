// Fuzz target `csv`: bytes as CSV (a header row, then records) against a
// shipped policy, the first byte choosing which. Checks `amends run`'s
// promises (one JSON result line per record, in order) and that the chunk
// size changes nothing, the header row included.

@testable import Amends

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzRecords(data, size, format: .csv)
}
