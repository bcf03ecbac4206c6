/**
 * Generates the demo run that ships with Rubric Workbench: an EvoLM-shaped output tree (generation
 * logs, qualitative evals, manifest, checkpoint stubs, prompt metadata) small enough to commit yet
 * rich enough that every view has something to show: regressions, near-identical pairs, rubrics that
 * leak right and wrong answers, invalid rubrics, judge parse failures and ties.
 *
 * Determinism is the point: every random draw comes from a PRNG seeded by a string that names the
 * draw site, and timestamps are derived from the training step, so two runs write byte-identical
 * files. The output is committed, and a noisy regeneration would bury real changes in the diff.
 *
 * Usage: npx tsx scripts/generate-demo-run.ts [outDir]   (default: resources/demo-run)
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { NO_RRD as NO_RRD_FIELDS } from './lib/evolm-row'
import { mulberry32, type Rng } from '../src/shared/seeded-random'

// ---------------------------------------------------------------------------------------------
// Run shape
// ---------------------------------------------------------------------------------------------

const SEED = 'evolm-demo-run-v1'
const TOTAL_STEPS = 200
/** K in the paper: K policy steps, then K rubric steps, repeated. */
const PHASE_LENGTH = 50
const POLICY_CHECKPOINT_EVERY = 25
const MIN_GAP = 5
const MAX_GAP = 100
const RUN_START_MS = Date.UTC(2026, 3, 14, 9, 0, 0)
const STEP_MS = 6 * 60 * 1000
const EXAMPLE_MS = 7 * 1000
const MIN_RESPONSE_CHARS = 300
const MAX_RESPONSE_CHARS = 3000
/** JSON.stringify turns NaN into null; Python writes a bare NaN, so we smuggle it through a string. */
const NAN_PLACEHOLDER = '__EVOLM_DEMO_NAN__'

type Phase = 'policy' | 'rubric'

function phaseOf(step: number): Phase {
  return Math.floor((step - 1) / PHASE_LENGTH) % 2 === 0 ? 'policy' : 'rubric'
}

/** The rubric generator a policy step uses is the one saved at the end of the last rubric phase. */
function rubricModelStepFor(policyStep: number): number {
  return Math.floor((policyStep - 1) / (2 * PHASE_LENGTH)) * 2 * PHASE_LENGTH
}

function range(from: number, to: number, step = 1): number[] {
  const out: number[] = []
  for (let i = from; i <= to; i += step) out.push(i)
  return out
}

const POLICY_CHECKPOINTS = range(POLICY_CHECKPOINT_EVERY, TOTAL_STEPS, POLICY_CHECKPOINT_EVERY)
const RUBRIC_CHECKPOINTS = range(PHASE_LENGTH, TOTAL_STEPS, PHASE_LENGTH)

function timestampFor(step: number, exampleIndex: number): string {
  return new Date(RUN_START_MS + step * STEP_MS + exampleIndex * EXAMPLE_MS).toISOString()
}

// ---------------------------------------------------------------------------------------------
// Seeded randomness
// ---------------------------------------------------------------------------------------------

/**
 * One stream per draw site, keyed by what it describes (FNV-1a of the key), so adding a prompt or
 * a row never reshuffles unrelated output.
 */
function rngFor(...parts: ReadonlyArray<string | number>): Rng {
  let hash = 0x811c9dc5
  for (const ch of `${SEED}|${parts.join('|')}`) {
    hash ^= ch.codePointAt(0) ?? 0
    hash = Math.imul(hash, 0x01000193)
  }
  return mulberry32(hash >>> 0)
}

function at<T>(items: readonly T[], index: number): T {
  const item = items[index]
  if (item === undefined) throw new Error(`index ${index} out of range (length ${items.length})`)
  return item
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return at(items, Math.floor(rng() * items.length))
}

function intBetween(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1))
}

function chance(rng: Rng, p: number): boolean {
  return rng() < p
}

function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1))
    const tmp = at(out, i)
    out[i] = at(out, j)
    out[j] = tmp
  }
  return out
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x))
}

function round2(x: number): number {
  return Math.round(x * 100) / 100
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1)
}

function bullets(items: readonly string[]): string {
  return items.map((item) => `- ${item}`).join('\n')
}

function numbered(items: readonly string[]): string {
  return items.map((item, i) => `${i + 1}. ${item}`).join('\n')
}

function fence(lang: string, code: string): string {
  return '```' + lang + '\n' + code + '\n```'
}

// ---------------------------------------------------------------------------------------------
// Prompts and how the policy answers them
// ---------------------------------------------------------------------------------------------

type TaskType = 'math' | 'factual' | 'instruction' | 'writing' | 'code'
type Polish = 0 | 1 | 2

/** What a sampled answer gets right: the substance, and how well it is presented. */
interface Quality {
  correct: boolean
  polish: Polish
}

interface PromptSpec {
  question: string
  taskType: TaskType
  /** Null where a single reference answer cannot be checked (writing, code, formatting). */
  referenceAnswer: string | null
  /** The dealbreaker a good v3 rubric would use. */
  answerCheck: string
  /** A dealbreaker that leaks a wrong answer or a misconception; null where none is plausible. */
  wrongAnswerCheck: string | null
  /** One prompt-specific criterion beyond the dealbreaker. */
  check: string
  /** Final answers as the judge would quote them; null where the outcome is not a single value. */
  finals: { right: string; wrong: string } | null
  /** 0 (easy) to 0.3 (hard): lowers the chance that a sample is correct. */
  difficulty: number
  thinking(q: Quality, rng: Rng): string
  answer(q: Quality, rng: Rng): string
}

function difficultyOf(question: string): number {
  return round2(rngFor('difficulty', question)() * 0.3)
}

const THINK_OPENERS = [
  'Let me think about this.',
  'Okay, let me work through what is being asked.',
  'Let me start by restating the task.',
  'Alright, first I need to understand the request.',
] as const

const CAREFUL_CLOSERS = [
  'Let me double-check before writing the final answer... yes, it holds.',
  'I should verify this once more. It is consistent.',
  'That looks right, so I can write it up cleanly.',
] as const

const HASTY_CLOSERS = [
  'I think that is right; no need to check further.',
  'Good enough, writing it up now.',
  'Okay, that should be fine.',
] as const

/** Appended to thinking when an answer is too short, so every response reaches a readable size. */
const THINK_PADDING = [
  'The user probably wants the result first and the explanation after it.',
  'I should keep the formatting simple: short paragraphs, nothing padded.',
  'Let me make sure I am answering the question that was actually asked, not a nearby one.',
  'Being precise matters more than being long here.',
] as const

const WEAK_OUTROS = [
  'I hope this helps! Let me know if you need anything else.',
  'Feel free to ask if you want me to change anything.',
  'Let me know if you would like a different version.',
] as const

function closer(rng: Rng, q: Quality): string {
  return pick(rng, q.correct ? CAREFUL_CLOSERS : HASTY_CLOSERS)
}

// --- math --------------------------------------------------------------------------------------

interface MathItem {
  question: string
  /** Final answer as LaTeX (without dollar signs); also the reference answer. */
  answer: string
  wrong: string
  method: string
  steps: readonly string[]
  wrongSteps: readonly string[]
  display: string
}

