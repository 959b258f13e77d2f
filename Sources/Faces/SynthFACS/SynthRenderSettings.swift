/// The rendering and writing settings every SynthFACS layout shares, so callers (the CLI, node kinds) set them
/// in one place whatever the layout.
public protocol SynthRenderSettings {
    /// Image side in pixels.
    var size: Int { get set }
    var seed: UInt64 { get set }
    /// 1 (grey) or 3 (RGB).
    var channels: Int { get set }
    /// Render and write on this many threads (the output bytes do not depend on it).
    var threads: Int { get set }
    /// Deflate PNGs instead of storing them.
    var compressPNG: Bool { get set }
}

extension SynthAffectNetOptions: SynthRenderSettings {}
extension SynthUNBCOptions: SynthRenderSettings {}
extension SynthCKPlusOptions: SynthRenderSettings {}
