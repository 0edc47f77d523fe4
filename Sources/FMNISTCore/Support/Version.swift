public enum FMNISTCoreVersion { public static let string = "0.1.0" }
