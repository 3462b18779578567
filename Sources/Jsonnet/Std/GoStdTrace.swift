/// The stack frames go-jsonnet prints from inside its own standard library.
///
/// go-jsonnet implements several std functions (and the `%` operator, which it
/// rewrites to `std.mod`) in Jsonnet, so an error raised there shows frames such
/// as `<std>:861:7-56 function <anonymous>` between the message and the caller.
/// Our builtins are native; this table says which frames go would show for an
/// error a builtin raised itself, and is consulted only when such an error
/// leaves the builtin (or the `%` operator), to shape the trace. Evaluation
/// never depends on it. The spans and function names are facts about go-jsonnet
/// 0.22's std.jsonnet, read from its error output.
enum GoStdTrace {
    /// Where inside go's std.format an error would have been raised.
    struct FormatSite {
        enum Kind {
            /// More values than codes.
            case tooManyValues
            /// No array value left for a conversion.
            case missingValue
            /// No array value left for a `*` field width.
            case missingWidth
            /// A numeric conversion got a non-number.
            case requiredNumber
            /// `%c` got a string whose length is not 1.
            case charLength
            /// `%c` got neither a number nor a string.
            case charType
            /// A `%(key)` code named a field the object lacks.
            case noSuchField
            /// A code without `(key)` used with an object.
            case mappingKeysRequired
        }

        var kind: Kind
        /// The conversion character of the code (`s`, `d`, ...).
        var conversion: UInt8 = 0
        /// The code has the `-` flag (go pads it with `pad_right`).
        var leftAligned = false
        /// The values are an object (go's format_codes_obj), not an array.
        var object = false
    }

    /// The file name go prints for its std library.
    private static let std = SourceFile(name: "<std>", text: "")

    private static func frame(_ line: Int32, _ begin: Int32, _ end: Int32, _ name: String) -> TraceFrame {
        frame(line, begin, line, end, name)
    }

    private static func frame(_ line: Int32, _ begin: Int32, _ endLine: Int32, _ end: Int32, _ name: String) -> TraceFrame {
        TraceFrame(range: SourceRange(file: std, begin: SourcePosition(line: line, column: begin),
                                      end: SourcePosition(line: endLine, column: end)), name: name)
    }

    private static let anonymous = "function <anonymous>"

    /// Frames (innermost first) to add to an error that builtin `name` raised
    /// itself; empty when go implements it natively or the error site is not one
    /// this table knows. `argument(i)` gives an argument the builtin has already
    /// forced (it is asked only for those).
    static func builtinFrames(_ name: String, _ error: JsonnetError, argument: (Int) -> Value?) -> [TraceFrame] {
        switch name {
        case "assertEqual":
            return [frame(861, 7, 56, anonymous)]
        case "format":
            return formatFrames(error, values: argument(1))
        default:
            return []
        }
    }

    /// Frames for an error the `%` operator raised on `lhs % rhs` (go's `std.mod`),
    /// innermost first, without the caller's frame (go prints that one unnamed).
    static func moduloFrames(_ error: JsonnetError, _ lhs: Value, _ rhs: Value) -> [TraceFrame] {
        switch (lhs, rhs) {
        case (.number, .number):
            return [frame(259, 7, 23, anonymous)]
        case (.string, _):
            return formatFrames(error, values: rhs) + [frame(261, 7, 23, anonymous)]
        default:
            return [frame(263, 7, 94, anonymous)]
        }
    }

    /// go's std.format frames for an error tagged with a format site; the
    /// function's own entry frame depends on the kind of `values`.
    private static func formatFrames(_ error: JsonnetError, values: Value?) -> [TraceFrame] {
        guard let site = error.formatSite, let values else { return [] }
        let entry: TraceFrame
        switch values {
        case .array: entry = frame(820, 7, 46, anonymous)
        case .object: entry = frame(822, 7, 43, anonymous)
        default: entry = frame(824, 7, 48, anonymous)
        }
        guard let inner = formatCodeFrames(site) else { return [] }
        return inner + [entry]
    }

    private static let codesArr = "function <format_codes_arr>"
    private static let codesObj = "function <format_codes_obj>"