const MATH_ITEMS: readonly MathItem[] = [
  {
    question: 'Let $F_1 = F_2 = 1$ and $F_n = F_{n-1} + F_{n-2}$ for $n \\ge 3$. What is $F_{12}$?',
    answer: '144',
    wrong: '89',
    method: 'writing out the recurrence term by term',
    steps: [
      'Write out the sequence: $1, 1, 2, 3, 5, 8, 13, 21, 34, 55$ gives $F_1$ through $F_{10}$.',
      'Next, $F_{11} = F_{10} + F_9 = 55 + 34 = 89$.',
      'Finally, $F_{12} = F_{11} + F_{10} = 89 + 55 = 144$.',
    ],
    wrongSteps: [
      'Listing the terms: $1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89$.',
      'Counting along the list, the twelfth term is $89$.',
    ],
    display: '$$F_{12} = F_{11} + F_{10} = 89 + 55 = 144$$',
  },
  {
    question: 'Compute $\\displaystyle\\int_0^2 (3x^2 + 2x)\\,dx$.',
    answer: '12',
    wrong: '14',
    method: 'the fundamental theorem of calculus',
    steps: [
      'An antiderivative of $3x^2 + 2x$ is $x^3 + x^2$.',
      'Evaluate at the bounds: $(2^3 + 2^2) - (0^3 + 0^2) = 8 + 4 - 0$.',
      'So the integral equals $12$.',
    ],
    wrongSteps: [
      'Integrating term by term gives $x^3 + x^2 + x$.',
      'At $x = 2$ this is $8 + 4 + 2 = 14$, and at $x = 0$ it is $0$.',
    ],
    display: '$$\\int_0^2 (3x^2 + 2x)\\,dx = \\Big[x^3 + x^2\\Big]_0^2 = 12$$',
  },
  {
    question: 'Find the positive root of $x^2 - 5x - 14 = 0$.',
    answer: '7',
    wrong: '2',
    method: 'factoring the quadratic',
    steps: [
      'Look for two numbers with product $-14$ and sum $-5$: they are $-7$ and $2$.',
      'So $x^2 - 5x - 14 = (x - 7)(x + 2)$, with roots $x = 7$ and $x = -2$.',
      'The positive root is $x = 7$.',
    ],
    wrongSteps: [
      'Factor as $(x + 7)(x - 2)$.',
      'The roots are $-7$ and $2$, so the positive root is $x = 2$.',
    ],
    display: '$$x = \\frac{5 \\pm \\sqrt{25 + 56}}{2} = \\frac{5 \\pm 9}{2} \\in \\{7, -2\\}$$',
  },
  {
    question: 'What is the sum of all positive divisors of $60$?',
    answer: '168',
    wrong: '108',
    method: 'the divisor-sum formula',
    steps: [
      'Factor: $60 = 2^2 \\cdot 3 \\cdot 5$.',
      'The divisor sum is multiplicative: $\\sigma(60) = (1 + 2 + 4)(1 + 3)(1 + 5)$.',
      'That is $7 \\cdot 4 \\cdot 6 = 168$.',
    ],
    wrongSteps: [
      'The divisors are $1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30$.',
      'Adding them: $1 + 2 + 3 + 4 + 5 + 6 + 10 + 12 + 15 + 20 + 30 = 108$.',
    ],
    display:
      '$$\\sigma(60) = \\prod_{p^k \\,\\|\\, 60} \\frac{p^{k+1} - 1}{p - 1} = 7 \\cdot 4 \\cdot 6 = 168$$',
  },
  {
    question: 'What is the remainder when $2^{100}$ is divided by $7$?',
    answer: '2',
    wrong: '4',
    method: 'the cycle of powers of 2 modulo 7',
    steps: [
      'Powers of $2$ modulo $7$ cycle with period $3$: $2^1 \\equiv 2$, $2^2 \\equiv 4$, $2^3 \\equiv 1$.',
      'Since $100 = 3 \\cdot 33 + 1$, we have $2^{100} = (2^3)^{33} \\cdot 2$.',
      'Hence $2^{100} \\equiv 1^{33} \\cdot 2 \\equiv 2 \\pmod 7$.',
    ],
    wrongSteps: [
      'The cycle of $2^k \\bmod 7$ is $2, 4, 1$.',
      '$100 \\bmod 3 = 2$, so we take the second element of the cycle, which is $4$.',
    ],
    display: '$$2^{100} = \\left(2^{3}\\right)^{33} \\cdot 2 \\equiv 2 \\pmod{7}$$',
  },
  {
    question: 'Evaluate $\\displaystyle\\lim_{x \\to 0} \\frac{\\sin 3x}{x}$.',
    answer: '3',
    wrong: '1',
    method: 'the standard limit $\\sin u / u \\to 1$',
    steps: [
      'Rewrite $\\frac{\\sin 3x}{x} = 3 \\cdot \\frac{\\sin 3x}{3x}$.',
      'As $x \\to 0$, $u = 3x \\to 0$ and $\\frac{\\sin u}{u} \\to 1$.',
      'So the limit is $3 \\cdot 1 = 3$.',
    ],
    wrongSteps: [
      'We know that $\\lim_{x \\to 0} \\frac{\\sin x}{x} = 1$.',
      'The same limit applies here, so the answer is $1$.',
    ],
    display: '$$\\lim_{x \\to 0} \\frac{\\sin 3x}{x} = 3 \\lim_{u \\to 0} \\frac{\\sin u}{u} = 3$$',
  },
  {
    question: 'Differentiate $f(x) = x^3 \\ln x$ for $x > 0$.',
    answer: '3x^2 \\ln x + x^2',
    wrong: '3x',
    method: 'the product rule',
    steps: [
      "Use the product rule $(uv)' = u'v + uv'$ with $u = x^3$ and $v = \\ln x$.",
      "Here $u' = 3x^2$ and $v' = 1/x$.",
      "So $f'(x) = 3x^2 \\ln x + x^3 \\cdot \\frac{1}{x} = 3x^2 \\ln x + x^2$.",
    ],
    wrongSteps: [
      "Differentiate each factor: $(x^3)' = 3x^2$ and $(\\ln x)' = 1/x$.",
      'Multiply the derivatives: $3x^2 \\cdot \\frac{1}{x} = 3x$.',
    ],
    display: "$$f'(x) = x^2 \\,(3 \\ln x + 1)$$",
  },
  {
    question: 'Two fair six-sided dice are rolled. What is the probability that the sum is $7$?',
    answer: '\\frac{1}{6}',
    wrong: '\\frac{7}{36}',
    method: 'counting equally likely outcomes',
    steps: [
      'There are $6 \\times 6 = 36$ equally likely outcomes.',
      'The pairs summing to $7$ are $(1,6), (2,5), (3,4), (4,3), (5,2), (6,1)$: six of them.',
      'So $P = \\frac{6}{36} = \\frac{1}{6}$.',
    ],
    wrongSteps: [
      'The sums run from $2$ to $12$ and $7$ is the most likely one.',
      'I count seven ways to make $7$ out of $36$, giving $\\frac{7}{36}$.',
    ],
    display: '$$P(\\text{sum} = 7) = \\frac{6}{36} = \\frac{1}{6} \\approx 0.167$$',
  },
  {
    question:
      'In how many ways can 5 different books be arranged on a shelf if two particular books must be next to each other?',
    answer: '48',
    wrong: '24',
    method: 'treating the two books as one block',
    steps: [
      'Glue the two books into one block: now there are $4$ units to arrange.',
      'The $4$ units can be ordered in $4! = 24$ ways.',
      'Inside the block the two books can be swapped: $2! = 2$ ways.',
      'Total: $24 \\times 2 = 48$.',
    ],
    wrongSteps: [
      'Treat the two books as a single block, giving $4$ units.',
      'These can be arranged in $4! = 24$ ways, so the answer is $24$.',
    ],
    display: '$$4! \\cdot 2! = 24 \\cdot 2 = 48$$',
  },
  {
    question: 'Solve the system $2x + 3y = 13$ and $x - y = -1$.',
    answer: '(x, y) = (2, 3)',
    wrong: '(x, y) = (3.2, 2.2)',
    method: 'substitution',
    steps: [
      'From the second equation, $x = y - 1$.',
      'Substitute: $2(y - 1) + 3y = 13 \\Rightarrow 5y = 15 \\Rightarrow y = 3$.',
      'Then $x = 3 - 1 = 2$.',
      'Check: $2(2) + 3(3) = 13$ ✓ and $2 - 3 = -1$ ✓.',
    ],
    wrongSteps: [
      'From the second equation, $x = y + 1$.',
      'Then $2(y + 1) + 3y = 13$, so $5y = 11$ and $y = 2.2$, which gives $x = 3.2$.',
    ],
    display:
      '$$\\begin{cases} 2x + 3y = 13 \\\\ x - y = -1 \\end{cases} \\;\\Longrightarrow\\; (x, y) = (2, 3)$$',
  },
]

/** A bare number reads naturally in a criterion; anything else is shown as inline math. */
function asMath(tex: string): string {
  return /^-?\d+$/.test(tex) ? tex : `$${tex}$`
}

function mathThinking(item: MathItem, q: Quality, rng: Rng): string {
  const steps = q.correct ? item.steps : item.wrongSteps
  const final = q.correct ? item.answer : item.wrong
  return [
    pick(rng, THINK_OPENERS),
    `The natural tool here is ${item.method}.`,
    ...steps,
    closer(rng, q),
    `So the answer is ${asMath(final)}.`,
  ].join(' ')
}

function mathAnswer(item: MathItem, q: Quality, rng: Rng): string {
  const steps = q.correct ? item.steps : item.wrongSteps
  const final = q.correct ? item.answer : item.wrong
  if (q.polish === 2) {
    const heading = pick(rng, ['## Solution', '### Step-by-step solution', '**Solution.**'])
    const display = q.correct ? `\n\n${item.display}` : ''
    return `${heading}\n\n${numbered(steps)}${display}\n\nTherefore the final answer is:\n\n$$\\boxed{${final}}$$`
  }
  if (q.polish === 1) {
    const intro = pick(rng, ['We use ' + item.method + '.', 'First, set up the computation.'])
    return `${intro} ${steps.join(' ')}\n\nSo the answer is **${asMath(final)}**.`
  }
  return `The answer is ${asMath(final)}. ${at(steps, steps.length - 1)}`
}

function mathPrompt(item: MathItem): PromptSpec {
  return {
    question: item.question,
    taskType: 'math',
    referenceAnswer: item.answer,
    answerCheck: `The final answer is equivalent to ${asMath(item.answer)}`,
    wrongAnswerCheck: `The final answer is equivalent to ${asMath(item.wrong)}`,
    check: `The solution uses ${item.method} correctly`,
    finals: { right: asMath(item.answer), wrong: asMath(item.wrong) },
    difficulty: difficultyOf(item.question),
    thinking: (q, rng) => mathThinking(item, q, rng),
    answer: (q, rng) => mathAnswer(item, q, rng),
  }
}

// --- factual -----------------------------------------------------------------------------------

interface FactualItem {
  question: string
  answer: string
  wrong: string
  lead: string
  wrongLead: string
  facts: readonly string[]
  wrongFact: string
  /** A Markdown table shown in the most polished answers, where the topic has one. */
  table?: string
  note: string
}

const FACTUAL_ITEMS: readonly FactualItem[] = [
  {
    question: 'What is the capital of Japan, and what does its name mean?',
    answer: 'Tokyo (東京), meaning "Eastern Capital"',
    wrong: 'Kyoto',
    lead: 'The capital of Japan is **Tokyo** (東京, *Tōkyō*), which means "Eastern Capital".',
    wrongLead: 'The capital of Japan is **Kyoto** (京都), whose name means "Capital City".',
    facts: [
      '東 (*tō*) means "east" and 京 (*kyō*) means "capital".',
      'The city was called Edo (江戸) until 1868, when the imperial court moved east from Kyoto.',
      'Greater Tokyo is the most populous metropolitan area in the world, with about 37 million people.',
    ],
    wrongFact: 'Kyoto has been the seat of the emperor for more than a thousand years.',
    note: 'Tokyo, 東京: 東 is east, 京 is capital. Edo was renamed in 1868 when the court moved from Kyoto.',
  },
  {
    question: 'What do Greeks call their own country, in Greek?',
    answer: 'Ελλάδα (Elláda), formally the Hellenic Republic',
    wrong: 'Graecia',
    lead: 'Greeks call their country **Ελλάδα** (*Elláda*); the official name is **Ελληνική Δημοκρατία**, the Hellenic Republic.',
    wrongLead: 'Greeks call their country **Graecia**, the Latin name that the English "Greece" comes from.',
    facts: [
      'The older form **Ἑλλάς** (*Hellás*) is why English says "Hellenic".',
      '"Greece" comes from the Latin *Graecia*, a name Greeks do not use for themselves.',
      'Greeks call themselves **Έλληνες** (*Éllines*).',
    ],
    wrongFact: 'The name has been used in Greece itself since Roman times.',
    note: 'The endonym is Ελλάδα (from Hellas); "Greece" is the Latin exonym.',
  },
  {
    question: 'Which chemical element has atomic number 26?',
    answer: 'Iron (Fe)',
    wrong: 'Cobalt',
    lead: 'Atomic number 26 is **iron**, chemical symbol **Fe** (from the Latin *ferrum*).',
    wrongLead: 'Atomic number 26 is **cobalt**, symbol Co.',
    facts: [
      'It is a transition metal in period 4, group 8.',
      'Iron-56 has one of the highest binding energies per nucleon, which is why it accumulates in massive stars.',
      "Earth's core is mostly an iron–nickel alloy.",
    ],
    wrongFact: 'It is the element that gives blue glass its colour.',
    table:
      '| Property | Value |\n|---|---|\n| Symbol | Fe |\n| Atomic number | 26 |\n| Atomic mass | 55.845 u |\n| Melting point | 1538 °C |',
    note: 'Z = 26: H, He, ... Mn is 25, Fe is 26, Co is 27. So iron.',
  },
  {
    question: 'Who wrote the novel *One Hundred Years of Solitude*?',
    answer: 'Gabriel García Márquez',
    wrong: 'Mario Vargas Llosa',
    lead: '*One Hundred Years of Solitude* was written by the Colombian author **Gabriel García Márquez**.',
    wrongLead: '*One Hundred Years of Solitude* was written by the Peruvian novelist **Mario Vargas Llosa**.',
    facts: [
      'It was first published in Spanish in 1967 as *Cien años de soledad*.',
      'It follows seven generations of the Buendía family in the fictional town of Macondo.',
      'García Márquez received the Nobel Prize in Literature in 1982.',
    ],
    wrongFact: 'It is usually ranked alongside *The Time of the Hero* as his best work.',
    note: 'Cien años de soledad, 1967, García Márquez; Macondo, the Buendía family.',
  },
  {
    question: 'In what year did the Berlin Wall fall?',
    answer: '1989',
    wrong: '1991',
    lead: 'The Berlin Wall fell in **1989**, when East Germany opened the border crossings on the night of 9 November.',
    wrongLead: 'The Berlin Wall fell in **1991**, shortly before the Soviet Union dissolved.',
    facts: [
      'Crowds began breaking off pieces of the wall that same night.',
      'Official demolition continued through 1990.',
      'Germany reunified on 3 October 1990.',
    ],
    wrongFact: 'Its fall marked the end of the Cold War that same year.',
    table:
      '| Date | Event |\n|---|---|\n| 13 Aug 1961 | Construction begins |\n| 9 Nov 1989 | Border crossings open |\n| 3 Oct 1990 | German reunification |',
    note: 'November 9, 1989. Reunification was 1990; the USSR ended in 1991, which is a common mix-up.',
  },
  {
    question: 'What is the longest river in Africa?',
    answer: 'The Nile',
    wrong: 'The Congo',
    lead: 'The longest river in Africa is the **Nile**, at about 6,650 km (4,130 mi).',
    wrongLead: 'The longest river in Africa is the **Congo River**.',
    facts: [
      'Its two main branches, the White Nile and the Blue Nile, meet at Khartoum.',
      'It flows north through eleven countries before reaching the Mediterranean.',
      'In Arabic it is called **النيل** (*an-Nīl*).',
    ],
    wrongFact: 'The Congo is the deepest river in the world and drains about 4 million km².',
    note: 'Nile, roughly 6,650 km. The Congo is second in Africa but deepest.',
  },
  {
    question: 'How many bones are in a typical adult human body?',
    answer: '206',
    wrong: '212',
    lead: 'A typical adult human skeleton has **206 bones**.',
    wrongLead: 'An adult human has **212 bones**.',
    facts: [
      'Newborns have around 270 bones; many fuse during childhood.',
      'The smallest is the stapes in the middle ear, about 3 mm long.',
      'The femur is the longest and strongest bone.',
    ],
    wrongFact: 'This count includes the small sesamoid bones of the hands and feet.',
    note: 'Standard count is 206; babies have about 270 before fusion.',
  },
  {
    question: 'What is the speed of light in a vacuum, in metres per second?',
    answer: '299,792,458 m/s',
    wrong: '186,000 m/s',
    lead: 'The speed of light in a vacuum is exactly **299,792,458 m/s**, often rounded to $c \\approx 3.00 \\times 10^8$ m/s.',
    wrongLead: 'Light travels at about **186,000 m/s** in a vacuum.',
    facts: [
      'The value is exact: since 1983 the metre has been defined from it.',
      'Sunlight takes about 8 minutes 20 seconds to reach Earth.',
      'In imperial units it is about 186,282 miles per second.',
    ],
    wrongFact: 'That is why we see lightning before we hear the thunder.',
    note: 'c = 299,792,458 m/s exactly (SI definition). 186,000 is miles per second, not metres.',
  },
  {
    question: 'What is the tallest mountain in the world above sea level, and what is its Tibetan name?',
    answer: 'Mount Everest (Chomolungma)',
    wrong: 'K2',
    lead: 'The tallest mountain above sea level is **Mount Everest**; in Tibetan it is **ཇོ་མོ་གླང་མ** (*Chomolungma*, "Goddess Mother of the World").',
    wrongLead: 'The tallest mountain above sea level is **K2**, in the Karakoram range.',
    facts: [
      'Its height is 8,848.86 m, measured jointly by China and Nepal in 2020.',
      'In Nepali it is called **सगरमाथा** (*Sagarmāthā*).',
      'It sits on the border between Nepal and the Tibet Autonomous Region of China. 🏔️',
    ],
    wrongFact: 'In Balti it is called *Chhogori*, "great mountain".',
    note: 'Everest, 8,848.86 m; Tibetan Chomolungma, Nepali Sagarmatha. K2 is second.',
  },
]

