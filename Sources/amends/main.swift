#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AmendsCLI

exit(CLI.main(CommandLine.arguments))
