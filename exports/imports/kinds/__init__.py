"""The import kinds, one module each; `exports.imports.registry` lists them."""
