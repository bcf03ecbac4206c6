// What the device choices mean on this machine, told before a job starts. Nothing here loads the
// runtime: the desktop app's main process stays free of native inference code, and whether a GPU
// really works is only known when the judge host tries it (it then reports why it fell back).
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { JudgeDeviceOption } from '../../shared/judge'

function runtimeLibraryDir(): string | null {
  try {
    const root = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'))
    return join(root, 'bin', 'napi-v6', process.platform, process.arch)
  } catch {
    return null
  }
}

/** What to do when a GPU device does not start. */
export const deviceHints: Record<'cuda' | 'webgpu', string> = {
  cuda: 'the CUDA provider is not installed; with CUDA 12 and internet, reinstall with ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node',
  webgpu: 'no WebGPU adapter (the bundled Dawn needs a GPU with a Vulkan driver and libvulkan.so.1)',
}

/** The reason in a runtime error, on one line (its source location and failed assertion dropped). */
export function runtimeReason(error: unknown): string {
  // Runtime errors open with a source location and a failed assertion; the reason follows.
  const text = (error instanceof Error ? error.message : String(error)).replace(/^[^\n]*? was false\.\s*/, '')
  const line = text.split('\n').find((l) => l.trim() !== '') ?? text
  return line.length > 300 ? `${line.slice(0, 300)}…` : line
}

export function cudaProviderPresent(): boolean {
  const dir = runtimeLibraryDir()
  return dir !== null && existsSync(join(dir, 'libonnxruntime_providers_cuda.so'))
}

export function deviceOptions(): JudgeDeviceOption[] {
  const cuda = cudaProviderPresent()
  return [
    {
      device: 'auto',
      note: 'the fastest device that starts: CUDA, then WebGPU, then CPU; the job says which ran and why',
    },
    { device: 'cpu', note: 'always available' },
    {
      device: 'webgpu',
      note: 'bundled (Dawn over Vulkan); needs a GPU with a Vulkan driver, checked when the job starts',
    },
    {
      device: 'cuda',
      note: cuda
        ? 'the CUDA provider is installed; needs CUDA 12 and cuDNN 9 libraries'
        : 'not installed: with CUDA 12, run ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node',
    },
  ]
}
