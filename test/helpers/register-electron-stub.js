// Tests never load the real `electron` package (from plain Node it would download a binary):
// this resolve hook maps the bare specifier to a recording stub.
import { register } from 'node:module'

register('./electron-stub-hooks.js', import.meta.url)
