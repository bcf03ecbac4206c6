// `rubric-workbench train PATH --head criteria|reward [--labels temporal|human] [--judge ID]
// [--epochs N] [--seed N] [--json]`: trains a small head on the run and saves it in the
// workspace. Prints a line per epoch (train loss, validation loss and accuracy); the last line is
// one JSON object with the metrics and the saved model's path.
import { figureLine } from './utility-format'
import { withWorkbench, type Print, type RunOptions } from './open-workbench'

export type TrainOptions = RunOptions & {
  head: 'criteria' | 'reward'
  labels: 'temporal' | 'human'
  judge?: string
  epochs: string
  seed: string
  lr?: string
  device?: string
  json?: boolean
}

export async function trainCommand(
  path: string,
  options: TrainOptions,
  out: Print,
  err: Print
): Promise<number> {
  const epochs = Number(options.epochs)
  const seed = Number(options.seed)
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > 10_000) {
    err('rubric-workbench: --epochs must be a whole number from 1 to 10000')
    return 2
  }
  if (!Number.isInteger(seed) || seed < 0) {
    err('rubric-workbench: --seed must be a whole number ≥ 0')
    return 2
  }
  if (options.device !== undefined && options.device !== 'cpu' && options.device !== 'auto') {
    err(
      `rubric-workbench: training runs on the CPU in this version; --device ${options.device} is not available`
    )
    return 2
  }
  if (options.head === 'reward') {
    err(
      'rubric-workbench: the reward head trains on response embeddings from the judge model, which the judge engine does not export yet; --head criteria trains on per-criterion verdicts'
    )
    return 2
  }
  return withWorkbench(path, options, err, async (wb) => {
    const result = await wb.trainCriterionWeights({
      judge: options.judge ?? null,
      labels: options.labels,
      epochs,
      seed,
      lr: options.lr === undefined ? 0.05 : Number(options.lr),
      validShare: 0.2,
      patience: 3,
      batch: 16,
      onEpoch: (e) =>
        err(
          `epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(4)}, validation loss ${e.validLoss.toFixed(4)}, accuracy ${(e.validAccuracy * 100).toFixed(1)}%`
        ),
    })
    if (options.json !== true) {
      out(
        `criterion weights from ${result.judge}, ${result.labels} labels, split by prompt: ${result.pairs.train} pairs to train, ${result.pairs.valid} to validate`
      )
      out(figureLine('held-out accuracy, learned weights', result.validAccuracy))
      out(figureLine("held-out accuracy, the generator's weights", result.baselineAccuracy))
      for (const [cluster, m] of Object.entries(result.multipliers)) out(`  ${cluster}: × ${m.toFixed(3)}`)
      out(`saved ${result.model}`)
    }
    out(
      JSON.stringify({
        head: result.head,
        judge: result.judge,
        labels: result.labels,
        train_pairs: result.pairs.train,
        valid_pairs: result.pairs.valid,
        epochs: result.epochs,
        valid_accuracy: result.validAccuracy,
        baseline_accuracy: result.baselineAccuracy,
        final_train_loss: result.curve.at(-1)?.trainLoss ?? null,
        final_valid_loss: result.curve.at(-1)?.validLoss ?? null,
        multipliers: result.multipliers,
        model: result.model,
        metadata: result.metadata,
      })
    )
    return 0
  })
}
