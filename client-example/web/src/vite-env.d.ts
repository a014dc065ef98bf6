// Vite's client types: what `import './styles.css'` and the other asset imports Vite bundles resolve to, so the
// type check (TypeScript 7 checks side-effect imports) knows them.
/// <reference types="vite/client" />
