import Foundation

/// Text shown literally inside HTML in a comment (`<pre>`): with `<`, `>` and `&` escaped it
/// cannot end the element, open a tag or an HTML comment (so no hidden marker), and Markdown
/// inside an HTML block is not interpreted.
enum HTMLText {
    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}
