extension Chart {
    /// An sRGB colour for a chart series.
    ///
    /// ```swift
    /// chart.addLine(x: xs, y: ys, label: "model", color: .red)
    /// let teal = Chart.Color(red: 0, green: 128, blue: 128)
    /// ```
    public struct Color: Hashable, Sendable {
        /// The red component, 0...255.
        public var red: UInt8
        /// The green component, 0...255.
        public var green: UInt8
        /// The blue component, 0...255.
        public var blue: UInt8

        /// Creates a colour from 8-bit components.
        ///
        /// ```swift
        /// let gray = Chart.Color(red: 127, green: 127, blue: 127)
        /// ```
        ///
        /// - Parameters:
        ///   - red: The red component, 0...255.
        ///   - green: The green component, 0...255.
        ///   - blue: The blue component, 0...255.
        public init(red: UInt8, green: UInt8, blue: UInt8) {
            self.red = red
            self.green = green
            self.blue = blue
        }

        /// The colour as CSS hex, e.g. `#1f77b4`.
        public var hex: String {
            "#" + [red, green, blue].map { component in
                let digits = String(component, radix: 16)
                return digits.count == 1 ? "0" + digits : digits
            }.joined()
        }

        // MARK: - Named colours

        /// Blue, `#1f77b4`.
        public static let blue = Color(red: 0x1F, green: 0x77, blue: 0xB4)
        /// Orange, `#ff7f0e`.
        public static let orange = Color(red: 0xFF, green: 0x7F, blue: 0x0E)
        /// Green, `#2ca02c`.
        public static let green = Color(red: 0x2C, green: 0xA0, blue: 0x2C)
        /// Red, `#d62728`.
        public static let red = Color(red: 0xD6, green: 0x27, blue: 0x28)
        /// Purple, `#9467bd`.
        public static let purple = Color(red: 0x94, green: 0x67, blue: 0xBD)
        /// Brown, `#8c564b`.
        public static let brown = Color(red: 0x8C, green: 0x56, blue: 0x4B)
        /// Pink, `#e377c2`.
        public static let pink = Color(red: 0xE3, green: 0x77, blue: 0xC2)
        /// Gray, `#7f7f7f`.
        public static let gray = Color(red: 0x7F, green: 0x7F, blue: 0x7F)

        /// The colours given to series without one, in order (the "tab10" palette's first eight).
        public static let palette: [Color] = [.blue, .orange, .green, .red, .purple, .brown, .pink, .gray]
    }
}
