#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A buffered writer on a file descriptor (stdout or stderr), with write(2).
///
/// A closed pipe (`amends run … | head -1`) is not an error worth a crash or
/// a message: SIGPIPE is ignored at start-up and a failed write marks the
/// stream closed, after which output is dropped quietly. Any other failed
/// write (a full disk, `> /dev/full`) also closes the stream; `failure`
/// keeps its `errno`, for the command to report (`CLI.main` does, for
/// every command).
public final class OutputStream: @unchecked Sendable {
    let fd: Int32
    private var buffer: [UInt8] = []
    public private(set) var closed = false
    /// The `errno` of the write that failed, once one has (EPIPE: the
    /// reader went away).
    public private(set) var failure: Int32?

    /// Whether writing failed because the reader closed the pipe.
    public var readerGone: Bool { failure == EPIPE }

    public init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(1 << 16)
    }

    public func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    public func write(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }

    public func write<C: Collection>(contentsOf bytes: C) where C.Element == UInt8 {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Writes large output (a batch of results) without copying it into
    /// the buffer: what is buffered first, then the bytes.
    public func write(unbuffered bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.count < 1 << 12 {
            write(contentsOf: bytes)
            return
        }
        flush()
        send(UnsafeRawBufferPointer(bytes))
    }

    /// The failure, once: whoever reports it takes it, so that it is
    /// reported once (the stream stays closed).
    public func takeFailure() -> Int32? {
        defer { failure = nil }
        return failure
    }

    public func flush() {
        defer { buffer.removeAll(keepingCapacity: true) }
        guard !closed, !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { send($0) }
    }

    /// write(2) until done; a failure (a closed pipe, a full disk) closes the
    /// stream.
    private func send(_ raw: UnsafeRawBufferPointer) {
        guard !closed, let base = raw.baseAddress else { return }
        var offset = 0
        while offset < raw.count {
            let n = Glibc.write(fd, base + offset, raw.count - offset)
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                failure = n < 0 ? errno : EIO      // a write of nothing would loop forever
                closed = true
                return
            }
            offset += n
        }
    }
}

/// The process's standard streams.
public enum Console {
    public static let out = OutputStream(fd: 1)
    public static let err = OutputStream(fd: 2)

    public static func flush() {
        out.flush()
        err.flush()
    }
}