function factualThinking(item: FactualItem, q: Quality, rng: Rng): string {
  return [
    pick(rng, THINK_OPENERS),
    `The question: "${item.question}"`,
    q.correct ? item.note : `I am fairly sure the answer is ${item.wrong}.`,
    q.polish === 2
      ? 'I will give the answer first, then a few supporting facts.'
      : 'A short answer is enough.',
    closer(rng, q),
  ].join(' ')
}

function factualAnswer(item: FactualItem, q: Quality, rng: Rng): string {
  if (!q.correct) {
    return q.polish === 0
      ? item.wrongLead
      : `${item.wrongLead}\n\n**Details**\n\n${bullets([item.wrongFact])}`
  }
  if (q.polish === 0) return item.lead
  if (q.polish === 1) return `${item.lead} ${item.facts.slice(0, 2).join(' ')}`
  const table = item.table !== undefined && chance(rng, 0.7) ? `\n\n${item.table}` : ''
  const heading = pick(rng, ['**Key facts**', '### Details', '### Background'])
  return `${item.lead}\n\n${heading}\n\n${bullets(item.facts)}${table}\n\nIn short: ${item.answer}.`
}

function factualPrompt(item: FactualItem): PromptSpec {
  return {
    question: item.question,
    taskType: 'factual',
    referenceAnswer: item.answer,
    answerCheck: `The response states that the answer is ${item.answer}`,
    wrongAnswerCheck: `The response states that the answer is ${item.wrong}`,
    check: 'The supporting details are accurate and relevant to the question',
    finals: { right: item.answer, wrong: item.wrong },
    difficulty: difficultyOf(item.question),
    thinking: (q, rng) => factualThinking(item, q, rng),
    answer: (q, rng) => factualAnswer(item, q, rng),
  }
}

// --- instruction following ---------------------------------------------------------------------

interface InstructionItem {
  question: string
  constraint: string
  /** Best first; every variant satisfies the constraint exactly, so nothing may be added to it. */
  compliant: readonly string[]
  violating: readonly string[]
  note: string
}

const INSTRUCTION_ITEMS: readonly InstructionItem[] = [
  {
    question: 'List three benefits of regular exercise. Answer in exactly 3 bullet points.',
    constraint: 'The response contains exactly 3 bullet points',
    compliant: [
      '- **Heart health:** regular activity lowers blood pressure and resting heart rate.\n- **Mood:** exercise releases endorphins and eases symptoms of anxiety.\n- **Sleep:** people who exercise fall asleep faster and sleep more deeply.',
      '- Stronger heart and lungs\n- Better mood and less stress\n- Deeper, more restful sleep',
    ],
    violating: [
      'Here are some benefits of exercise:\n\n- Improves heart health\n- Boosts mood\n- Helps with sleep\n- Builds stronger bones\n\nTry to get at least 150 minutes a week!',
      'Regular exercise strengthens the heart, improves mood and helps you sleep better. It also builds muscle and bone density over time.',
    ],
    note: 'Exactly three bullets, no intro line, no closing remark. Heart, mood, sleep.',
  },
  {
    question: 'Explain what a black hole is in under 50 words.',
    constraint: 'The response is under 50 words',
    compliant: [
      'A black hole is a region of space where gravity is so strong that nothing, not even light, can escape. Most form when a massive star collapses at the end of its life; the boundary of no return is called the event horizon.',
      'A black hole is an object so dense that its gravity traps everything nearby, including light.',
    ],
    violating: [
      'A black hole is a region of spacetime where gravity is so intense that nothing can escape from it, not even light. According to general relativity, a sufficiently compact mass deforms spacetime to form a black hole. The boundary beyond which nothing can escape is the event horizon. Although it has a great effect on the fate of objects crossing it, it has no locally detectable features. Black holes of stellar mass form when massive stars collapse at the end of their life cycle.',
    ],
    note: 'Under fifty words total. One or two sentences: gravity, light cannot escape, event horizon.',
  },
  {
    question: "Describe a sunny day without using the letter 'e'.",
    constraint: 'The response does not contain the letter "e"',
    compliant: [
      'A bright, warm sky. Sunlight falls on soft grass, and birds sing loudly in tall oaks. Kids run and laugh in a park, and a cool wind drifts past. All is calm and good.',
      'Warm light spills down. A cobalt sky, not a cloud in sight. Bright blossoms glow as kids play and dogs run.',
    ],
    violating: [
      'The sun is shining brightly, the sky is a clear blue, and there is a gentle breeze. People are relaxing in the park and everything feels peaceful.',
    ],
    note: 'A lipogram: every word must avoid e. "Sun" is fine, "sunshine" is not. Check each word.',
  },
  {
    question: 'Write a haiku about autumn. Respond with only the haiku: no title, no explanation.',
    constraint: 'The response contains only a three-line haiku, with no title or commentary',
    compliant: [
      'Crisp maple leaves fall\nthe old fence wears a red coat\nwind counts what is left',
      'Cold rain on the path\na crow shakes out its feathers\nthe orchard is bare',
    ],
    violating: [
      '**Autumn Whispers**\n\nGolden leaves drifting\nsoftly to the quiet earth\nsummer says goodbye\n\nThis haiku captures the gentle transition from summer to autumn.',
    ],
    note: 'Five, seven, five syllables. Nothing else in the output: no title, no explanation.',
  },
  {
    question:
      'Reply in JSON only, with the keys "city" and "country", giving the location of the Eiffel Tower.',
    constraint: 'The response is valid JSON with exactly the keys "city" and "country"',
    compliant: ['{"city": "Paris", "country": "France"}', '{\n  "city": "Paris",\n  "country": "France"\n}'],
    violating: [
      'The Eiffel Tower is in Paris, France.\n\n```json\n{"city": "Paris", "country": "France", "landmark": "Eiffel Tower"}\n```',
    ],
    note: 'Raw JSON object only, two keys, no code fence, no prose.',
  },
  {
    question: 'Summarize the plot of *Romeo and Juliet* in exactly two sentences.',
    constraint: 'The response has exactly two sentences',
    compliant: [
      'Two teenagers from the feuding Montague and Capulet families of Verona fall in love and marry in secret. A chain of misunderstandings, a banishment and a faked death ends with both lovers taking their own lives, which finally reconciles their families.',
      "Romeo and Juliet, children of rival houses, secretly marry despite their families' hatred. After Romeo is exiled and a plan to reunite them goes wrong, both die, and their deaths end the feud.",
    ],
    violating: [
      'Romeo Montague and Juliet Capulet meet at a party and fall in love. They marry in secret with the help of Friar Laurence. Romeo kills Tybalt and is banished. Juliet fakes her death, Romeo believes it, and both die.',
    ],
    note: 'Two sentences, so count the full stops. Feud, secret marriage, tragic ending.',
  },
  {
    question: 'Answer in all lowercase letters: why is the sky blue?',
    constraint: 'The response uses no uppercase letters',
    compliant: [
      'sunlight contains every colour, but as it passes through the atmosphere the short blue wavelengths are scattered by gas molecules far more than red ones (rayleigh scattering, which scales as $1/\\lambda^4$). that scattered blue light reaches our eyes from every direction, so the whole sky looks blue.',
      'because air molecules scatter blue light much more strongly than red light. this is called rayleigh scattering.',
    ],
    violating: [
      'The sky is blue because of **Rayleigh scattering**: molecules in the atmosphere scatter shorter (blue) wavelengths of sunlight much more than longer (red) ones.',
    ],
    note: 'No capitals at all, including the start of sentences and the name Rayleigh.',
  },
  {
    question:
      'Give a title for a blog post about remote work, wrapped in double angular brackets, like <<title>>.',
    constraint: 'The title is wrapped in double angular brackets, such as <<title>>',
    compliant: [
      '<<Home Is Where the Work Is: Lessons From Three Years Remote>>',
      '<<Remote Work, Real Results>>',
    ],
    violating: ['**Title:** "The Future of Remote Work"', '# Working From Anywhere: A Guide'],
    note: 'Output the title inside << and >>, nothing else.',
  },
]

function instructionThinking(item: InstructionItem, q: Quality, rng: Rng): string {
  return [
    pick(rng, THINK_OPENERS),
    `The constraint is that ${lowerFirst(item.constraint)}.`,
    q.correct ? item.note : 'I will just answer the question naturally; the format is secondary.',
    closer(rng, q),
  ].join(' ')
}

function instructionAnswer(item: InstructionItem, q: Quality, rng: Rng): string {
  if (!q.correct) return pick(rng, item.violating)
  const index = Math.min(2 - q.polish, item.compliant.length - 1)
  return at(item.compliant, index)
}

