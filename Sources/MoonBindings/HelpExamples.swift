/// A short runnable example for help entries, by entry name: `help(x)` shows x's after its
/// text, docs/api.md prints it, and Tests/lua/help_examples_test.lua runs every one.
enum HelpExamples {
    static let all: [String: String] = [:]
}
