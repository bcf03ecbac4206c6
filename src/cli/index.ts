// The command-line front door over the same core as the desktop app.
import type { TrainOptions } from './train'
import { Command, InvalidArgumentError, Option } from 'commander'
import { judgeDevices, judgeProtocols, modelDtypes } from '../shared/judge'
import type { JudgeOptions } from './judge'
import type { GenerateOptions } from './rubrics'
import { VERSION } from '../core/version'
import { demoRunPath } from './paths'

function parsePort(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('a port is a whole number from 0 to 65535')
  return n
}

function positiveInt(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1')
  return n
}

function positiveNumber(value: string): number {
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number > 0')
  return n
}

function wholeNumber(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number ≥ 0')
  return n
}

function seedInt(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 32 - 1)
    throw new InvalidArgumentError('a seed is a whole number from 0 to 4294967295')
  return n
}

export function buildProgram(): Command {
  const program = new Command()
  program
    .name('rubric-workbench')
    .description(
      'Audit rubric-rewarded training runs: checkpoints, rubrics, judge verdicts and temporal pairs.'
    )
    .version(VERSION)
    .showHelpAfterError()

  program
    .command('inspect')
    .description('Summarize a run: counts, checkpoints, and every line that could not be read')
    .argument(
      '<path>',
      'an EvoLM output folder, a workbench run folder, or a preference / RewardBench-2 JSONL file'
    )
    .option('--json', 'print exactly one JSON object')
    .option(
      '--workspace <dir>',
      "the run's workspace folder (default: one per run in the user's app-data folder)"
    )
    .action(async (path: string, opts: { json?: boolean; workspace?: string }) => {
      // Commands load their code on demand: `inspect` starts faster without the server's modules.
      const { inspectCommand } = await import('./inspect')
      process.exitCode = await inspectCommand(path, opts, (line) => console.log(line))
    })

  program
    .command('serve')
    .description('Serve the workbench to a browser (for remote machines, through an SSH tunnel)')
    .argument('[path]', 'the run to open', demoRunPath)
    .option(
      '--host <host>',
      'address to listen on; anything but loopback is reachable from other machines',
      '127.0.0.1'
    )
    .option('--port <port>', 'port to listen on (0 picks a free one)', parsePort, 8765)
    .option(
      '--workspace <dir>',
      "the run's workspace folder (default: one per run in the user's app-data folder)"
    )
    .action(async (path: string, opts: { host: string; port: number; workspace?: string }) => {
      try {
        const { serveCommand } = await import('./serve')
        const handle = await serveCommand(
          path,
          opts,
          (l) => console.log(l),
          (l) => console.error(l)
        )
        const stop = (): void => void handle.server.close().then(() => process.exit(0))
        process.once('SIGINT', stop)
        process.once('SIGTERM', stop)
      } catch (error) {
        const e = error as NodeJS.ErrnoException
        const message =
          e.code === 'EADDRINUSE'
            ? `port ${opts.port} is already in use; pass --port 0 for a free one`
            : e.message
        console.error(`rubric-workbench: ${message}`)
        process.exitCode = 2
      }
    })
  program
    .command('label')
    .description(
      'Import labels from CSV or JSONL (pair_id,label[,note], or an `export --what labels` file); prints "saved <pair-id>" once on disk'
    )
    .argument('<path>', 'the run the labels belong to')
    .requiredOption(
      '--from <file>',
      `CSV (pair_id,label[,note], or the export's columns) or JSONL; labels are newer, older, tie, both-bad, skip`
    )
    .option('--annotator <name>', 'whose labels these are (for rows that name no annotator)')
    .option(
      '--workspace <dir>',
      "the run's workspace folder (default: one per run in the user's app-data folder)"
    )
    .action(async (path: string, opts: { from: string; annotator?: string; workspace?: string }) => {
      const { labelCommand } = await import('./labels')
      process.exitCode = await labelCommand(
        path,
        opts,
        (l) => console.log(l),
        (l) => console.error(l)
      )
    })

  program
    .command('labels')
    .description("Print every label in a run's workspace")
    .argument('<path>', 'the run')
    .option('--json', 'print one JSON array of {pair_id, label, annotator, time}')
    .option(
      '--workspace <dir>',
      "the run's workspace folder (default: one per run in the user's app-data folder)"
    )
    .action(async (path: string, opts: { json?: boolean; workspace?: string }) => {
      const { labelsCommand } = await import('./labels')
      process.exitCode = await labelsCommand(
        path,
        opts,
        (l) => console.log(l),
        (l) => console.error(l)
      )
    })
  program
    .command('judge')
    .description(
      "Score a run's pairs with a local judge; results go to the run's workspace and a rerun skips what is done"
    )
    .argument('<path>', 'the run')
    .addOption(
      new Option('--protocol <protocol>', 'how the judge scores')
        .choices(judgeProtocols)
        .makeOptionMandatory()
    )
    .option(
      '--model <dir>',
      'a Hugging Face-style model folder with onnx/model*.onnx (default: the smoke-test judge)'
    )
    .option(
      '--endpoint <url>',
      'an OpenAI-compatible server instead of a local model (e.g. http://gpu-box:8000/v1)'
    )
    .option('--model-name <name>', 'the model name the endpoint serves the judge under')
    .option(
      '--api-key-env <var>',
      'the environment variable holding the endpoint API key (e.g. OPENAI_API_KEY)'
    )
    .option('--concurrency <n>', 'endpoint requests in flight at once (default 8)', positiveInt)
    .option('--timeout <seconds>', 'endpoint request timeout (default 120)', positiveNumber)
    .option(
      '--retries <n>',
      'endpoint retries on 429, 5xx, timeouts and dropped connections (default 4)',
      wholeNumber
    )
    .option('--template <file>', "a judge template file (default: the protocol's bundled template)")
    .option('--no-rubric', 'judge without the rubric (the baseline that shows what the rubric adds)')
    .option(
      '--generated-rubrics <template>',
      'judge under the rubrics `rubrics generate` wrote with this template (e.g. rubric-v3)'
    )
    .option('--generator <id>', 'with --generated-rubrics: the generator, when several wrote that template')
    .addOption(
      new Option('--device <device>', 'where to run; auto picks the fastest that starts')
        .choices(judgeDevices)
        .default('auto')
    )
    .addOption(
      new Option('--dtype <dtype>', 'which weights of the folder (onnx/model.onnx, _fp16, _quantized, _q4)')
        .choices(modelDtypes)
        .default('fp32')
    )
    .option('--batch <n>', 'sequences per forward pass (default: 1 on CPU, 8 on a GPU)', positiveInt)
    .option('--no-prefix-cache', 'recompute shared prefixes for every sequence (for comparison)')
    .option('--limit <n>', 'only the first N pairs of the selection', positiveInt)
    .option('--checkpoint <id>', "only pairs in this checkpoint's window (e.g. policy-50)")
    .option('--queue <id>', 'only the pairs of this audit queue')
    .option('--seed <n>', 'seed of sampled protocols (pointwise-json)', seedInt, 0)
    .option('--json', 'print one JSON line at the end: {"scored","skipped","failed","seconds","device"}')
    .option(
      '--workspace <dir>',
      "the run's workspace folder (default: one per run in the user's app-data folder)"
    )
    .action(async (path: string, opts: JudgeOptions) => {
      const { judgeCommand } = await import('./judge')
      process.exitCode = await judgeCommand(
        path,
        opts,
        (l) => console.log(l),
        (l) => console.error(l)
      )
    })
  program
    .command('rubrics')
    .description('Rubrics the workbench writes itself')
    .command('generate')
    .description(
      "Generate K rubrics per prompt into the run's workspace; a rerun writes only what is missing"
    )
    .argument('<path>', 'the run')
    .requiredOption(
      '--template <v2|v3|file>',
      'v2 (5–10 criteria), v3 (a dealbreaker + 2–5 criteria), or a template file'
    )
    .requiredOption('-k, --k <n>', 'rubrics per prompt', positiveInt)
    .option('--model <dir>', 'a local model folder (default: the smoke-test model)')
    .option('--endpoint <url>', 'an OpenAI-compatible server instead of a local model')
    .option('--model-name <name>', 'the model name the endpoint serves')
    .option('--api-key-env <var>', 'the environment variable holding the endpoint API key')
    .option('--concurrency <n>', 'endpoint requests in flight at once (default 8)', positiveInt)
    .addOption(
      new Option('--dtype <dtype>', 'which weights of the folder').choices(modelDtypes).default('fp32')
    )
    .addOption(
      new Option('--device <device>', 'where a local model runs').choices(judgeDevices).default('auto')
    )
    .option('--limit <n>', 'only the first N prompts', positiveInt)
    .option('--seed <n>', 'sampling seed', seedInt, 0)
    .option(
      '--json',
      'print one JSON line at the end: {"generated","skipped","valid","invalid","failed","seconds"}'
    )
    .option(
      '--workspace <dir>',
      "the run's workspace folder (default: one per run in the user's app-data folder)"
    )
    .action(async (path: string, opts: GenerateOptions) => {
      const { rubricsGenerateCommand } = await import('./rubrics')
      process.exitCode = await rubricsGenerateCommand(
        path,
        opts,
        (l) => console.log(l),
        (l) => console.error(l)
      )
    })

  program
    .command('utility')
    .description(
      'Discriminative utility per judge, rubric and criterion: newer scored above older (or agreement with people), margin, added value'
    )
    .argument('<path>', 'the run')
    .addOption(
      new Option('--labels <labels>', 'measure against the temporal label (newer is better) or the human one')
        .choices(['temporal', 'human'])
        .default('temporal')
    )
    .option(
      '--json',
      'print one JSON array of rows {level, judge, rubric_id, criterion, n, accuracy, accuracy_low, accuracy_high, margin, added_value, …}'
    )
    .option(
      '--workspace <dir>',
      "the run's workspace folder (default: one per run in the user's app-data folder)"
    )
    .action(
      async (path: string, opts: { labels: 'temporal' | 'human'; json?: boolean; workspace?: string }) => {
        const { utilityCommand } = await import('./utility')
        process.exitCode = await utilityCommand(
          path,
          opts,
          (l) => console.log(l),
          (l) => console.error(l)
        )
      }
    )

  program
    .command('export')
    .description(
      'Export rubrics (with their evidence), human-verified preference pairs, audit labels or the offline report'
    )
    .argument('<path>', 'the run')
    .addOption(
      new Option('--what <what>', 'what to export')
        .choices(['rubrics', 'pairs', 'labels', 'report'])
        .makeOptionMandatory()
    )
    .option(
      '--format <format>',
      'rubrics: native|evolm|rar|prometheus|hf (a dataset folder); pairs: jsonl|parquet; labels: jsonl|csv; report: html (default: the first)'
    )
    .requiredOption('--out <file-or-dir>', 'where to write (outside the run folder)')
    .option('--force', 'replace the output if it exists')
    .option('--set <name>', 'a curated set instead of the whole run')
    .option(
      '--workspace <dir>',
      "the run's workspace folder (default: one per run in the user's app-data folder)"
    )
    .action(
      async (
        path: string,
        opts: {
          what: string
          format?: string
          out: string
          force?: boolean
          set?: string
          workspace?: string
        }
      ) => {
        const { exportCommand } = await import('./export')
        process.exitCode = await exportCommand(
          path,
          opts,
          (l) => console.log(l),
          (l) => console.error(l)
        )
      }
    )

  program
    .command('train')
    .description(
      'Train a small head on the run: criterion weights from per-criterion verdicts, or a scalar reward head on response embeddings; saved in the workspace'
    )
    .argument('<path>', 'the run')
    .addOption(
      new Option('--head <head>', 'criteria: criterion weights; reward: a Bradley–Terry head on embeddings')
        .choices(['criteria', 'reward'])
        .makeOptionMandatory()
    )
    .addOption(
      new Option('--labels <labels>', "train on the temporal label (newer is better) or on people's labels")
        .choices(['temporal', 'human'])
        .default('temporal')
    )
    .option(
      '--judge <id>',
      'criteria head: the judge whose per-criterion verdicts to learn from (default: the first that has them)'
    )
    .option(
      '--model <dir>',
      'reward head: the model folder that embeds responses (default: the smoke-test judge)'
    )
    .addOption(
      new Option('--dtype <dtype>', "the embedding model's weights")
        .choices(['fp32', 'fp16', 'q8', 'q4'])
        .default('fp32')
    )
    .addOption(
      new Option(
        '--device <device>',
        'where embeddings and training steps run (auto: CUDA, then WebGPU, then CPU)'
      )
        .choices(['cpu', 'auto', 'webgpu', 'cuda'])
        .default('cpu')
    )
    .option(
      '--epochs <n>',
      'at most this many passes; stops early when validation stops improving (default: 30 criteria, 40 reward)'
    )
    .option('--seed <n>', 'the split and shuffling seed', '0')
    .option('--lr <rate>', 'the learning rate (default: 0.05 criteria, 0.003 reward)')
    .option('--batch <n>', 'pairs per step (default: 16 criteria, 32 reward)')
    .option('--json', 'print only the final JSON line on stdout')
    .option(
      '--workspace <dir>',
      "the run's workspace folder (default: one per run in the user's app-data folder)"
    )
    .action(async (path: string, opts: TrainOptions) => {
      const { trainCommand } = await import('./train')
      process.exitCode = await trainCommand(
        path,
        opts,
        (l) => console.log(l),
        (l) => console.error(l)
      )
    })

  const models = program
    .command('models')
    .description('Model folders from a Hugging Face Hub, for local judges')
  models
    .command('pull')
    .description('Download (or finish downloading) a model folder into the local cache; prints its path')
    .argument('<repo>', 'the hub repo id, e.g. onnx-community/Qwen3-1.7B-ONNX')
    .option('--revision <rev>', 'a branch, tag or commit', 'main')
    .option('--include <glob...>', 'only files matching these globs (e.g. "*.json" "onnx/model_q4.onnx")')
    .option('--hub <url>', 'the hub or a mirror (default https://huggingface.co; HF_TOKEN for private repos)')
    .option('--cache <dir>', "where models go (default: the app-data folder's rubric-workbench/models)")
    .option(
      '--idle-timeout <seconds>',
      'give up on a download that receives nothing for this long (default 60)',
      positiveNumber
    )
    .action(
      async (
        repo: string,
        opts: { revision: string; include?: string[]; hub?: string; cache?: string; idleTimeout?: number }
      ) => {
        const { modelsPullCommand } = await import('./models')
        process.exitCode = await modelsPullCommand(
          repo,
          opts,
          (l) => console.log(l),
          (l) => console.error(l)
        )
      }
    )
  models
    .command('list')
    .description('The model folders in the local cache')
    .option('--cache <dir>', "the cache (default: the app-data folder's rubric-workbench/models)")
    .option('--json', 'print one JSON array')
    .action(async (opts: { cache?: string; json?: boolean }) => {
      const { modelsListCommand } = await import('./models')
      process.exitCode = await modelsListCommand(opts, (l) => console.log(l))
    })
  return program
}

await buildProgram().parseAsync(process.argv)
