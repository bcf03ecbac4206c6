// The model options `judge` and `rubrics generate` share: a local folder or an endpoint.

/** Why the options cannot name one model, or null when they can. */
export function modelOptionsProblem(
  options: { model?: string; endpoint?: string; modelName?: string },
  role: string
): string | null {
  if (options.endpoint !== undefined && options.modelName === undefined)
    return `--endpoint needs --model-name (the name the server serves the ${role} under)`
  if (options.endpoint !== undefined && options.model !== undefined)
    return 'give either --model (a local folder) or --endpoint (a server), not both'
  return null
}
