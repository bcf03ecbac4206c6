// The loop both heads train with: shuffled batches each epoch (seeded), the validation loss and
// accuracy after each, early stopping when the validation loss has not improved for `patience`
// epochs, and the best epoch's parameters kept. `shouldStop` ends the loop between steps.
import type { CurvePoint, TrainedHead } from '../../shared/training'
import { mulberry32, shuffled } from '../../shared/seeded-random'

export interface Trainable<P, S> {
  /** One optimiser step on a full batch; its mean loss. */
  step(batch: P[]): Promise<number>
  /** Mean loss and accuracy on the held-out pairs (NaN when there are none). */
  evaluate(): Promise<{ loss: number; accuracy: number }>
  snapshot(): S
  restore(snapshot: S): void
}

export interface FitOptions {
  epochs: number
  patience: number
  batch: number
  seed: number
  shouldStop?: () => boolean
  onEpoch?: (point: CurvePoint) => void
  /** Steps done of all steps planned (epochs × batches), as they happen. */
  onStep?: (done: number, total: number) => void
}

export interface Fitted {
  curve: CurvePoint[]
  bestEpoch: number
  stopped: boolean
}

export async function fit<P, S>(
  train: readonly P[],
  model: Trainable<P, S>,
  options: FitOptions
): Promise<Fitted> {
  const random = mulberry32(options.seed)
  const curve: CurvePoint[] = []
  const perEpoch = Math.floor(train.length / options.batch)
  let best = { loss: Infinity, snapshot: model.snapshot(), epoch: 0 }
  let stopped = false
  let done = 0
  for (let epoch = 1; epoch <= options.epochs && !stopped; epoch++) {
    const order = shuffled(train, random)
    let loss = 0
    let steps = 0
    for (let b = 0; b + options.batch <= order.length; b += options.batch) {
      if (options.shouldStop?.() === true) {
        stopped = true
        break
      }
      loss += await model.step(order.slice(b, b + options.batch))
      steps++
      options.onStep?.(++done, perEpoch * options.epochs)
    }
    if (stopped) break
    const held = await model.evaluate()
    // NaN would travel as null in JSON anyway: say so in the type.
    const finite = (x: number): number | null => (Number.isFinite(x) ? x : null)
    const point = {
      epoch,
      trainLoss: finite(loss / steps),
      validLoss: finite(held.loss),
      validAccuracy: finite(held.accuracy),
    }
    curve.push(point)
    options.onEpoch?.(point)
    // Without held-out pairs, early stopping watches the training loss.
    const score = point.validLoss ?? point.trainLoss ?? Infinity
    if (score < best.loss) best = { loss: score, snapshot: model.snapshot(), epoch }
    else if (epoch - best.epoch >= options.patience) break
  }
  model.restore(best.snapshot)
  if (!stopped && best.epoch === 0)
    throw new Error('the training diverged: no epoch ended with a finite loss (try a lower learning rate)')
  return { curve, bestEpoch: best.epoch, stopped }
}

/** What a saved head records of its split and its training, the same for every head. */
export function fitFields(
  train: readonly { promptId: string }[],
  valid: readonly { promptId: string }[],
  options: { seed: number; validShare: number },
  fitted: Fitted
): Pick<TrainedHead, 'seed' | 'validShare' | 'pairs' | 'prompts' | 'epochs' | 'bestEpoch' | 'curve'> {
  return {
    seed: options.seed,
    validShare: options.validShare,
    pairs: { train: train.length, valid: valid.length },
    prompts: {
      train: new Set(train.map((p) => p.promptId)).size,
      valid: new Set(valid.map((p) => p.promptId)).size,
    },
    epochs: fitted.curve.length,
    bestEpoch: fitted.bestEpoch,
    curve: fitted.curve,
  }
}