function instructionPrompt(item: InstructionItem): PromptSpec {
  return {
    question: item.question,
    taskType: 'instruction',
    referenceAnswer: null,
    answerCheck: item.constraint,
    wrongAnswerCheck: null,
    check: 'The content is accurate and on topic',
    finals: null,
    difficulty: difficultyOf(item.question),
    thinking: (q, rng) => instructionThinking(item, q, rng),
    answer: (q, rng) => instructionAnswer(item, q, rng),
  }
}

// --- open-ended writing ------------------------------------------------------------------------

interface WritingItem {
  question: string
  requirement: string
  /** A dealbreaker built on a misconception, for the rubrics that leak a wrong "answer". */
  misconception?: string
  good: string
  plain: string
  offTask: string
  note: string
  drift: string
}

const WRITING_ITEMS: readonly WritingItem[] = [
  {
    question:
      'Write the opening paragraph of a short story about a lighthouse keeper who finds a message in a bottle.',
    requirement: 'The opening features a lighthouse keeper finding a message in a bottle',
    good: "### The Keeper of Gull Point\n\nFor eleven winters Maren Holt had trimmed the wick at Gull Point, and in all that time the sea had given her nothing but driftwood, gull feathers and, once, a single yellow boot. So when the green bottle knocked against the rocks below the lamp room on the first calm morning of March, she almost let the tide take it back.\n\nShe didn't. The cork came out with a sigh, and the paper inside was dry, folded small, and written in a hand she knew at once: her own, though she had never written it. *If you are reading this,* it said, *do not light the lamp tonight.*",
    plain:
      'Maren had kept the lighthouse at Gull Point for eleven years. One morning she found a green bottle wedged between the rocks near the shore. Inside was a rolled-up note. She opened it carefully and read the words: "Do not light the lamp tonight." She looked out at the calm sea and wondered who had sent it, and why.',
    offTask:
      'Captain Elias Varga had sailed the northern routes for thirty years, and he trusted his ship more than he trusted most people. On the night the storm came in, the crew gathered below deck while the waves rose higher than the mast. Elias stayed at the wheel, shouting orders into the wind, determined to bring them all home.',
    note: 'Open on the keeper and the bottle quickly; a strange message gives the hook.',
    drift: 'Maybe a captain in a storm is more dramatic than a lighthouse.',
  },
  {
    question: 'Write a product description (about 100 words) for a reusable stainless-steel water bottle.',
    requirement: 'The description is about 100 words long (roughly 80 to 120)',
    good: "## TrailMate Steel Bottle, 750 ml\n\nMeet the last water bottle you'll need. Double-walled **18/8 stainless steel** keeps drinks ice-cold for 24 hours and hot for 12, while the powder-coated finish won't sweat or slip.\n\n- **Leak-proof** bamboo cap with a stainless core\n- **BPA-free** and plastic-free inside\n- Fits most cup holders and bike cages\n\nEvery bottle replaces hundreds of single-use plastics, and it's dishwasher safe. Fill it, throw it in your bag, and go. 🌊",
    plain:
      'This reusable water bottle is made of stainless steel and keeps your drinks cold for up to 24 hours or hot for 12 hours. It has a leak-proof lid, so you can carry it in your bag without worrying. It is free of BPA and easy to clean. The bottle holds 750 ml and fits in most cup holders. By using it, you can cut down on plastic waste. It is a great choice for work, the gym, or hiking.',
    offTask: 'Stainless steel bottle. Keeps water cold. Reusable and durable. Buy now!',
    note: 'About a hundred words: lead with the benefit, then a few concrete features.',
    drift: 'Short and punchy sells better; I will keep it to a couple of lines.',
  },
  {
    question: 'Draft a polite email declining an invitation to speak at a conference next month.',
    requirement: 'The email clearly declines the invitation',
    good: "**Subject:** Re: Invitation to speak at DataConf 2026\n\nDear Dr. Okafor,\n\nThank you so much for inviting me to speak at DataConf next month. I'm honoured that the programme committee thought of me.\n\nUnfortunately, I have to decline this time. I'm committed to a project deadline that week, and I wouldn't be able to prepare a talk that does the audience justice.\n\nI'd be glad to be considered for a future edition, and I'm happy to suggest a colleague who works on similar topics if that would help.\n\nWith thanks and best wishes,\nPriya",
    plain:
      "Hi,\n\nThanks for the invitation to speak at the conference next month. Unfortunately I won't be able to attend because of other commitments. I hope the event goes well, and please keep me in mind for the future.\n\nBest regards,\nPriya",
    offTask:
      "Dear organizers,\n\nThank you for the invitation! I'm delighted to accept and would be happy to speak at the conference next month. Please send me the details of the schedule, the expected length of the talk, and the audio-visual setup.\n\nLooking forward to it,\nPriya",
    note: 'Thank them, decline clearly, give a brief reason, leave the door open.',
    drift: 'Actually an enthusiastic reply sounds friendlier.',
  },
  {
    question: 'Write a short poem (8 to 12 lines) about the ocean at night.',
    requirement: 'The poem has between 8 and 12 lines',
    good: "**Night Tide**\n\nThe ocean keeps its own late hours,\nrehearsing silver on the sand;\nthe moon leans down to read the water\nthe way you'd read an open hand.\n\nA buoy rings for no one listening,\nthe harbour lights lie down and sway,\nand every wave that folds in darkness\ncarries a little of the day.\n\nI stand where salt and starlight gather,\nand let the black tide have its say.",
    plain:
      "The ocean at night is dark and deep,\nthe waves roll in while people sleep.\nThe moon shines down with silver light,\nand stars are sparkling, oh so bright.\nThe wind is cool, the sand is cold,\nthe sea has stories never told.\nI listen to the water's sound,\nand feel the peace that I have found.",
    offTask: 'Dark water,\nquiet moon,\nwaves whisper,\nmorning soon.',
    note: 'Eight to twelve lines; concrete images (buoy, harbour lights) rather than abstractions.',
    drift: 'Shorter is more striking; four lines will do.',
  },
  {
    question: 'Explain to a 10-year-old why the Moon has phases.',
    requirement:
      "The explanation attributes the phases to the Moon's changing position relative to the Sun and Earth, not to Earth's shadow",
    misconception: "The explanation says the phases are caused by Earth's shadow falling on the Moon",
    good: "## Why does the Moon change shape? 🌙\n\nThe Moon doesn't make its own light: it's like a big ball that the Sun is always shining on. **Half of the Moon is always lit**, just like half of the Earth is always having daytime.\n\nAs the Moon travels around the Earth (a trip that takes about a month), we see that lit half from different angles:\n\n1. **New Moon 🌑**: the Moon is between us and the Sun, so the lit side faces away from us.\n2. **First quarter 🌓**: we see half of the lit side.\n3. **Full Moon 🌕**: the Earth is between the Sun and the Moon, so we see the whole lit side.\n4. **Last quarter 🌗**: back to half, and then it shrinks again.\n\nTry it yourself: shine a lamp on a ball and walk it around your head. You'll see the phases!",
    plain:
      "The Moon has phases because we see different amounts of its sunlit side as it goes around the Earth. The Sun always lights up half of the Moon. When the Moon is between the Earth and the Sun, we can't see the lit part, so it's a new moon. When the Moon is on the other side of the Earth, we see all of the lit part, and that's a full moon. In between, we see part of it.",
    offTask:
      "The Moon has phases because the Earth's shadow covers part of it. As the Earth moves, its shadow falls on different parts of the Moon, so sometimes we see a full circle and sometimes only a thin slice. When the shadow covers the whole Moon, we get a new moon!",
    note: 'Half the Moon is always lit; phases come from viewing angle. Avoid the shadow misconception.',
    drift: "The shadow explanation is simplest for a kid: Earth's shadow covers part of the Moon.",
  },
  {
    question:
      'Compare working from home with working in an office. Use a table and end with a one-sentence recommendation.',
    requirement: 'The response includes a comparison table and ends with a one-sentence recommendation',
    good: '## Home or office?\n\n| Aspect | Working from home | Working in an office |\n|---|---|---|\n| Commute | None: saves 5 to 10 hours a week | Daily travel time and cost |\n| Focus | Fewer interruptions, more household distractions | Easier to separate work and life |\n| Collaboration | Relies on scheduled calls and chat | Spontaneous conversations, quick help |\n| Flexibility | High: choose your own hours and space | Fixed hours and location |\n| Mentoring | Harder for new hires to learn by watching | Juniors learn quickly from colleagues |\n\n**Recommendation:** a hybrid week, with two or three office days for collaboration and the rest at home for deep work, gives most teams the best of both.',
    plain:
      '| | Home | Office |\n|---|---|---|\n| Commute | No | Yes |\n| Flexibility | More | Less |\n| Teamwork | Harder | Easier |\n\nWorking from home saves time and gives flexibility, while the office makes teamwork easier. I would recommend a mix of both.',
    offTask:
      'Working from home and working in an office both have advantages. At home you save time on commuting and can organize your day more freely, but it can be lonely and it is harder to collaborate. In the office, collaboration is easier and there is a clearer boundary between work and home, but commuting takes time. Overall, both options can work well depending on the person.',
    note: 'A table with the main aspects, then exactly one sentence of recommendation.',
    drift: 'A table feels stiff; flowing prose reads better.',
  },
  {
    question:
      "Write a toast for my sister's wedding. Keep it warm and short enough to read in under two minutes.",
    requirement: 'The toast is warm, personal and short enough to read in under two minutes',
    good: "**A toast for Lena and Sam 🥂**\n\nGood evening, everyone! For those who don't know me, I'm Ana: Lena's little sister and, for most of my life, her shadow.\n\nLena taught me to ride a bike, to stand up for myself and, less successfully, to fold a fitted sheet. She has always been the person who shows up: with soup when you're sick, with a plan when you're lost, with a terrible pun when you need to laugh.\n\nSam, the first time you came to dinner you washed every dish without being asked. Mum still talks about it. But what I noticed was how Lena looked at you: like she had finally found someone who shows up for *her*.\n\nSo please raise your glasses: to Lena and Sam, and to showing up for each other, every single day. Cheers!",
    plain:
      "Hi everyone, I'm Ana, Lena's sister. I've known Lena my whole life, and she has always been kind, funny and supportive. Sam, welcome to the family; we're so happy she found you. You two are perfect together. Please raise your glasses to Lena and Sam. Cheers!",
    offTask:
      'Marriage is one of the oldest institutions in human history. Studies show that couples who communicate well are more likely to stay together, and experts recommend regular date nights, shared finances and clear agreements about household chores. In this speech I would like to go through the ten most important principles of a successful marriage, starting with communication, which is the foundation of everything else.',
    note: 'Personal anecdotes, a light joke, then the raise-your-glasses line. Under two minutes.',
    drift: 'A more general speech about marriage would suit any wedding.',
  },
]

function writingThinking(item: WritingItem, q: Quality, rng: Rng): string {
  const plan =
    q.polish === 2 ? 'I will add a title and shape it carefully.' : 'I will write it straight through.'
  return [
    pick(rng, THINK_OPENERS),
    q.correct ? item.note : item.drift,
    q.correct ? `Key requirement: ${lowerFirst(item.requirement)}.` : '',
    plan,
    closer(rng, q),
  ]
    .filter((part) => part !== '')
    .join(' ')
}

function writingAnswer(item: WritingItem, q: Quality, rng: Rng): string {
  if (!q.correct) return item.offTask
  if (q.polish === 2) return item.good
  if (q.polish === 1) return item.plain
  return `${item.plain}\n\n${pick(rng, WEAK_OUTROS)}`
}

