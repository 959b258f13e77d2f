/// Where a VGG16 parameter sits: one of the five conv blocks (1…5, counted from the input) or the dense head.
public enum Block: Sendable, Hashable {
    case conv(Int)
    case head
}

/// How many conv blocks, counted from the input, are frozen: 0 trains everything, 5 only the head.
///
/// The one home of the count: the only check of its range, the one question "does this block train?" that the
/// passes and optimisers ask, and the one reader of its stored forms (the `frozen_blocks` field of `model.json`
/// and of training snapshots, the `palimpsest.frozen_blocks` metadata of a weights file).
public struct FreezeDepth: Sendable, Hashable, CustomStringConvertible {
    /// The counts there are.
    public static let range = 0...5
    /// Nothing frozen.
    public static let none = FreezeDepth(checked: 0)
    /// Every conv block frozen: only the head trains.
    public static let allConvBlocks = FreezeDepth(checked: 5)

    /// Frozen conv blocks, 0…5.
    public let blocks: Int

    /// A count the caller has already checked; outside 0…5 is a programmer error.
    public init(checked blocks: Int) {
        precondition(Self.range.contains(blocks), "freeze depth must be in 0...5, found \(blocks)")
        self.blocks = blocks
    }

    /// A count read from `field` of `file`; outside 0…5 is an error naming both.
    public init(_ blocks: Int, field: String, file: String) throws(CoreError) {
        guard Self.range.contains(blocks) else {
            throw CoreError.invalidField(file: file, field: field, expected: "an integer in 0…5 (frozen conv blocks)", found: "\(blocks)")
        }
        self.blocks = blocks
    }

    /// A count stored as text (safetensors metadata) under `field` of `file`; absent, not an integer or
    /// outside 0…5 is an error naming both.
    public init(text: String?, field: String, file: String) throws(CoreError) {
        guard let text, let blocks = Int(text) else {
            throw CoreError.invalidField(file: file, field: field, expected: "an integer in 0…5 (frozen conv blocks)", found: text.map { "'\($0)'" } ?? "nothing")
        }
        try self.init(blocks, field: field, file: file)
    }

    /// The stored text form (`"3"`).
    public var text: String { "\(blocks)" }

    public var description: String { text }

    /// Whether the parameters of `block` get gradients and updates.
    public func isTrainable(_ block: Block) -> Bool {
        switch block {
        case .conv(let b): return b > blocks
        case .head: return true
        }
    }
}
