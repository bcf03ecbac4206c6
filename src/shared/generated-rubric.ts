// A rubric the workbench generated for a prompt (see core/rubrics).

export interface GeneratedRubric {
  /** `gen-<hash>`, stable for (generator, template@version, prompt, sample). */
  id: string
  key: string
  promptId: string
  /** The model folder's judge id, or `name@host/path` for an endpoint. */
  generator: string
  template: string
  templateVersion: number
  /** 0 … K−1 */
  sample: number
  seed: number
  /** The generated text; null when generation failed. */
  raw: string | null
  criteria: number
  formatValid: boolean
  /** Why the text fails the EvoLM format rule, or why generation failed. */
  invalidReason: string | null
  error: string | null
  time: string
}

export interface RubricGenerationSummary {
  generated: number
  skipped: number
  valid: number
  invalid: number
  failed: number
  seconds: number
}

/** Rubrics generated with one generator and template: a rubric source a judge job can use. */
export interface GeneratedRubricSet {
  generator: string
  template: string
  templateVersion: number
  rubrics: number
  valid: number
}

export function isGeneratedRubricId(id: string): boolean {
  return id.startsWith('gen-')
}
