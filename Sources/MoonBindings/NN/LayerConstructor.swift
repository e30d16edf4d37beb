import LuaKit
import MoonBase
import MoonNN

extension ModuleBuilder {
    /// `nn.<className>(...)` for a layer whose options, doc and name are its declaration's
    /// (`T.Config`, `T.summary`, `T.className`); `name=` is every layer's.
    func layer<T: ConfigurableLayer>(_ type: T.Type) {
        function(T.className, options: T.Config.self, doc: T.summary, extra: ["name"]) { L, config, extra in
            let layerName = try extraOption(extra, "name", String.self, L.fn) ?? ""
            L.push(layer: try T(config: config, name: layerName))
            return 1
        }
    }
}