function writingPrompt(item: WritingItem): PromptSpec {
  return {
    question: item.question,
    taskType: 'writing',
    referenceAnswer: null,
    answerCheck: item.requirement,
    wrongAnswerCheck: item.misconception ?? null,
    check: 'The language is vivid and specific rather than generic',
    finals: null,
    difficulty: difficultyOf(item.question),
    thinking: (q, rng) => writingThinking(item, q, rng),
    answer: (q, rng) => writingAnswer(item, q, rng),
  }
}

// --- code --------------------------------------------------------------------------------------

interface CodeItem {
  question: string
  lang: 'python' | 'javascript'
  requirement: string
  good: string
  buggy: string
  explain: readonly string[]
  example: string
  complexity: string
  note: string
}

const CODE_ITEMS: readonly CodeItem[] = [
  {
    question:
      'Write a Python function `is_palindrome(s)` that returns True if `s` is a palindrome, ignoring case and any non-alphanumeric characters.',
    lang: 'python',
    requirement: 'is_palindrome("A man, a plan, a canal: Panama") returns True',
    good: 'def is_palindrome(s: str) -> bool:\n    """Return True if s reads the same both ways, ignoring case and punctuation."""\n    cleaned = [ch.lower() for ch in s if ch.isalnum()]\n    return cleaned == cleaned[::-1]',
    buggy: 'def is_palindrome(s: str) -> bool:\n    s = s.lower().replace(" ", "")\n    return s == s[::-1]',
    explain: [
      'Keeps only letters and digits with `str.isalnum()`, lower-casing each one.',
      'Compares the cleaned sequence with its reverse (`[::-1]`).',
      'An empty string counts as a palindrome, which matches the usual definition.',
    ],
    example:
      'print(is_palindrome("A man, a plan, a canal: Panama"))  # True\nprint(is_palindrome("race a car"))  # False',
    complexity: '$O(n)$ time and $O(n)$ extra space',
    note: 'Filter with isalnum and lowercase before comparing; punctuation must not count.',
  },
  {
    question:
      'Write a JavaScript `debounce(fn, wait)` function: the returned function should only call `fn` once calls have stopped for `wait` milliseconds.',
    lang: 'javascript',
    requirement: 'Calls made within the wait period collapse into a single call of fn',
    good: 'function debounce(fn, wait) {\n  let timer = null\n  return function debounced(...args) {\n    clearTimeout(timer)\n    timer = setTimeout(() => fn.apply(this, args), wait)\n  }\n}',
    buggy:
      'function debounce(fn, wait) {\n  return function debounced(...args) {\n    setTimeout(() => fn.apply(this, args), wait)\n  }\n}',
    explain: [
      'Each call cancels the pending timer with `clearTimeout`, so only the last call in a burst survives.',
      "`fn.apply(this, args)` keeps both the caller's `this` and the latest arguments.",
      'The timer lives in a closure, so every debounced function has its own state.',
    ],
    example:
      "const search = debounce((q) => console.log('search:', q), 300)\nsearch('r')\nsearch('ru')\nsearch('rub') // only 'search: rub' is printed, 300 ms later",
    complexity: '$O(1)$ work per call',
    note: 'Keep the timer in a closure and clear it on every call; preserve this and args.',
  },
  {
    question:
      'Write a Python function `merge_sorted(a, b)` that merges two already-sorted lists into one sorted list in linear time.',
    lang: 'python',
    requirement: 'merge_sorted([1, 4, 9], [2, 3, 10, 12]) returns [1, 2, 3, 4, 9, 10, 12]',
    good: 'def merge_sorted(a: list[int], b: list[int]) -> list[int]:\n    """Merge two ascending lists into one ascending list in O(len(a) + len(b))."""\n    i = j = 0\n    merged: list[int] = []\n    while i < len(a) and j < len(b):\n        if a[i] <= b[j]:\n            merged.append(a[i])\n            i += 1\n        else:\n            merged.append(b[j])\n            j += 1\n    merged.extend(a[i:])\n    merged.extend(b[j:])\n    return merged',
    buggy:
      'def merge_sorted(a: list[int], b: list[int]) -> list[int]:\n    i = j = 0\n    merged = []\n    while i < len(a) and j < len(b):\n        if a[i] <= b[j]:\n            merged.append(a[i])\n            i += 1\n        else:\n            merged.append(b[j])\n            j += 1\n    return merged',
    explain: [
      'Two indices walk the lists in step; the smaller head is appended each time.',
      'Using `<=` keeps the merge stable: equal items from `a` come first.',
      'Whatever remains in either list is already sorted and is appended at the end.',
    ],
    example: 'print(merge_sorted([1, 4, 9], [2, 3, 10, 12]))\n# [1, 2, 3, 4, 9, 10, 12]',
    complexity: '$O(n + m)$ time and $O(n + m)$ space',
    note: 'Two pointers; do not forget the leftover tail of whichever list is longer.',
  },
  {
    question:
      'Write a Python function `fib(n)` that returns the n-th Fibonacci number iteratively, with fib(0) = 0.',
    lang: 'python',
    requirement: 'fib(10) returns 55',
    good: 'def fib(n: int) -> int:\n    """Return the n-th Fibonacci number, with fib(0) = 0 and fib(1) = 1."""\n    if n < 0:\n        raise ValueError("n must be non-negative")\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a',
    buggy:
      'def fib(n: int) -> int:\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return b',
    explain: [
      'Keeps only the last two values, so memory stays constant.',
      'After `n` iterations, `a` holds $F_n$.',
      'Negative input raises a `ValueError` instead of returning nonsense.',
    ],
    example: 'print([fib(k) for k in range(11)])\n# [0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55]',
    complexity: '$O(n)$ time and $O(1)$ space',
    note: 'Iterate n times keeping (a, b); return a, not b, or everything is shifted by one.',
  },
  {
    question:
      'Write a JavaScript function `chunk(arr, size)` that splits an array into groups of `size` elements.',
    lang: 'javascript',
    requirement: 'chunk([1, 2, 3, 4], 2) returns [[1, 2], [3, 4]]',
    good: "function chunk(arr, size) {\n  if (!Number.isInteger(size) || size < 1) throw new RangeError('size must be a positive integer')\n  const out = []\n  for (let i = 0; i < arr.length; i += size) {\n    out.push(arr.slice(i, i + size))\n  }\n  return out\n}",
    buggy:
      'function chunk(arr, size) {\n  const out = []\n  for (let i = 0; i <= arr.length; i += size) {\n    out.push(arr.slice(i, i + size))\n  }\n  return out\n}',
    explain: [
      'Steps through the array `size` elements at a time.',
      '`slice` never reads past the end, so the last chunk may be shorter.',
      'Invalid sizes throw early rather than looping forever.',
    ],
    example: 'chunk([1, 2, 3, 4, 5], 2) // [[1, 2], [3, 4], [5]]\nchunk([], 3) // []',
    complexity: '$O(n)$ time',
    note: 'Loop with i < length (not <=) so no empty trailing chunk; validate size.',
  },
  {
    question:
      'Write a Python function `is_balanced(s)` that checks whether the brackets (), [] and {} in a string are balanced.',
    lang: 'python',
    requirement: 'is_balanced("([)]") returns False',
    good: 'def is_balanced(s: str) -> bool:\n    """Return True if every bracket in s is closed in the right order."""\n    pairs = {")": "(", "]": "[", "}": "{"}\n    stack: list[str] = []\n    for ch in s:\n        if ch in "([{":\n            stack.append(ch)\n        elif ch in pairs:\n            if not stack or stack.pop() != pairs[ch]:\n                return False\n    return not stack',
    buggy:
      'def is_balanced(s: str) -> bool:\n    return all(s.count(o) == s.count(c) for o, c in ["()", "[]", "{}"])',
    explain: [
      'Pushes every opening bracket onto a stack.',
      'Each closing bracket must match the most recent unmatched opener.',
      'Anything left on the stack at the end is unclosed.',
    ],
    example: 'print(is_balanced("{[()()]}"))  # True\nprint(is_balanced("([)]"))  # False',
    complexity: '$O(n)$ time and $O(n)$ space',
    note: 'Counting is not enough because order matters: "([)]" must fail. Use a stack.',
  },
]

const CODE_INTROS = [
  'Here is a clean implementation.',
  'Here is one way to write it.',
  'Below is a straightforward solution.',
] as const

function codeThinking(item: CodeItem, q: Quality, rng: Rng): string {
  return [
    pick(rng, THINK_OPENERS),
    q.correct ? item.note : 'This is simple enough to write directly.',
    q.correct
      ? 'Edge cases: empty input, and the inputs that trip up a naive version.'
      : 'Edge cases are unlikely to matter here.',
    closer(rng, q),
  ].join(' ')
}

function codeAnswer(item: CodeItem, q: Quality, rng: Rng): string {
  const code = fence(item.lang, q.correct ? item.good : item.buggy)
  const intro = pick(rng, CODE_INTROS)
  if (q.polish === 2) {
    return [
      intro,
      '## Implementation',
      code,
      '### How it works',
      bullets(item.explain),
      '### Example',
      fence(item.lang, item.example),
      `**Complexity:** ${item.complexity}.`,
    ].join('\n\n')
  }
  if (q.polish === 1) return `${intro}\n\n${code}\n\n${item.explain.join(' ')}`
  return `${code}\n\nThis should work for the inputs described.`
}

function codePrompt(item: CodeItem): PromptSpec {
  return {
    question: item.question,
    taskType: 'code',
    referenceAnswer: null,
    answerCheck: `The code is correct: ${item.requirement}`,
    wrongAnswerCheck: null,
    check: 'The response explains how the code works and gives an example',
    finals: null,
    difficulty: difficultyOf(item.question),
    thinking: (q, rng) => codeThinking(item, q, rng),
    answer: (q, rng) => codeAnswer(item, q, rng),
  }
}

/** Task types interleaved, so the fixed prompt set reads like a mixed evaluation batch. */
function buildPrompts(): readonly PromptSpec[] {
  const groups: PromptSpec[][] = [
    MATH_ITEMS.map(mathPrompt),
    FACTUAL_ITEMS.map(factualPrompt),
    INSTRUCTION_ITEMS.map(instructionPrompt),
    WRITING_ITEMS.map(writingPrompt),
    CODE_ITEMS.map(codePrompt),
  ]
  const out: PromptSpec[] = []
  const longest = Math.max(...groups.map((group) => group.length))
  for (let i = 0; i < longest; i++) {
    for (const group of groups) {
      const prompt = group[i]
      if (prompt !== undefined) out.push(prompt)
    }
  }
  return out
}

const PROMPTS = buildPrompts()

// ---------------------------------------------------------------------------------------------
// Sampling answers across the run
// ---------------------------------------------------------------------------------------------

/**
 * The demo needs "newer is usually better" to be visible without being always true, so skill
 * rises with the step and per-sample noise keeps regressions possible.
 */
function sampleQuality(rng: Rng, step: number, prompt: PromptSpec): Quality {
  const progress = step / TOTAL_STEPS
  const correct = chance(rng, clamp(0.55 + 0.45 * progress - prompt.difficulty, 0.15, 0.95))
  const presentation = 0.2 + 0.6 * progress + (rng() - 0.5) * 0.6
  const polish: Polish = presentation > 0.65 ? 2 : presentation > 0.35 ? 1 : 0
  return { correct, polish }
}

