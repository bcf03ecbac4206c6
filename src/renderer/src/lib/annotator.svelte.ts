// Who is labeling: a name the annotator types once; kept in this browser profile.
import { annotatorProblem } from '../../../shared/annotation'

const STORAGE_KEY = 'rubric-workbench.annotator'

export class AnnotatorState {
  name = $state(read())

  get problem(): string | null {
    return annotatorProblem(this.name)
  }

  set(name: string): void {
    this.name = name
    try {
      localStorage.setItem(STORAGE_KEY, name)
    } catch {
      // Without storage the name lasts this session only.
    }
  }
}

function read(): string {
  try {
    return localStorage.getItem(STORAGE_KEY) ?? ''
  } catch {
    return ''
  }
}
