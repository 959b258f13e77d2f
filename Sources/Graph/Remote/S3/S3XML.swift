import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An element of an S3 XML response (`ListBucketResult`, `Error`): its name, its own text and its child elements.
/// Namespaces are dropped from names (S3 puts everything in one).
struct S3XMLElement {
    var name: String
    var text = ""
    var children: [S3XMLElement] = []

    /// The first child called `name`.
    func child(_ name: String) -> S3XMLElement? { children.first { $0.name == name } }

    /// The text of the first child called `name`.
    subscript(_ name: String) -> String? { child(name)?.text }

    /// Parses a whole document; nil when `data` is not well-formed XML (an HTML error page from a proxy, say).
    static func parse(_ data: Data) -> S3XMLElement? {
        let parser = XMLParser(data: data)
        let builder = Builder()
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else { return nil }
        return root
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var stack: [S3XMLElement] = []
        var root: S3XMLElement?

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            stack.append(S3XMLElement(name: name.split(separator: ":").last.map(String.init) ?? name))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if !stack.isEmpty { stack[stack.count - 1].text += string }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            guard let element = stack.popLast() else { return }
            if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
        }
    }
}