/** Renders a full response (thinking first, then the answer) and keeps it within size bounds. */
function renderResponse(prompt: PromptSpec, q: Quality, rng: Rng): string {
  let thinking = prompt.thinking(q, rng)
  // Thinking models often go over the problem twice; these long traces exercise the long-text views.
  if (chance(rng, 0.2)) {
    thinking = `${thinking}\n\nWait, let me go over it again from the top.\n\n${prompt.thinking(q, rng)}\n\n${THINK_PADDING.join(' ')}`
  }
  const answer = prompt.answer(q, rng)
  const build = (): string => `<think>\n${thinking}\n</think>\n\n${answer}`
  for (const extra of shuffled(rng, THINK_PADDING)) {
    if (build().length >= MIN_RESPONSE_CHARS) break
    thinking = `${thinking} ${extra}`
  }
  const text = build()
  if (text.length < MIN_RESPONSE_CHARS || text.length > MAX_RESPONSE_CHARS) {
    throw new Error(`response of ${text.length} chars for "${prompt.question}" is outside the demo bounds`)
  }
  return text
}

/** Swaps chosen so that meaning and final answers survive; only prose outside code is touched. */
const NEAR_IDENTICAL_SWAPS: ReadonlyArray<readonly [string, string]> = [
  ['Therefore', 'Thus'],
  ['So the answer', 'Hence the answer'],
  ['First,', 'To begin,'],
  ['Here is', "Here's"],
  ['straightforward', 'simple'],
  ['Finally,', 'Lastly,'],
  ['In short:', 'In summary:'],
  ['about', 'roughly'],
  ['which means', 'meaning'],
  ['each', 'every'],
  ['carefully', 'closely'],
]

/** Matches `word` only as a whole word, so "so" never rewrites "also". */
function wholeWord(word: string): RegExp {
  return new RegExp(
    `(?<![\\p{L}\\p{N}_])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}_])`,
    'u'
  )
}

const THINK_END = '</think>'

/** Splits a response after its thinking block; only the answer part is what a reader compares. */
function splitAtAnswer(text: string): [string, string] {
  const end = text.indexOf(THINK_END)
  return end < 0 ? ['', text] : [text.slice(0, end + THINK_END.length), text.slice(end + THINK_END.length)]
}

/**
 * A newer answer that differs from the older one by a few words: the hardest pairs to judge.
 * Edits touch the visible answer (a changed thinking block alone would look identical once
 * stripped) and never the inside of code fences.
 */
function nearIdentical(text: string, rng: Rng): string {
  const [thinking, answer] = splitAtAnswer(text)
  const segments = answer.split(/(```[\s\S]*?```)/)
  const isProse = (segment: string, i: number): boolean => i % 2 === 0 && segment !== ''
  const applicable = shuffled(rng, NEAR_IDENTICAL_SWAPS).filter(([from]) =>
    segments.some((segment, i) => isProse(segment, i) && wholeWord(from).test(segment))
  )
  const chosen = applicable.slice(0, intBetween(rng, 1, 3))
  if (chosen.length === 0) return `${text}\n\n${pick(rng, WEAK_OUTROS)}`
  let changed = segments
  for (const [from, to] of chosen) {
    let done = false
    changed = changed.map((segment, i) => {
      if (done || !isProse(segment, i) || !wholeWord(from).test(segment)) return segment
      done = true
      return segment.replace(wholeWord(from), to)
    })
  }
  return thinking + changed.join('')
}

// ---------------------------------------------------------------------------------------------
// Rubrics
// ---------------------------------------------------------------------------------------------

type ValidKind = 'v2' | 'v3' | 'v3-wrong-answer' | 'holistic'
type InvalidKind =
  | 'free-text'
  | 'prose-wrapped'
  | 'json-fence'
  | 'single-criterion'
  | 'weights-sum-1.6'
  | 'zero-weight'
  | 'missing-criteria-key'
type RubricKind = ValidKind | InvalidKind

const INVALID_KINDS: readonly InvalidKind[] = [
  'free-text',
  'prose-wrapped',
  'json-fence',
  'single-criterion',
  'weights-sum-1.6',
  'zero-weight',
  'missing-criteria-key',
]

/** What a criterion rewards, so the simulated judge can score it consistently. */
type CriterionRole = 'answer' | 'wrong-answer' | 'quality' | 'holistic'

interface DraftCriterion {
  criterion: string
  weight: number
  role: CriterionRole
  levels: Record<string, string> | null
}

interface Rubric {
  kind: RubricKind
  text: string
  criteria: readonly DraftCriterion[]
}

const QUALITY_POOLS: Record<TaskType, readonly string[]> = {
  math: [
    'The response shows the intermediate steps of the calculation',
    'Mathematical notation is used correctly and consistently',
    'The final answer is clearly marked, for example boxed or in bold',
    'The response contains no arithmetic errors',
    'The reasoning is concise, without unnecessary digressions',
    'The response verifies the result against the original problem',
  ],
  factual: [
    'The response answers the question directly in its first sentence',
    'The response does not include invented or unverifiable details',
    'Names and non-English terms are spelled correctly',
    'The response is concise',
    'Any numbers given are precise and correct',
  ],
  instruction: [
    'The response follows every formatting instruction in the prompt',
    'The response contains no preamble or commentary beyond what was asked',
    'The wording is clear and natural',
    'The response answers the underlying question correctly',
  ],
  writing: [
    'The piece has a clear structure with a beginning and an end',
    'The tone suits the intended audience',
    'The piece respects the requested length',
    'The text is free of grammatical errors',
    'The piece avoids clichés',
    'The response uses formatting (headings, bold, lists) where it helps',
  ],
  code: [
    'The function has the requested name and signature',
    'The code handles edge cases such as empty input',
    'The code runs without syntax errors',
    'The response includes a usage example or test',
    'The time complexity is stated and reasonable',
  ],
}

const HOLISTIC_CRITERIA = [
  'The response is helpful',
  'The response is well organized',
  'The response is accurate',
  'The response is clear and easy to read',
  'The response fully addresses the user request',
  'The response is of high overall quality',
] as const

function levelsFor(rng: Rng, criterion: string, binary: boolean): Record<string, string> {
  const subject = lowerFirst(criterion)
  const full = pick(rng, ['Fully satisfied:', 'Yes:', 'Completely meets the criterion:'])
  if (binary) {
    const fail = pick(rng, [
      'Not satisfied.',
      'No: the response fails this check.',
      'The check fails or is not attempted.',
    ])
    return { '1.0': `${full} ${subject}.`, '0.0': fail }
  }
  return {
    '1.0': `${full} ${subject}.`,
    '0.5': `Partially: ${subject}, with minor gaps or errors.`,
    '0.0': `Not satisfied, or the response does not attempt it.`,
  }
}

/** Weights rounded to cents that add up exactly to `total`, none below 0.05. */
function splitWeights(rng: Rng, count: number, total: number): number[] {
  const raw = Array.from({ length: count }, () => 0.5 + rng())
  const sum = raw.reduce((a, b) => a + b, 0)
  const weights = raw.map((r) => Math.max(0.05, round2((r / sum) * total)))
  const drift = round2(total - weights.reduce((a, b) => a + b, 0))
  const largest = weights.indexOf(Math.max(...weights))
  weights[largest] = round2(at(weights, largest) + drift)
  return weights
}

function criterion(
  rng: Rng,
  text: string,
  weight: number,
  role: CriterionRole,
  withLevels: boolean
): DraftCriterion {
  const binary = role === 'answer' || role === 'wrong-answer'
  return { criterion: text, weight, role, levels: withLevels ? levelsFor(rng, text, binary) : null }
}

/** A v3 rubric: one high-weight dealbreaker plus a few supporting criteria. */
function v3Criteria(rng: Rng, prompt: PromptSpec, leakWrong: boolean, total: number): DraftCriterion[] {
  const dealbreakerWeight = round2(0.4 + 0.05 * intBetween(rng, 0, 4))
  const supporting = shuffled(rng, [prompt.check, ...QUALITY_POOLS[prompt.taskType]]).slice(
    0,
    intBetween(rng, 2, 4)
  )
  const weights = splitWeights(rng, supporting.length, round2(total - dealbreakerWeight))
  const withLevels = chance(rng, 0.6)
  const dealbreaker =
    leakWrong && prompt.wrongAnswerCheck !== null ? prompt.wrongAnswerCheck : prompt.answerCheck
  return [
    criterion(rng, dealbreaker, dealbreakerWeight, leakWrong ? 'wrong-answer' : 'answer', withLevels),
    ...supporting.map((text, i) => criterion(rng, text, at(weights, i), 'quality', withLevels)),
  ]
}

/** A v2 rubric: 5 to 10 weighted criteria, all with three scoring levels. */
function v2Criteria(rng: Rng, prompt: PromptSpec, total: number): DraftCriterion[] {
  const quality = shuffled(rng, [prompt.check, ...QUALITY_POOLS[prompt.taskType]])
  const holistic = shuffled(rng, HOLISTIC_CRITERIA).slice(0, 2)
  const texts = [prompt.answerCheck, ...quality, ...holistic].slice(0, intBetween(rng, 5, 10))
  const weights = splitWeights(rng, texts.length, total)
  return texts.map((text, i) => {
    const role: CriterionRole = i === 0 ? 'answer' : i <= quality.length ? 'quality' : 'holistic'
    return criterion(rng, text, at(weights, i), role, true)
  })
}

function holisticCriteria(rng: Rng, total: number): DraftCriterion[] {
  const texts = shuffled(rng, HOLISTIC_CRITERIA).slice(0, intBetween(rng, 2, 4))
  const weights = splitWeights(rng, texts.length, total)
  const withLevels = chance(rng, 0.4)
  return texts.map((text, i) => criterion(rng, text, at(weights, i), 'holistic', withLevels))
}

function criteriaJson(criteria: readonly DraftCriterion[], rng: Rng, key = 'criteria'): string {
  const items = criteria.map((c) =>
    c.levels === null
      ? { criterion: c.criterion, weight: c.weight }
      : { criterion: c.criterion, weight: c.weight, scoring_levels: c.levels }
  )
  return JSON.stringify({ [key]: items }, null, chance(rng, 0.7) ? 2 : undefined)
}

function rubricThinking(rng: Rng, prompt: PromptSpec, kind: RubricKind): string {
  const focus: Record<TaskType, string> = {
    math: 'This is a math problem, so correctness of the final answer should dominate.',
    factual: 'This is a factual question; the key fact must be right, the rest is presentation.',
    instruction: 'The prompt has an explicit format constraint; a checkable criterion for it is essential.',
    writing: 'Open-ended writing: no single right answer, but the explicit requirements are checkable.',
    code: 'A coding task: the function must behave correctly on the tricky inputs.',
  }
  const plan =
    kind === 'holistic'
      ? 'I will keep the rubric general so it applies to any good response.'
      : kind === 'v3-wrong-answer'
        ? `Let me solve it quickly myself to write the dealbreaker... I get: ${lowerFirst(prompt.wrongAnswerCheck ?? '')}.`
        : `The dealbreaker: ${lowerFirst(prompt.answerCheck)}. It gets the largest weight.`
  return `<think>\n${pick(rng, THINK_OPENERS)} ${focus[prompt.taskType]} ${plan} Then a few supporting criteria, weights summing to 1.\n</think>\n\n`
}

/**
 * The rubric generator gets better at the format as its training goes on: invalid and holistic
 * rubrics become rarer with the step, which is what the lineage views should reveal.
 */