    /// The frames inside format_codes_arr / format_codes_obj for `site`.
    private static func formatCodeFrames(_ site: FormatSite) -> [TraceFrame]? {
        switch site.kind {
        case .tooManyValues:
            return [frame(727, 11, 86, codesArr), frame(733, 11, 59, codesArr)]
        case .missingWidth:
            guard !site.leftAligned else { return nil }
            return [frame(738, 15, 101, "object <anonymous>"),
                    frame(770, 27, 33, "thunk from <thunk <s_padded> from <\(codesArr)>>"),
                    frame(523, 15, 16, "thunk from <function <pad_left>>")]
                + paddingFrames + [frame(523, 7, 38, "function <pad_left>"),
                                   frame(770, 15, 39, "thunk <s_padded> from <\(codesArr)>")]
                + codeTail(object: false)
        case .missingValue:
            guard let force = forceFrames(site.conversion) else { return nil }
            return [frame(760, 15, 103, "thunk <val> from <\(codesArr)>"),
                    frame(765, 27, 30, "thunk from <thunk <s> from <\(codesArr)>>")]
                + force + codeSuffix(site, object: false)
        case .noSuchField:
            guard let force = forceFrames(site.conversion) else { return nil }
            return [frame(806, 15, 42, "thunk <val> from <\(codesObj)>"),
                    frame(811, 27, 30, "thunk from <thunk <s> from <\(codesObj)>>")]
                + force + codeSuffix(site, object: true)
        case .mappingKeysRequired:
            guard let force = forceFrames(site.conversion) else { return nil }
            return [frame(789, 15, 45, "thunk <f> from <\(codesObj)>"),
                    frame(803, 38, 39, "thunk from <thunk <val> from <\(codesObj)>>"),
                    frame(1579, 24, 25, "thunk from <function <anonymous>>"),
                    frame(1579, 5, 32, anonymous),
                    frame(803, 16, 40, "thunk <val> from <\(codesObj)>"),
                    frame(811, 27, 30, "thunk from <thunk <s> from <\(codesObj)>>")]
                + force + codeSuffix(site, object: true)
        case .requiredNumber:
            guard let line = forceLine(site.conversion), line != 635 else { return nil }
            return [frame(line + 1, 11, line + 2, 47, "function <format_code>")] + codeSuffix(site, object: site.object)
        case .charLength:
            return [frame(717, 13, 71, "function <format_code>")] + codeSuffix(site, object: site.object)
        case .charType:
            return [frame(719, 11, 69, "function <format_code>")] + codeSuffix(site, object: site.object)
        }
    }

    /// The line of go's format_code where conversion `c` first forces its value.
    private static func forceLine(_ c: UInt8) -> Int32? {
        switch c {
        case UInt8(ascii: "s"): return 635
        case UInt8(ascii: "d"), UInt8(ascii: "i"), UInt8(ascii: "u"): return 637
        case UInt8(ascii: "o"): return 643
        case UInt8(ascii: "x"), UInt8(ascii: "X"): return 650
        case UInt8(ascii: "f"), UInt8(ascii: "F"): return 662
        case UInt8(ascii: "e"), UInt8(ascii: "E"): return 674
        case UInt8(ascii: "g"), UInt8(ascii: "G"): return 687
        case UInt8(ascii: "c"): return 711
        default: return nil
        }
    }

    /// format_code forcing the value of conversion `c`.
    private static func forceFrames(_ c: UInt8) -> [TraceFrame]? {
        guard let line = forceLine(c) else { return nil }
        if line == 635 {
            return [frame(635, 22, 25, "thunk from <function <format_code>>"), frame(635, 9, 26, "function <format_code>")]
        }
        return [frame(line, 21, 24, "thunk from <function <format_code>>"), frame(line, 12, 25, "function <format_code>")]
    }

    /// go's `padding` helper, called from pad_left.
    private static let paddingFrames = [
        frame(519, 11, 12, "thunk from <function <padding>>"),
        frame(515, 12, 13, "function <aux>"),
        frame(519, 7, 17, "function <padding>"),
    ]

    /// From the `s` thunk of one code out to the format_codes_* function.
    private static func codeSuffix(_ site: FormatSite, object: Bool) -> [TraceFrame] {
        let codes = object ? codesObj : codesArr
        var out = [object ? frame(811, 15, 50, "thunk <s> from <\(codes)>") : frame(765, 15, 60, "thunk <s> from <\(codes)>")]
        if site.leftAligned {
            let line: Int32 = object ? 814 : 768
            out += [frame(line, 25, 26, "thunk from <thunk <s_padded> from <\(codes)>>"),
                    frame(527, 7, 10, "function <pad_right>"),
                    frame(line, 15, object ? 36 : 40, "thunk <s_padded> from <\(codes)>")]
        } else {
            let line: Int32 = object ? 816 : 770
            out += [frame(line, 24, 25, "thunk from <thunk <s_padded> from <\(codes)>>"),
                    frame(523, 30, 33, "thunk from <thunk from <function <pad_left>>>"),
                    frame(523, 19, 34, "thunk from <function <pad_left>>")]
                + paddingFrames
                + [frame(523, 7, 38, "function <pad_left>"),
                   frame(line, 15, object ? 35 : 39, "thunk <s_padded> from <\(codes)>")]
        }
        return out + codeTail(object: object)
    }

    /// The recursive call of format_codes_* that builds the output.
    private static func codeTail(object: Bool) -> [TraceFrame] {
        object ? [frame(817, 51, 59, "thunk from <\(codesObj)>"), frame(817, 11, 60, codesObj)]
            : [frame(776, 55, 63, "thunk from <\(codesArr)>"), frame(776, 11, 64, codesArr)]
    }
}
