// The desktop shell: one hardened window over the renderer, IPC generated from the contract, and
// the core running in this process (heavy work goes to workers as it arrives).
import { app, BrowserWindow, ipcMain, session, shell, type IpcMainInvokeEvent } from 'electron'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { ipcEventChannel } from '../shared/contract'
import { Workbench } from '../core/workbench'
import { registerIpc } from './ipc'

const here = fileURLToPath(new URL('.', import.meta.url))
const rendererIndex = join(here, '..', 'renderer', 'index.html')
const rendererUrl = pathToFileURL(rendererIndex).href
const defaultRun = join(app.getAppPath(), 'resources', 'demo-run')

/** `[PATH] [--workspace DIR]` after Electron's own arguments; the demo run by default. */
function parseCommandLine(argv: string[]): { runPath: string; workspace: string | undefined } {
  const { values, positionals } = parseArgs({
    args: argv.slice(app.isPackaged ? 1 : 2),
    options: { workspace: { type: 'string' } },
    allowPositionals: true,
    strict: false,
  })
  const workspace = typeof values.workspace === 'string' ? values.workspace : undefined
  return { runPath: positionals[0] ?? defaultRun, workspace }
}

const commandLine = parseCommandLine(process.argv)

let mainWindow: BrowserWindow | null = null

const workbench = new Workbench({
  transport: 'ipc',
  workspace: commandLine.workspace,
  emit: (event, payload) => mainWindow?.webContents.send(ipcEventChannel, { event, payload }),
})

/** Only our own renderer, loaded from disk, may call the core. */
function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url ?? ''
  return url.split('#')[0] === rendererUrl
}

function harden(): void {
  // Model output is untrusted: no new windows, no navigation away, no permissions.
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      if (/^https?:\/\//.test(url)) void shell.openExternal(url)
      return { action: 'deny' }
    })
    contents.on('will-navigate', (event, url) => {
      if (url.split('#')[0] !== rendererUrl) event.preventDefault()
    })
  })
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    show: false,
    title: 'Rubric Workbench',
    webPreferences: {
      preload: join(here, '..', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  })
  win.once('ready-to-show', () => win.show())
  void win.loadFile(rendererIndex)
  return win
}

app.whenReady().then(
  () => {
    harden()
    registerIpc(ipcMain, workbench.handlers, isTrustedSender)
    // Indexing starts before the window exists; the renderer's first requests wait for it.
    workbench.open(commandLine.runPath).catch((error: unknown) => {
      console.error(`rubric-workbench: ${(error as Error).message}`)
    })
    mainWindow = createWindow()
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow()
    })
  },
  (error: unknown) => {
    console.error(`rubric-workbench: Electron failed to start: ${(error as Error).message}`)
    app.exit(1)
  }
)

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
