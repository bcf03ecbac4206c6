// A train-step graph's session on a device, with the judge engine's rules: `auto` tries CUDA
// (where its provider is installed), then WebGPU, then the CPU, and says which ran and why the
// others did not; a named device that does not start is an error naming what to install.
import * as ort from 'onnxruntime-node'
import type { DeviceReport, JudgeDevice, ResolvedDevice } from '../../shared/judge'
import { cudaProviderPresent, deviceHints, runtimeReason } from '../judge/devices'

export class TrainingDeviceError extends Error {
  constructor(device: ResolvedDevice, reason: string) {
    super(`device ${device} is not available for training: ${reason}`)
    this.name = 'TrainingDeviceError'
  }
}

export async function trainingSession(
  model: Uint8Array,
  device: JudgeDevice,
  threads?: number
): Promise<{ session: ort.InferenceSession; device: DeviceReport }> {
  const candidates: ResolvedDevice[] = device === 'auto' ? ['cuda', 'webgpu', 'cpu'] : [device]
  const notes: string[] = []
  for (const candidate of candidates) {
    if (candidate === 'cuda' && device === 'auto' && !cudaProviderPresent()) {
      notes.push(`cuda: ${deviceHints.cuda}`)
      continue
    }
    try {
      const session = await ort.InferenceSession.create(model, {
        executionProviders: [candidate],
        ...(threads !== undefined && { intraOpNumThreads: threads }),
      })
      return { session, device: { requested: device, used: candidate, notes } }
    } catch (error) {
      const reason = runtimeReason(error)
      if (candidate === 'cpu') throw error
      const hint = `${reason} (${deviceHints[candidate as 'cuda' | 'webgpu']})`
      if (device !== 'auto') throw new TrainingDeviceError(candidate, hint)
      notes.push(`${candidate}: ${reason}`)
    }
  }
  throw new Error('no device could start the training session')
}
