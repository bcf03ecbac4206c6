// A recording stand-in for the `electron` module, for tests that load the main process bundle
// or the preload script in plain Node. It does what those scripts ask of Electron and writes
// down what they asked. With ELECTRON_STUB_REPORT set, loading a window also calls the
// registered IPC handlers the way a renderer would and writes the results to that file.
import { writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

const state = (globalThis.__electronStub ??= {
  handlers: new Map(),
  windows: [],
  exposed: new Map(),
  invoke: async () => {
    throw new Error('no ipcRenderer.invoke handler set by the test')
  },
  rendererListeners: new Map(),
})

export const app = {
  isPackaged: false,
  getAppPath: () => process.cwd(),
  whenReady: () => Promise.resolve(),
  on: () => app,
  quit: () => {},
  exit: (code) => process.exit(code),
}

export const ipcMain = {
  handle(channel, fn) {
    if (state.handlers.has(channel)) throw new Error(`second handler for ${channel}`)
    state.handlers.set(channel, fn)
  },
}

export const session = { defaultSession: { setPermissionRequestHandler() {} } }
export const shell = { openExternal: async () => {} }

export class BrowserWindow {
  static getAllWindows() {
    return state.windows
  }
  constructor(options) {
    this.options = options
    this.webContents = { send: () => {}, on: () => {} }
    state.windows.push(this)
  }
  once() {}
  show() {}
  async loadFile(file) {
    this.loadedFile = file
    const report = process.env.ELECTRON_STUB_REPORT
    if (report === undefined) return
    const url = pathToFileURL(file).href
    const call = (channel, args, frameUrl) =>
      state.handlers.get(channel)?.({ senderFrame: { url: frameUrl } }, args)
    const result = {
      channels: [...state.handlers.keys()],
      webPreferences: this.options.webPreferences,
      loadedFile: file,
      summary: await call('rw:run.summary', {}, url),
      malformed: await call('rw:pairs.get', { id: 42 }, url),
      untrusted: await call('rw:run.summary', {}, 'https://evil.example/'),
    }
    writeFileSync(report, JSON.stringify(result))
    process.exit(0)
  }
}

export const contextBridge = {
  exposeInMainWorld(key, api) {
    state.exposed.set(key, api)
  },
}

export const ipcRenderer = {
  invoke: (channel, args) => state.invoke(channel, args),
  on(channel, fn) {
    state.rendererListeners.set(fn, channel)
  },
  off(_channel, fn) {
    state.rendererListeners.delete(fn)
  },
}

export default { app, ipcMain, session, shell, BrowserWindow, contextBridge, ipcRenderer }
