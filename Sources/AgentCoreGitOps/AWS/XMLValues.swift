import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The text of each element in a small XML document, by element name, first occurrence wins.
/// Enough for the XML AWS answers with here (STS credentials, S3 and STS errors), whose element
/// names are unique where we read them.
struct XMLValues {
    private var values: [String: String] = [:]

    init(_ data: Data) {
        let collector = Collector()
        let parser = XMLParser(data: data)
        parser.delegate = collector
        _ = parser.parse()
        values = collector.values
    }

    subscript(name: String) -> String? { values[name] }

    private final class Collector: NSObject, XMLParserDelegate {
        var values: [String: String] = [:]
        private var text = ""

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
        ) {
            text = ""
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            text += string
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty, values[elementName] == nil { values[elementName] = trimmed }
            text = ""
        }
    }
}
