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
  appListeners: new Map(),
  permissionHandler: null,
})

export const app = {
  isPackaged: false,
  getAppPath: () => process.cwd(),
  whenReady: () => Promise.resolve(),
  on(event, fn) {
    state.appListeners.set(event, fn)
    return app
  },
  quit: () => {},
  exit: (code) => process.exit(code),
}

export const ipcMain = {
  handle(channel, fn) {
    if (state.handlers.has(channel)) throw new Error(`second handler for ${channel}`)
    state.handlers.set(channel, fn)
  },
}

export const session = {
  defaultSession: {
    setPermissionRequestHandler(fn) {
      state.permissionHandler = fn
    },
  },
}

/** What the app's web-contents hooks do with a window.open and two navigations. */
function probeHardening(rendererUrl) {
  let openHandler = null
  const navigation = []
  const contents = {
    setWindowOpenHandler: (fn) => (openHandler = fn),
    on: (event, fn) => event === 'will-navigate' && navigation.push(fn),
  }
  state.appListeners.get('web-contents-created')?.({}, contents)
  const navigate = (url) => {
    let prevented = false
    for (const fn of navigation) fn({ preventDefault: () => (prevented = true) }, url)
    return prevented
  }
  let permission = null
  state.permissionHandler?.({}, 'media', (granted) => (permission = granted))
  return {
    windowOpen: openHandler?.({ url: 'https://example.org/' }) ?? null,
    foreignNavigationPrevented: navigate('https://evil.example/'),
    ownNavigationPrevented: navigate(`${rendererUrl}#/pairs`),
    permissionGranted: permission,
  }
}
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
      hardening: probeHardening(url),
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
