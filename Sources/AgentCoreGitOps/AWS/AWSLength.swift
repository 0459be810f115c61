extension StringProtocol {
    /// A string's length as AWS checks its limits: in Unicode code points. Swift's `count` is in
    /// characters, and "e\u{301}" is one character but two code points.
    public var awsLength: Int { unicodeScalars.count }
}
