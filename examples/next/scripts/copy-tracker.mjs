// Copies the tracker's script tag into public/, so the site serves it itself as /idstitch.js.
import { copyFileSync } from 'node:fs'
import { createRequire } from 'node:module'

copyFileSync(createRequire(import.meta.url).resolve('@idstitch/tracker/script'), new URL('../public/idstitch.js', import.meta.url))
