import LuaKit
import MoonBase
import MoonNN

extension ModuleBuilder {
    /// `nn.<name>(...)` for a layer whose options are one declaration (`T.Config`); `name=`
    /// is every layer's.
    func layer<T: ConfigurableLayer>(_ type: T.Type, _ fname: String, _ doc: String) {
        function(fname, options: T.Config.self, doc: doc, extra: ["name"]) { L, config, extra in
            let layerName = try extraOption(extra, "name", String.self, "nn.\(fname)") ?? ""
            L.push(layer: try T(config: config, name: layerName))
            return 1
        }
    }
}
