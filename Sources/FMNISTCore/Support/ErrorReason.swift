import Foundation

/// The reason behind a failed file-system call, in words a message can carry: an fmnist error's
/// own description, else the operating system's reason (`Read-only file system`, `Permission
/// denied`), never Foundation's "The operation could not be completed (… error 2.)".
public enum ErrorReason {
    public static func describe(_ error: Error) -> String {
        if let error = error as? any FMNISTError { return error.description }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return ns.localizedFailureReason ?? ns.localizedDescription
    }
}
