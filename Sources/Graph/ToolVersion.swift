/// Palimpsest's release version, printed by `--version` and recorded in every cache manifest.
public enum ToolVersion {
    public static let string = "0.1.0"
}
