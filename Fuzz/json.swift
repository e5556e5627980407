// Fuzz target `json`: bytes as a JSON input (one object, an array of
// objects, or several values) against a shipped policy, the first byte
// choosing which. Checks `amends run`'s promises (one JSON result line per
// record, in order), that the chunk size changes nothing, and that the
// streaming decoder and the library's tree reader agree on every record.

@testable import Amends

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzRecords(data, size, format: .json) { bytes, program, _ in
        compareJSONReaders(bytes, program, format: .json)
    }
}