function chooseRubricKind(rng: Rng, step: number, prompt: PromptSpec): RubricKind {
  const progress = step / TOTAL_STEPS
  if (chance(rng, 0.3 - 0.2 * progress)) return pick(rng, INVALID_KINDS)
  const r = rng()
  const holistic = 0.25 - 0.15 * progress
  const leak = prompt.wrongAnswerCheck === null ? 0 : 0.18
  if (r < holistic) return 'holistic'
  if (r < holistic + leak) return 'v3-wrong-answer'
  return r < holistic + leak + (1 - holistic - leak) * 0.6 ? 'v3' : 'v2'
}

/** Most valid rubrics sum to exactly 1; a few drift within the ±0.15 the format rule tolerates. */
function validTotal(rng: Rng): number {
  return chance(rng, 0.1) ? pick(rng, [0.9, 0.95, 1.05, 1.1]) : 1
}

function validRubricCriteria(rng: Rng, prompt: PromptSpec, kind: ValidKind): DraftCriterion[] {
  const total = validTotal(rng)
  switch (kind) {
    case 'v2':
      return v2Criteria(rng, prompt, total)
    case 'v3':
      return v3Criteria(rng, prompt, false, total)
    case 'v3-wrong-answer':
      return v3Criteria(rng, prompt, true, total)
    case 'holistic':
      return holisticCriteria(rng, total)
  }
}

function invalidRubricBody(rng: Rng, prompt: PromptSpec, kind: InvalidKind): Omit<Rubric, 'kind'> {
  const base = v3Criteria(rng, prompt, false, 1)
  switch (kind) {
    case 'free-text': {
      const lines = base.map((c, i) => `${i + 1}. ${c.criterion} (${Math.round(c.weight * 100)}%)`)
      const text = `Rubric for evaluating the response:\n\n${lines.join('\n')}\n\nA response that meets all of these deserves full marks.`
      return { text, criteria: base }
    }
    case 'prose-wrapped': {
      const text = `Here is a rubric for this question:\n\n${criteriaJson(base, rng)}\n\nThe first criterion matters most, so it carries the largest weight.`
      return { text, criteria: base }
    }
    case 'json-fence':
      return { text: fence('json', criteriaJson(base, rng)), criteria: base }
    case 'single-criterion': {
      const only = [{ ...at(base, 0), weight: 1 }]
      return { text: criteriaJson(only, rng), criteria: only }
    }
    case 'weights-sum-1.6': {
      const heavy = v3Criteria(rng, prompt, false, 1.6)
      return { text: criteriaJson(heavy, rng), criteria: heavy }
    }
    case 'zero-weight': {
      const extra = criterion(rng, 'The response avoids unnecessary repetition', 0, 'quality', false)
      const withZero = [...base, extra]
      return { text: criteriaJson(withZero, rng), criteria: withZero }
    }
    case 'missing-criteria-key':
      return { text: criteriaJson(base, rng, pick(rng, ['rubric', 'items', 'rubric_items'])), criteria: base }
  }
}

function isInvalidKind(kind: RubricKind): kind is InvalidKind {
  return (INVALID_KINDS as readonly string[]).includes(kind)
}

/** What the rubric generator saved at `modelStep` writes for `prompt`. */
function generateRubric(rng: Rng, modelStep: number, prompt: PromptSpec): Rubric {
  const kind = chooseRubricKind(rng, modelStep, prompt)
  // A few generations skip the thinking block, as Qwen3 does when it decides not to think.
  const thinking = chance(rng, 0.1) ? '' : rubricThinking(rng, prompt, kind)
  if (isInvalidKind(kind)) {
    const body = invalidRubricBody(rng, prompt, kind)
    return { kind, text: thinking + body.text, criteria: body.criteria }
  }
  const criteria = validRubricCriteria(rng, prompt, kind)
  return { kind, text: thinking + criteriaJson(criteria, rng), criteria }
}

// ---------------------------------------------------------------------------------------------
// The frozen judge
// ---------------------------------------------------------------------------------------------

interface Verdict {
  score: number
  reasoning: string
}

/** Judges output coarse scores; rounding to 0.05 is also what makes ties happen naturally. */
function roundScore(x: number): number {
  return Math.round(clamp(x, 0, 1) * 20) / 20
}

function criterionLevel(rng: Rng, role: CriterionRole, q: Quality): number {
  const noise = (rng() - 0.5) * 0.5
  switch (role) {
    case 'answer':
      return chance(rng, 0.05) ? (q.correct ? 0 : 1) : q.correct ? 1 : 0
    case 'wrong-answer':
      return q.correct ? 0 : 1
    case 'quality':
      return Math.round(clamp((q.polish / 2) * 0.8 + (q.correct ? 0.2 : 0) + noise, 0, 1) * 2) / 2
    case 'holistic':
      // A small judge with a vague criterion is lenient: most answers land near the top.
      return Math.round(clamp(0.7 + 0.1 * q.polish + (q.correct ? 0.1 : -0.15) + noise * 0.6, 0, 1) * 2) / 2
  }
}

const POLISH_REMARKS: Record<Polish, readonly string[]> = {
  0: [
    'The response is terse and skips most of the justification.',
    'There is little structure or explanation.',
  ],
  1: ['The explanation is adequate but could be better organized.', 'The structure is acceptable, if plain.'],
  2: [
    'The response is well structured, with clear headings and steps.',
    'Presentation is clear and complete.',
  ],
}

const HOLISTIC_REMARKS = [
  'Overall it is helpful and readable.',
  'It addresses the request in general terms.',
  'It reads well overall.',
] as const

function answerRemark(prompt: PromptSpec, c: DraftCriterion, q: Quality): string {
  const quoted = `"${c.criterion}"`
  const finals = prompt.finals
  if (c.role === 'wrong-answer') {
    if (finals === null)
      return q.correct ? `It does not match ${quoted}, so it loses that weight.` : `It matches ${quoted}.`
    return q.correct
      ? `The rubric expects ${finals.wrong}, but the response gives ${finals.right}, so it scores 0 on ${quoted}.`
      : `The response gives ${finals.wrong}, which matches the dealbreaker ${quoted}.`
  }
  if (finals === null) {
    return q.correct
      ? `The key requirement is met: ${lowerFirst(c.criterion)}.`
      : `The key requirement ${quoted} is not met.`
  }
  return q.correct
    ? `The final answer (${finals.right}) satisfies ${quoted}.`
    : `The response concludes ${finals.wrong}, so ${quoted} is not met.`
}

function judgeReasoning(rng: Rng, prompt: PromptSpec, rubric: Rubric, q: Quality, score: number): string {
  const key = rubric.criteria.find((c) => c.role === 'answer' || c.role === 'wrong-answer')
  const parts = [
    key === undefined
      ? q.correct
        ? 'The content looks accurate.'
        : 'The content has a substantive problem, but the rubric does not check for it directly.'
      : answerRemark(prompt, key, q),
    pick(rng, POLISH_REMARKS[q.polish]),
  ]
  if (rubric.criteria.some((c) => c.role === 'holistic')) parts.push(pick(rng, HOLISTIC_REMARKS))
  parts.push(`Weighted score: ${score.toFixed(2)}.`)
  return parts.join(' ')
}

/** Raw judge outputs that fail to parse; EvoLM records the score as NaN. */
const UNPARSEABLE_JUDGE_OUTPUTS = [
  "I'd rate this response 8 out of 10. It covers the main points but misses some detail.",
  '{"reasoning": "The response satisfies the first criterion and most of the second", "score": }',
  '<think>\nLet me go through the criteria one by one. Criterion 1: the response',
  'Score: high. The answer is correct and clearly presented.',
] as const

function judge(rng: Rng, prompt: PromptSpec, rubric: Rubric, q: Quality): Verdict {
  const totalWeight = rubric.criteria.reduce((sum, c) => sum + c.weight, 0)
  const weighted = rubric.criteria.reduce((sum, c) => sum + c.weight * criterionLevel(rng, c.role, q), 0)
  const score = roundScore(weighted / (totalWeight > 0 ? totalWeight : 1) + (rng() - 0.5) * 0.08)
  return { score, reasoning: judgeReasoning(rng, prompt, rubric, q, score) }
}

function unparseable(rng: Rng): Verdict {
  return { score: Number.NaN, reasoning: pick(rng, UNPARSEABLE_JUDGE_OUTPUTS) }
}

// ---------------------------------------------------------------------------------------------
// Generation-example rows
// ---------------------------------------------------------------------------------------------

interface RrdTrace {
  method: string
  proposed_items: number
  rejected_items: string[]
  iterations: Array<{ iteration: number; kept: number }>
}

/** Field order matters: the file must read like Python's dataclass `asdict` output. */
interface GenerationRow {
  training_step: number
  actor_type: Phase
  example_index: number
  question: string
  rubric: string
  policy_answer: string
  score: number
  accepted_reasoning: string | null
  rejected_answer: string | null
  rejected_reasoning: string | null
  accepted_score: number | null
  rejected_score: number | null
  reward: number | null
  inferred_question: string | null
  rejected_step: number | null
  current_step: number | null
  step_gap: number | null
  rrd_weighting_method: string | null
  rrd_iterations: number | null
  rrd_rejected_count: number | null
  rrd_rubric_items: string[] | null
  rrd_weights: number[] | null
  rrd_binary_scores: number[] | null
  rrd_trace: RrdTrace | null
  timestamp: string
}

type RrdFields = Pick<
  GenerationRow,
  | 'rrd_weighting_method'
  | 'rrd_iterations'
  | 'rrd_rejected_count'
  | 'rrd_rubric_items'
  | 'rrd_weights'
  | 'rrd_binary_scores'
  | 'rrd_trace'
>

const NO_RRD: RrdFields = { ...NO_RRD_FIELDS }

const RRD_DROPPED = [
  'The response is good',
  'The response is correct',
  'The response is well written',
] as const

/** A handful of rows carry the RRD debug fields, so the views that show them have data. */
function rrdFields(rng: Rng, rubric: Rubric): RrdFields {
  const items = rubric.criteria.slice(0, intBetween(rng, 2, 4)).map((c) => c.criterion)
  const raw = items.map(() => 0.5 + rng())
  const sum = raw.reduce((a, b) => a + b, 0)
  const rejected = RRD_DROPPED.slice(0, intBetween(rng, 0, 2))
  const iterations = intBetween(rng, 1, 3)
  return {
    rrd_weighting_method: 'wu',
    rrd_iterations: iterations,
    rrd_rejected_count: rejected.length,
    rrd_rubric_items: items,
    rrd_weights: raw.map((r) => Math.round((r / sum) * 1000) / 1000),
    rrd_binary_scores: items.map(() => (chance(rng, 0.6) ? 1 : 0)),
    rrd_trace: {
      method: 'whitened-uniform',
      proposed_items: items.length + rejected.length,
      rejected_items: [...rejected],
      iterations: range(1, iterations).map((iteration) => ({ iteration, kept: items.length })),
    },
  }
}

/**
 * Replay-buffer age: mostly the configured 5-20 window, sometimes 20-100 (skewed young, as a
 * 2048-entry buffer would make it). Never older than step 1.
 */
function sampleGap(rng: Rng, step: number): number {
  const gap = chance(rng, 0.55) ? intBetween(rng, MIN_GAP, 20) : 20 + Math.floor(80 * rng() ** 2)
  return Math.min(gap, step - 1)
}

type PairKind = 'independent' | 'improved' | 'regressed' | 'near-identical'

function choosePairKind(rng: Rng, prompt: PromptSpec): PairKind {
  const r = rng()
  if (r < 0.35) return 'independent'
  if (r < 0.72) return 'improved'
  if (r < 0.86) return 'regressed'
  // A reworded instruction answer could break its constraint, which would mislabel the pair.
  return prompt.taskType === 'instruction' ? 'independent' : 'near-identical'
}

