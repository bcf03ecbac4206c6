// The set being curated on the Export view: the filters, and what the curator changed by hand
// (rubrics removed, criteria left out, text and weight edits with the values they replaced).
// Nothing is saved until "Save set"; the core applies the filters again when it saves.
import type { MethodArgs } from '../../../shared/contract'
import { NO_FILTERS, type CriterionEdit, type CuratedSet, type SetFilters } from '../../../shared/curated-set'
import { api } from './api'
import { toWorkbenchError, type WorkbenchError } from './errors'

type Edit = CriterionEdit & { rubricId: string }

/** The time an edit was made (a plain timestamp, nothing reactive about it). */
const now = (): string => new Date(Date.now()).toISOString()

export class CurationState {
  filters = $state<SetFilters>({ ...NO_FILTERS, dropMarks: [] })
  /** Rubrics added by hand (kept from a loaded set; the page adds none itself). */
  added = $state<string[]>([])
  removed = $state<string[]>([])
  excluded = $state<{ rubricId: string; criterion: number }[]>([])
  edits = $state<Edit[]>([])
  name = $state('')
  saving = $state(false)
  saved: CuratedSet | null = $state.raw(null)
  error: WorkbenchError | null = $state.raw(null)

  isRemoved(rubricId: string): boolean {
    return this.removed.includes(rubricId)
  }

  toggleRemoved(rubricId: string): void {
    this.removed = this.isRemoved(rubricId)
      ? this.removed.filter((r) => r !== rubricId)
      : [...this.removed, rubricId]
  }

  isExcluded(rubricId: string, criterion: number): boolean {
    return this.excluded.some((e) => e.rubricId === rubricId && e.criterion === criterion)
  }

  toggleExcluded(rubricId: string, criterion: number): void {
    this.excluded = this.isExcluded(rubricId, criterion)
      ? this.excluded.filter((e) => !(e.rubricId === rubricId && e.criterion === criterion))
      : [...this.excluded, { rubricId, criterion }]
  }

  /** The value a field has now: the last edit's, or the rubric's own. */
  current(
    rubricId: string,
    criterion: number,
    field: 'text' | 'weight',
    own: string | number | null
  ): string | number | null {
    const last = this.edits.findLast(
      (e) => e.rubricId === rubricId && e.criterion === criterion && e.field === field
    )
    return last === undefined ? own : last.to
  }

  /** Records an edit (from the value it replaces); setting a field back to the rubric's own drops its edits. */
  edit(
    rubricId: string,
    criterion: number,
    field: 'text' | 'weight',
    own: string | number | null,
    to: string | number | null
  ): void {
    const from = this.current(rubricId, criterion, field, own)
    if (from === to) return
    if (to === own) {
      this.edits = this.edits.filter(
        (e) => !(e.rubricId === rubricId && e.criterion === criterion && e.field === field)
      )
      return
    }
    this.edits = [...this.edits, { rubricId, criterion, field, from, to, time: now() }]
  }

  /** Takes a saved set back into the page: its filters, hand changes and edits (learned ones included). */
  load(set: CuratedSet): void {
    this.filters = structuredClone(set.filters)
    this.added = [...set.added]
    this.removed = [...set.removed]
    // Only what was left out by hand: the filters leave out their own again when the set is saved.
    this.excluded = set.rubrics.flatMap((r) =>
      r.excluded
        .filter((criterion) => !(r.dropped ?? []).includes(criterion))
        .map((criterion) => ({ rubricId: r.rubricId, criterion }))
    )
    this.edits = set.rubrics.flatMap((r) => r.edits.map((e) => ({ ...e, rubricId: r.rubricId })))
    this.name = set.name
    this.saved = null
    this.error = null
  }

  get changes(): number {
    return this.removed.length + this.excluded.length + this.edits.length
  }

  async save(): Promise<void> {
    this.saving = true
    this.error = null
    try {
      const args: MethodArgs<'curation.save'> = {
        name: this.name.trim(),
        filters: $state.snapshot(this.filters),
        added: $state.snapshot(this.added),
        removed: $state.snapshot(this.removed),
        excluded: $state.snapshot(this.excluded),
        edits: $state.snapshot(this.edits),
      }
      this.saved = await api['curation.save'](args)
    } catch (error) {
      this.error = toWorkbenchError(error)
    } finally {
      this.saving = false
    }
  }
}