interface Pair {
  newer: Quality
  older: Quality
  newerText: string
  olderText: string
}

function polishAtLeast(rng: Rng, min: Polish): Polish {
  return min === 2 ? 2 : min === 1 ? pick(rng, [1, 2] as const) : pick(rng, [0, 1, 2] as const)
}

function pairQualities(
  rng: Rng,
  kind: PairKind,
  prompt: PromptSpec,
  step: number,
  olderStep: number
): [Quality, Quality] {
  switch (kind) {
    case 'improved': {
      const older: Quality = { correct: chance(rng, 0.4), polish: 0 }
      return [{ correct: true, polish: older.correct ? 2 : polishAtLeast(rng, 1) }, older]
    }
    case 'regressed':
      return [
        { correct: false, polish: polishAtLeast(rng, 1) },
        { correct: true, polish: polishAtLeast(rng, 0) },
      ]
    case 'near-identical': {
      const older = sampleQuality(rng, olderStep, prompt)
      return [older, older]
    }
    case 'independent':
      return [sampleQuality(rng, step, prompt), sampleQuality(rng, olderStep, prompt)]
  }
}

/** Nearby qualities to try when two samples happen to render to the very same answer text. */
function alternativesTo(q: Quality): Quality[] {
  return [
    { correct: q.correct, polish: q.polish === 2 ? 1 : 2 },
    { correct: q.correct, polish: q.polish === 0 ? 1 : 0 },
    { correct: !q.correct, polish: q.polish },
  ]
}

function buildPair(rng: Rng, kind: PairKind, prompt: PromptSpec, step: number, olderStep: number): Pair {
  const [newer, firstOlder] = pairQualities(rng, kind, prompt, step, olderStep)
  let older = firstOlder
  let olderText = renderResponse(prompt, older, rng)
  if (kind === 'near-identical') return { newer, older, newerText: nearIdentical(olderText, rng), olderText }
  const newerText = renderResponse(prompt, newer, rng)
  // Canned answers make exact duplicates likely; a pair with nothing to compare wastes an audit.
  const candidates = alternativesTo(older)
  while (splitAtAnswer(olderText)[1] === splitAtAnswer(newerText)[1]) {
    const next = candidates.shift()
    if (next === undefined) throw new Error(`no distinct older answer for "${prompt.question}"`)
    older = next
    olderText = renderResponse(prompt, older, rng)
  }
  return { newer, older, newerText, olderText }
}

/** Rows per logged step: EvoLM logs up to 3; some steps log fewer. */
function examplesAt(rng: Rng): number {
  return chance(rng, 0.5) ? 3 : 2
}

function promptsFor(rng: Rng, count: number): PromptSpec[] {
  return shuffled(rng, PROMPTS).slice(0, count)
}

const JUDGE_FAILURE_RATE = 0.04

function verdictOrFailure(rng: Rng, prompt: PromptSpec, rubric: Rubric, q: Quality): Verdict {
  return chance(rng, JUDGE_FAILURE_RATE) ? unparseable(rng) : judge(rng, prompt, rubric, q)
}

function rubricRow(
  step: number,
  index: number,
  prompt: PromptSpec,
  gapOverride: number | null
): GenerationRow {
  const rng = rngFor('rubric-row', step, index)
  const gap = gapOverride ?? sampleGap(rng, step)
  const olderStep = step - gap
  const rubric = generateRubric(rng, step, prompt)
  const pair = buildPair(rng, choosePairKind(rng, prompt), prompt, step, olderStep)
  const accepted = verdictOrFailure(rng, prompt, rubric, pair.newer)
  const rejected = verdictOrFailure(rng, prompt, rubric, pair.older)
  return {
    training_step: step,
    actor_type: 'rubric',
    example_index: index,
    question: prompt.question,
    rubric: rubric.text,
    policy_answer: pair.newerText,
    score: accepted.score,
    accepted_reasoning: accepted.reasoning,
    rejected_answer: pair.olderText,
    rejected_reasoning: rejected.reasoning,
    accepted_score: accepted.score,
    rejected_score: rejected.score,
    // NaN compares false, so a failed parse gives 0 exactly as in the Python trainer.
    reward: accepted.score > rejected.score ? 1 : 0,
    inferred_question: null,
    rejected_step: olderStep,
    current_step: step,
    step_gap: gap,
    ...(chance(rng, 0.04) ? rrdFields(rng, rubric) : NO_RRD),
    timestamp: timestampFor(step, index),
  }
}

function policyRow(step: number, index: number, prompt: PromptSpec): GenerationRow {
  const rng = rngFor('policy-row', step, index)
  const rubric = generateRubric(rng, rubricModelStepFor(step), prompt)
  const quality = sampleQuality(rng, step, prompt)
  const verdict = verdictOrFailure(rng, prompt, rubric, quality)
  return {
    training_step: step,
    actor_type: 'policy',
    example_index: index,
    question: prompt.question,
    rubric: rubric.text,
    policy_answer: renderResponse(prompt, quality, rng),
    score: verdict.score,
    accepted_reasoning: verdict.reasoning,
    rejected_answer: null,
    rejected_reasoning: null,
    accepted_score: null,
    rejected_score: null,
    reward: null,
    inferred_question: null,
    rejected_step: null,
    current_step: null,
    step_gap: null,
    ...NO_RRD,
    timestamp: timestampFor(step, index),
  }
}

/**
 * Pin the two ends of the configured age range once each, so the gap histogram always spans the
 * full 5-100 range whatever the sampler happens to draw.
 */
function pinnedGap(step: number, index: number): number | null {
  if (step === PHASE_LENGTH + 1 && index === 0) return MIN_GAP
  if (step === TOTAL_STEPS && index === 0) return MAX_GAP
  return null
}

function buildGenerationRows(phase: Phase): GenerationRow[] {
  const rows: GenerationRow[] = []
  for (const step of range(1, TOTAL_STEPS).filter((s) => phaseOf(s) === phase)) {
    const rng = rngFor('step-prompts', phase, step)
    promptsFor(rng, examplesAt(rng)).forEach((prompt, index) => {
      rows.push(
        phase === 'rubric'
          ? rubricRow(step, index, prompt, pinnedGap(step, index))
          : policyRow(step, index, prompt)
      )
    })
  }
  return rows
}

// ---------------------------------------------------------------------------------------------
// Qualitative evals, manifest, checkpoints, metadata
// ---------------------------------------------------------------------------------------------

interface QualitativeRow {
  prompt_index: number
  question: string
  generation: string
}

/** Failed generations, placed at fixed spots so the demo always shows a few. */
const GENERATION_ERRORS: ReadonlyArray<{ type: Phase; step: number; promptIndex: number; text: string }> = [
  { type: 'policy', step: 75, promptIndex: 7, text: 'ERROR: generation timed out after 600s' },
  {
    type: 'policy',
    step: 175,
    promptIndex: 22,
    text: 'ERROR: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 79.19 GiB total capacity)',
  },
  {
    type: 'rubric',
    step: 100,
    promptIndex: 31,
    text: 'ERROR: vLLM engine died unexpectedly (EngineDeadError)',
  },
]

function qualitativeGeneration(type: Phase, step: number, promptIndex: number, prompt: PromptSpec): string {
  const failure = GENERATION_ERRORS.find(
    (e) => e.type === type && e.step === step && e.promptIndex === promptIndex
  )
  if (failure !== undefined) return failure.text
  const rng = rngFor('qualitative', type, step, promptIndex)
  if (type === 'rubric') return generateRubric(rng, step, prompt).text
  return renderResponse(prompt, sampleQuality(rng, step, prompt), rng)
}

function qualitativeRows(type: Phase, step: number): QualitativeRow[] {
  return PROMPTS.map((prompt, promptIndex) => ({
    prompt_index: promptIndex,
    question: prompt.question,
    generation: qualitativeGeneration(type, step, promptIndex, prompt),
  }))
}

function manifest(): unknown {
  return {
    types_processed: { policy: POLICY_CHECKPOINTS, rubric: RUBRIC_CHECKPOINTS },
    rubric_prompt_key: 'v3',
    generation_config: {
      temperature: 0.6,
      top_p: 0.95,
      top_k: 20,
      max_new_tokens: 16384,
      enable_thinking: true,
      num_prompts: PROMPTS.length,
      seed: 42,
    },
  }
}

function checkpointConfig(type: Phase, step: number): unknown {
  return {
    architectures: ['Qwen3ForCausalLM'],
    model_type: 'qwen3',
    torch_dtype: 'bfloat16',
    evolm_role: type,
    evolm_step: step,
    demo_note: 'weights omitted from the demo run',
  }
}

// ---------------------------------------------------------------------------------------------
// Writing files
// ---------------------------------------------------------------------------------------------

function toPythonJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'number' && Number.isNaN(v) ? NAN_PLACEHOLDER : v
  )
  return text.split(`"${NAN_PLACEHOLDER}"`).join('NaN')
}

function writeJsonl(path: string, rows: readonly unknown[]): void {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, rows.map((row) => toPythonJson(row) + '\n').join(''), 'utf8')
}

function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n', 'utf8')
}

/**
 * The folder is wiped before writing, so refuse anything that does not look like a previous demo
 * run: a mistyped argument must not delete someone's work.
 */
function resetOutputDir(outDir: string): void {
  if (existsSync(outDir)) {
    const entries = readdirSync(outDir)
    const looksGenerated =
      entries.length === 0 ||
      entries.includes('generation_examples') ||
      entries.includes('prompt_metadata.jsonl')
    if (!looksGenerated) {
      throw new Error(`refusing to replace ${outDir}: it is not empty and does not look like a demo run`)
    }
    rmSync(outDir, { recursive: true, force: true })
  }
  mkdirSync(outDir, { recursive: true })
}

/** Writes the whole demo run into `outDir`, replacing what was there. */
export function generateDemoRun(outDir: string): void {
  const root = resolve(outDir)
  resetOutputDir(root)
  const examples = join(root, 'generation_examples')
  writeJsonl(join(examples, 'rubric_generations.jsonl'), buildGenerationRows('rubric'))
  writeJsonl(join(examples, 'policy_generations.jsonl'), buildGenerationRows('policy'))
  for (const [type, steps] of [
    ['policy', POLICY_CHECKPOINTS],
    ['rubric', RUBRIC_CHECKPOINTS],
  ] as const) {
    for (const step of steps) {
      writeJsonl(join(root, 'qualitative_eval', type, `step_${step}.jsonl`), qualitativeRows(type, step))
      writeJson(join(root, 'checkpoints', type, `step_${step}`, 'config.json'), checkpointConfig(type, step))
    }
  }
  writeJson(join(root, 'qualitative_eval', 'manifest.json'), manifest())
  writeJsonl(
    join(root, 'prompt_metadata.jsonl'),
    PROMPTS.map((p) => ({ question: p.question, task_type: p.taskType, reference_answer: p.referenceAnswer }))
  )
}

const DEFAULT_OUT_DIR = fileURLToPath(new URL('../resources/demo-run', import.meta.url))

function main(): void {
  const outDir = resolve(process.argv[2] ?? DEFAULT_OUT_DIR)
  generateDemoRun(outDir)
  console.log(`Demo run written to ${outDir}`)
}

const invokedPath = process.argv[1]
if (invokedPath !== undefined && import.meta.url === pathToFileURL(invokedPath).href) {
  main()
}
